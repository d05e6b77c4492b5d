// orchestrator_test_agents.hpp — stand-ins for the agents the orchestrator talks to, for its tests:
// a discovery agent over the real product index, a cart with checkout, a style profiler and a
// price comparison agent answering what the test sets, and a client that records the event
// stream. Each records the requests it got so tests can assert on them.
// Threading: everything runs on the deterministic test scheduler (the test's thread).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "adapters/index/product_index.hpp"
#include "protocol/cart_messages.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "protocol/price_messages.hpp"
#include "protocol/style_messages.hpp"

namespace cartmate::testing {

/// What the stand-in agents were asked, in order.
struct agent_log {
  std::vector<protocol::search_request> searches;
  std::vector<protocol::get_product_request> lookups;
  std::vector<protocol::cart_add> adds;
  std::vector<protocol::cart_remove> removes;
  std::vector<protocol::cart_set_quantity> quantity_changes;
  std::vector<protocol::checkout_prepare> prepares;
  std::vector<protocol::checkout_confirm> confirms;
  std::vector<protocol::checkout_cancel> cancels;
  int cart_requests = 0;
  std::vector<protocol::order> orders;
  std::map<std::string, int32_t> cart;   // product id -> quantity, the cart's real state
  /// Set: searches answer as discovery does when the embedding model did not (keywords only).
  std::string search_degraded;
};

/// The style profiler stand-in's state and what it was asked. Stated preferences are kept per
/// key (one value per key, as the real agent does), for every user alike.
struct style_log {
  std::vector<protocol::stated_preference> stated;
  uint32_t signal_count = 0;
  std::vector<protocol::attribute_preference> attributes;
  std::vector<float> taste;
  /// style_rank puts products of this colour first (score 1, others 0) with `rank_reason`.
  std::string favourite_colour;
  std::string rank_reason = "you liked several things in your favourite colour";
  /// image_analyse answers this colour for any non-empty image.
  std::string image_colour = "Blue";
  int profile_gets = 0;
  std::vector<protocol::preference_set> sets;
  std::vector<protocol::preference_forget> forgets;
  std::vector<protocol::style_rank> ranks;
  std::vector<protocol::image_analyse> images;
  std::vector<protocol::style_signal> signals;
};

/// Style-profiler stand-in over `log` (see style_log); `catalog` gives the colours it ranks by.
caf::actor spawn_test_style(caf::actor_system& sys, std::shared_ptr<style_log> log,
                            std::vector<protocol::product> catalog);

/// Price-comparison stand-in: answers every price_compare with `answer` (product id filled in).
caf::actor spawn_test_price(caf::actor_system& sys,
                            std::shared_ptr<protocol::price_comparison> answer);

/// The event stream and summaries a requester got, in arrival order.
struct client_log {
  std::vector<std::string> sequence;   // "thinking", "delegation:cart", "products", "final", ...
  std::vector<protocol::delegation_event> delegations;
  std::vector<protocol::products_event> products;
  std::vector<protocol::cart_event> carts;
  std::vector<protocol::final_event> finals;
  std::vector<protocol::error_event> errors;
  std::vector<protocol::turn_summary> summaries;
};

/// Product-discovery stand-in answering search, similar and get-product from `index`.
caf::actor spawn_test_discovery(caf::actor_system& sys,
                                std::shared_ptr<const index::product_index> index,
                                std::shared_ptr<agent_log> log);

/// Cart stand-in: cart lines priced from `index`, checkout with prepare/confirm/cancel.
caf::actor spawn_test_cart(caf::actor_system& sys,
                           std::shared_ptr<const index::product_index> index,
                           std::shared_ptr<agent_log> log);

/// Sends every user_turn it receives (anon_send) to `orchestrator` as a request and records
/// the events and the summary it gets back.
caf::actor spawn_test_client(caf::actor_system& sys, caf::actor orchestrator,
                             std::shared_ptr<client_log> log);

/// A small hand-made catalog (INR): running shoes, kurtas, a jacket; one item out of stock.
std::vector<protocol::product> test_catalog();

}  // namespace cartmate::testing
