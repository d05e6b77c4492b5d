// price_comparison_agent.hpp — the price-comparison agent: answers price_compare with offers
// from the configured retailers, normalised to the catalog currency, and a deal verdict.
// Threading: one CAF actor. HTTP runs on the fetcher's own thread and comes back as messages;
// the cache and the breakers it is given are thread-safe and outlive restarts.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/price/deal_analysis.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/pricing/local_offers.hpp"
#include "adapters/pricing/offer_cache.hpp"
#include "adapters/pricing/retailer_config.hpp"

namespace cartmate::runtime {
class breaker_registry;
class metrics_registry;
class resilience_context;
}  // namespace cartmate::runtime

namespace cartmate::actors::price {

/// One configured retailer and, for the local kind, its offers.
struct retailer_entry {
  pricing::retailer_config config;
  std::shared_ptr<const pricing::local_offer_book> book;   // local kind only
};

struct price_agent_deps {
  std::vector<retailer_entry> retailers;
  pricing::rate_table rates{"INR"};              // base: the catalog currency
  /// Needed when any retailer is of the http kind; shared by every incarnation.
  std::shared_ptr<http::http_client> fetcher;
  std::shared_ptr<pricing::offer_cache> cache;   // null: no caching
  /// One breaker per http retailer, named "retailer:<name>". Must outlive the agent.
  runtime::breaker_registry* breakers = nullptr;
  /// For the catalog price (a get_product_request to product discovery). Must outlive the agent.
  const runtime::resilience_context* resilience = nullptr;
  runtime::metrics_registry* metrics = nullptr;  // optional; must outlive the agent
  /// The agent answers within this time (or the request's deadline, if sooner) with what it
  /// has; retailers that have not answered by then are named as failed.
  std::chrono::milliseconds answer_budget{600};
  size_t max_body_bytes = 256 * 1024;
  deal_thresholds thresholds;
};

/// Name of the breaker guarding one retailer.
std::string retailer_breaker_name(const std::string& retailer);

/// Spawns the agent. It answers price_compare with a price_comparison (invalid_argument for an
/// empty product id, not_found when the catalog has no such product, timeout when the
/// request's deadline has already passed). Failing retailers never fail the answer: they are
/// listed in failed_retailers with the reason.
caf::actor spawn_price_comparison_agent(caf::actor_system& sys, price_agent_deps deps);

}  // namespace cartmate::actors::price
