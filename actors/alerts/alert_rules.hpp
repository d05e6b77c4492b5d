// alert_rules.hpp — when an alert fires and what its notification says: pure functions over
// what was seen about a product (a catalog price/stock event or a price-comparison re-check),
// plus the checks on a new alert and the price_event a catalog change makes.
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/error.hpp>

#include "adapters/stores/alert_store.hpp"
#include "protocol/alert_messages.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/price_messages.hpp"

namespace cartmate::actors::alerts {

/// What was seen about one product.
struct price_observation {
  std::string product_id;
  std::optional<int64_t> price_minor;   // the price now, in the catalog currency; none: unknown
  std::string where;                    // "" for the catalog, else the retailer that offers it
  std::optional<int32_t> old_stock;     // stock is known from catalog events only
  std::optional<int32_t> new_stock;
  /// Names the event, stable when the same event arrives again: the notification id is the
  /// alert id plus this key, so a repeat never makes a second outbox row.
  std::string event_key;
};

/// A catalog event as seen by the alerts. A price in another currency than `currency` is
/// unknown (stock still counts). The key is the envelope's idempotency key when it has one,
/// else made of the new price and stock.
price_observation observe(const protocol::price_event& e, const std::string& currency);

/// A re-check: the lowest of the catalog price and the in-stock retailer offers (all in the
/// catalog currency); the key names the price and where it was found.
price_observation observe(const protocol::price_comparison& c);

/// The notification text when `a` fires on `seen`, nothing when it does not. price_below: the
/// price is under the threshold; drop_percent: the price is at least threshold percent under
/// the reference price; back_in_stock: stock went from none to some.
std::optional<std::string> trigger_text(const stores::stored_alert& a,
                                        const price_observation& seen,
                                        const std::string& currency);

/// "<alert id>:<event key>".
std::string notification_id_for(const std::string& alert_id, const std::string& event_key);

/// errc::invalid_argument when the request cannot make a sensible alert (no product, a price
/// threshold not above 0, a drop percent outside 1..99).
caf::error check_alert_request(const protocol::alert_create& req);

/// The price_event for a catalog update's answer, with `env` (its idempotency key keeps the
/// event's notifications de-duplicated across retries).
protocol::price_event price_event_of(const protocol::catalog_change& change,
                                     protocol::envelope env);

/// "INR 1,450.00".
std::string format_price(int64_t minor, const std::string& currency);

}  // namespace cartmate::actors::alerts
