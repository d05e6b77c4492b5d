// pricing_settings.hpp — the `pricing` section of the node configuration (see the report of
// issue #6 for the schema keys), read with defaults when the section or a key is absent.
// Threading: plain values and pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

namespace cartmate::pricing {

struct pricing_settings {
  /// JSON file with currency_rates and the retailer list (retailer_config.hpp); empty: one
  /// "local" retailer on offers_file.
  std::string retailers_file;
  /// Offers of the default local retailer; empty: the embedded examples/offers/offers.json.
  std::string offers_file;
  std::chrono::milliseconds cache_ttl{60000};
  /// Longest time the agent takes to answer (it answers with what it has by then); keep it
  /// below resilience.attempt_timeout_ms so the caller does not retry a slow comparison.
  std::chrono::milliseconds answer_budget{600};
  /// Per-retailer timeout when the retailer sets no timeout_ms.
  std::chrono::milliseconds fetch_timeout{500};
  size_t max_body_bytes = 256 * 1024;
};

/// Reads settings["pricing"] (a validated settings tree); absent keys keep the defaults above.
/// Fails with invalid_argument on a key of the wrong type or a non-positive duration.
[[nodiscard]] caf::expected<pricing_settings> read_pricing_settings(const nlohmann::json& settings);

}  // namespace cartmate::pricing
