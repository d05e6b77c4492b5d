// retailer_config.hpp — the retailers the price-comparison agent asks, read from configuration:
// name, URL template, JSON paths of the answer's fields, timeout, and the currency rate table.
// Threading: plain values, immutable once parsed; safe to share between threads.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include "adapters/pricing/currency.hpp"
#include "adapters/pricing/json_path.hpp"

namespace cartmate::pricing {

enum class retailer_kind {
  http,    // a JSON answer fetched from url_template
  local,   // offers read from a JSON file at start (the embedded default works offline)
};

struct retailer_config {
  std::string name;
  retailer_kind kind = retailer_kind::http;
  /// http: e.g. "http://127.0.0.1:8081/offers/{product_id}?q={query}"; placeholders are
  /// URL-escaped when expanded; {query} is the product's title.
  std::string url_template;
  json_path price_path;      // required for http
  json_path currency_path;   // optional: when empty or absent in an answer, `currency` applies
  json_path url_path;        // optional: the offer's product page
  json_path stock_path;      // optional: bool, number of units, or "in_stock"/"out_of_stock"
  std::string currency;      // the retailer's currency when its answer names none
  std::chrono::milliseconds timeout{500};
  /// local: path of the offers file; empty means the embedded default offers.
  std::string offers_file;
};

/// Everything the agent needs to know about retailers.
struct pricing_config {
  std::vector<retailer_config> retailers;
  rate_table rates;
};

/// Limits that keep a slow or huge answer from holding the agent.
inline constexpr std::chrono::milliseconds max_retailer_timeout{60000};

/// Reads {"currency_rates": {...}, "retailers": [{"name": ..., "kind": "http"|"local", "url":
/// ..., "price_path": ..., "currency_path": ..., "url_path": ..., "stock_path": ...,
/// "currency": ..., "timeout_ms": ..., "file": ...}]}. Unknown keys, duplicate names, bad
/// paths or URLs and unknown placeholders fail with invalid_argument naming the retailer.
/// `base_currency` is the catalog currency; `default_timeout` applies without timeout_ms.
[[nodiscard]] caf::expected<pricing_config>
parse_pricing_config(const nlohmann::json& doc, const std::string& base_currency,
                     std::chrono::milliseconds default_timeout);

/// Percent-encodes everything except RFC 3986 unreserved characters.
std::string url_escape(std::string_view text);

/// Expands {product_id} and {query} in `url_template`, each URL-escaped.
std::string expand_url(std::string_view url_template, std::string_view product_id,
                       std::string_view query);

/// True when the template needs the product's title ({query}).
bool needs_query(const retailer_config& retailer);

}  // namespace cartmate::pricing
