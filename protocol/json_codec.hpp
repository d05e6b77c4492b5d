// json_codec.hpp — JSON codecs of the protocol's public shapes (WebSocket frames, replay scripts).
// Threading: stateless free functions; safe to call concurrently from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include "protocol/alert_messages.hpp"
#include "protocol/cart_messages.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "protocol/price_messages.hpp"
#include "protocol/product.hpp"
#include "protocol/style_messages.hpp"

// Wire conventions (the contract with the front-end):
// - keys are the C++ member names (snake_case); encoders always write every field;
// - money is {"amount": 1299.0, "minor": 129900, "currency": "INR"}; decoding needs "currency"
//   and at least one of "minor" / "amount" (they must agree when both are given);
// - enums travel as their names ("price_below", "product_discovery");
// - events carry "type": "thinking", "delegation", "products", "cart", "partial", "final",
//   "notification", "error", "comparison".
// Decoders require every field except those of search_filters (an omitted filter means
// "any"), ignore unknown keys, and report the first problem as errc::invalid_argument with the
// field's path: "field 'lines[2].unit_price.minor': expected integer, got string".

namespace cartmate::protocol {

/// Parses `text`; never throws. Syntax errors (with line and column) and nesting deeper than
/// max_json_depth become errc::invalid_argument.
[[nodiscard]] caf::expected<nlohmann::json> parse_json(std::string_view text);

/// Deeper documents are refused by parse_json: nlohmann copies and dumps recursively.
inline constexpr int max_json_depth = 128;

/// Compact serialisation that never throws: invalid UTF-8 is replaced by U+FFFD.
std::string dump_json(const nlohmann::json& value);

/// Digits after the decimal point of a currency's major unit (2 unless known otherwise).
int minor_digits(std::string_view currency);

// -- encoders ----------------------------------------------------------------------------------

nlohmann::json encode(const money& x);
nlohmann::json encode(const product& x);
nlohmann::json encode(const search_filters& x);
nlohmann::json encode(const cart_line& x);
nlohmann::json encode(const cart_view& x);
nlohmann::json encode(const order& x);
nlohmann::json encode(const offer& x);
nlohmann::json encode(const price_comparison& x);
nlohmann::json encode(const alert& x);
nlohmann::json encode(const attribute_preference& x);
nlohmann::json encode(const stated_preference& x);
nlohmann::json encode(const style_profile& x);
nlohmann::json encode(const turn_summary& x);
nlohmann::json encode(const thinking_event& x);
nlohmann::json encode(const delegation_event& x);
nlohmann::json encode(const products_event& x);
nlohmann::json encode(const cart_event& x);
nlohmann::json encode(const partial_event& x);
nlohmann::json encode(const final_event& x);
nlohmann::json encode(const notification_event& x);
nlohmann::json encode(const error_event& x);
nlohmann::json encode(const comparison_event& x);

/// "price_below", "drop_percent" or "back_in_stock".
std::string_view to_string(alert_condition x);

// -- decoders ----------------------------------------------------------------------------------

[[nodiscard]] caf::expected<money> decode_money(const nlohmann::json& j);
[[nodiscard]] caf::expected<product> decode_product(const nlohmann::json& j);
[[nodiscard]] caf::expected<search_filters> decode_search_filters(const nlohmann::json& j);
[[nodiscard]] caf::expected<cart_line> decode_cart_line(const nlohmann::json& j);
[[nodiscard]] caf::expected<cart_view> decode_cart_view(const nlohmann::json& j);
[[nodiscard]] caf::expected<order> decode_order(const nlohmann::json& j);
[[nodiscard]] caf::expected<offer> decode_offer(const nlohmann::json& j);
[[nodiscard]] caf::expected<price_comparison> decode_price_comparison(const nlohmann::json& j);
[[nodiscard]] caf::expected<alert> decode_alert(const nlohmann::json& j);
[[nodiscard]] caf::expected<attribute_preference>
decode_attribute_preference(const nlohmann::json& j);
[[nodiscard]] caf::expected<stated_preference> decode_stated_preference(const nlohmann::json& j);
[[nodiscard]] caf::expected<style_profile> decode_style_profile(const nlohmann::json& j);
[[nodiscard]] caf::expected<turn_summary> decode_turn_summary(const nlohmann::json& j);
// Event decoders insist on their own "type"; decode_event below dispatches on it.
[[nodiscard]] caf::expected<thinking_event> decode_thinking_event(const nlohmann::json& j);
[[nodiscard]] caf::expected<delegation_event> decode_delegation_event(const nlohmann::json& j);
[[nodiscard]] caf::expected<products_event> decode_products_event(const nlohmann::json& j);
[[nodiscard]] caf::expected<cart_event> decode_cart_event(const nlohmann::json& j);
[[nodiscard]] caf::expected<partial_event> decode_partial_event(const nlohmann::json& j);
[[nodiscard]] caf::expected<final_event> decode_final_event(const nlohmann::json& j);
[[nodiscard]] caf::expected<notification_event>
decode_notification_event(const nlohmann::json& j);
[[nodiscard]] caf::expected<error_event> decode_error_event(const nlohmann::json& j);
[[nodiscard]] caf::expected<comparison_event> decode_comparison_event(const nlohmann::json& j);

std::optional<alert_condition> alert_condition_from_string(std::string_view name);

// -- the event stream --------------------------------------------------------------------------

/// Any event the orchestrator streams to a session during (or between) turns.
using orchestrator_event
  = std::variant<thinking_event, delegation_event, products_event, cart_event, partial_event,
                 final_event, notification_event, error_event, comparison_event>;

/// The wire "type" of an event, e.g. "delegation".
std::string_view event_type(const orchestrator_event& x);

nlohmann::json encode(const orchestrator_event& x);

/// Decodes whichever event the "type" field names.
[[nodiscard]] caf::expected<orchestrator_event> decode_event(const nlohmann::json& j);

// -- generic access, for code templated on the shape (replay checks, tests) -------------------

template <class T>
caf::expected<T> decode(const nlohmann::json& j);

#define CARTMATE_JSON_DECODE(type)                                                           \
  template <>                                                                                \
  inline caf::expected<type> decode<type>(const nlohmann::json& j) {                         \
    return decode_##type(j);                                                                 \
  }

CARTMATE_JSON_DECODE(money)
CARTMATE_JSON_DECODE(product)
CARTMATE_JSON_DECODE(search_filters)
CARTMATE_JSON_DECODE(cart_line)
CARTMATE_JSON_DECODE(cart_view)
CARTMATE_JSON_DECODE(order)
CARTMATE_JSON_DECODE(offer)
CARTMATE_JSON_DECODE(price_comparison)
CARTMATE_JSON_DECODE(alert)
CARTMATE_JSON_DECODE(attribute_preference)
CARTMATE_JSON_DECODE(stated_preference)
CARTMATE_JSON_DECODE(style_profile)
CARTMATE_JSON_DECODE(turn_summary)
CARTMATE_JSON_DECODE(thinking_event)
CARTMATE_JSON_DECODE(delegation_event)
CARTMATE_JSON_DECODE(products_event)
CARTMATE_JSON_DECODE(cart_event)
CARTMATE_JSON_DECODE(partial_event)
CARTMATE_JSON_DECODE(final_event)
CARTMATE_JSON_DECODE(notification_event)
CARTMATE_JSON_DECODE(error_event)
CARTMATE_JSON_DECODE(comparison_event)

#undef CARTMATE_JSON_DECODE

template <>
inline caf::expected<orchestrator_event> decode<orchestrator_event>(const nlohmann::json& j) {
  return decode_event(j);
}

}  // namespace cartmate::protocol
