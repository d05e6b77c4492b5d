// price_bootstrap.hpp — builds the price agent's dependencies once at start-up from the
// `pricing` settings: retailer list and rates (file or the offline default), local offer books,
// the libcurl HTTP client thread (only when an HTTP retailer is configured) and the offer cache.
// Threading: call on the main thread before the node starts; it reads files (blocking).
#pragma once

#include <string>

#include <caf/expected.hpp>

#include "actors/price/price_comparison_agent.hpp"
#include "adapters/pricing/pricing_settings.hpp"

namespace cartmate::actors::price {

/// The default retailer list: one local retailer named "local" on `offers_file` (the embedded
/// offers when empty).
pricing::pricing_config default_pricing_config(const std::string& catalog_currency,
                                               const std::string& offers_file);

/// Everything but the node-wide pointers (breakers, resilience, metrics), which the caller sets
/// from its node. Fails with the file's problem when the retailer or offers file is unreadable
/// or invalid.
[[nodiscard]] caf::expected<price_agent_deps>
load_price_agent_deps(const pricing::pricing_settings& settings,
                      const std::string& catalog_currency);

/// Like load_price_agent_deps with an already parsed retailer configuration.
[[nodiscard]] caf::expected<price_agent_deps>
make_price_agent_deps(pricing::pricing_config config, const pricing::pricing_settings& settings);

}  // namespace cartmate::actors::price
