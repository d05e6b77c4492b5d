// retailer_answer.hpp — what one retailer's HTTP answer says: an offer, no offer (404), or why
// the answer is unusable (HTTP error, malformed JSON, a missing field, an unknown currency).
// Threading: pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include "adapters/pricing/currency.hpp"
#include "adapters/pricing/retailer_config.hpp"
#include "protocol/price_messages.hpp"

namespace cartmate::pricing {

/// One retailer's price as it quoted it, before conversion to the catalog currency.
struct retailer_quote {
  std::string retailer;
  protocol::money quoted;
  std::string url;
  bool in_stock = true;   // a retailer that reports no stock is taken as selling the item
};

/// Reads the answer of `retailer` (HTTP `status`, `body`). A 404 is "no offer" (nullopt); other
/// non-2xx statuses fail with errc::unavailable; a body that is not JSON, lacks the price or
/// holds an unusable field fails with errc::agent_error. Each error's detail says why in a few
/// words fit to show a shopper ("HTTP 500", "malformed JSON", "no price at 'data.price'").
[[nodiscard]] caf::expected<std::optional<retailer_quote>>
read_retailer_answer(const retailer_config& retailer, long status, std::string_view body);

/// Like read_retailer_answer's body step, for an already parsed document (local offers too).
[[nodiscard]] caf::expected<retailer_quote> read_quote(const retailer_config& retailer,
                                                       const nlohmann::json& doc);

/// Reads a stock field: true/false, a number of units, or a word such as "in_stock",
/// "InStock", "available", "out_of_stock", "sold out".
[[nodiscard]] caf::expected<bool> read_stock(const nlohmann::json& value);

/// The quote as an offer in the rate table's base currency; errc::unsupported names the
/// currency that has no rate.
[[nodiscard]] caf::expected<protocol::offer> normalise(const retailer_quote& quote,
                                                       const rate_table& rates);

/// The detail of a CartMate error ("HTTP 500"), or CAF's rendering of another error.
std::string reason_of(const caf::error& err);

}  // namespace cartmate::pricing
