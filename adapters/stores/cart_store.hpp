// cart_store.hpp — the cart and order store interface: idempotent cart writes and atomic order
// placement, per tenant + user. Implementations: memory (embedded default), PostgreSQL (#5).
// Threading: every implementation is safe for concurrent use; calls are synchronous.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/cart_messages.hpp"

namespace cartmate::stores {

/// Who a cart belongs to. Tenants never share carts, even for equal user ids.
struct user_key {
  std::string tenant;
  std::string user;

  friend bool operator<(const user_key& a, const user_key& b) {
    return std::tie(a.tenant, a.user) < std::tie(b.tenant, b.user);
  }
  friend bool operator==(const user_key& a, const user_key& b) {
    return a.tenant == b.tenant && a.user == b.user;
  }
};

/// A cart as stored: its lines and a version that changes with every applied write, so a
/// checkout can tell whether the cart is still the one the shopper confirmed.
struct cart_snapshot {
  std::vector<protocol::cart_line> lines;
  uint64_t version = 0;
};

enum class cart_op_kind : uint8_t { add, set_quantity, remove };

/// What a write asks for. Two writes under one idempotency key must ask for the same thing.
struct cart_op {
  cart_op_kind kind = cart_op_kind::add;
  std::string product_id;
  int32_t quantity = 0;   // add: units to add; set_quantity: the new quantity; remove: unused

  friend bool operator==(const cart_op& a, const cart_op& b) {
    return a.kind == b.kind && a.product_id == b.product_id && a.quantity == b.quantity;
  }
  friend bool operator!=(const cart_op& a, const cart_op& b) { return !(a == b); }
};

/// What the catalog said about the product when the write was checked (add, set_quantity).
struct line_facts {
  std::string title;
  protocol::money unit_price;
  int32_t stock = std::numeric_limits<int32_t>::max();   // units available
  int32_t max_per_line = 99;                             // most units of one product per cart
};

/// The cart frozen at checkout_prepare; the order is made from exactly these lines.
struct checkout_snapshot {
  std::vector<protocol::cart_line> lines;
  protocol::money total;
  uint64_t cart_version = 0;   // the cart's version when it was frozen
};

class cart_store {
 public:
  virtual ~cart_store() = default;

  /// The user's cart; an unknown user has an empty cart at version 0.
  [[nodiscard]] virtual caf::expected<cart_snapshot> get_cart(const user_key& who) = 0;

  /// The result recorded for `idempotency_key`, or nothing when the key is unused. Fails with
  /// errc::conflict when the key was used for a different write.
  [[nodiscard]] virtual caf::expected<std::optional<cart_snapshot>>
  find_write(const user_key& who, const std::string& idempotency_key, const cart_op& op) = 0;

  /// Applies `op` once per (who, idempotency_key) and records the resulting cart under the key;
  /// a repeated key returns the recorded result and changes nothing. Rejected writes change
  /// nothing and record nothing: errc::invalid_argument (quantity above max_per_line, bad
  /// quantity, other currency), errc::out_of_stock (above stock), errc::not_found (set or remove
  /// of a product not in the cart), errc::conflict (key used for a different write).
  [[nodiscard]] virtual caf::expected<cart_snapshot>
  apply_write(const user_key& who, const std::string& idempotency_key, const cart_op& op,
              const line_facts& facts) = 0;

  /// Atomically creates an order from `snapshot` and empties the cart, once per
  /// idempotency_key (the checkout id): a repeated key returns the order placed first.
  /// errc::conflict when the cart's version is no longer snapshot.cart_version;
  /// errc::invalid_argument for an empty snapshot.
  [[nodiscard]] virtual caf::expected<protocol::order>
  place_order(const user_key& who, const checkout_snapshot& snapshot,
              const std::string& idempotency_key, int64_t created_ms) = 0;

  /// The order placed under `idempotency_key`, if any.
  [[nodiscard]] virtual caf::expected<std::optional<protocol::order>>
  find_order(const user_key& who, const std::string& idempotency_key) = 0;

  /// The user's orders, newest first.
  [[nodiscard]] virtual caf::expected<std::vector<protocol::order>>
  list_orders(const user_key& who) = 0;
};

/// Sum of line totals in `currency` (the catalog's; lines share it) and the unit count.
inline protocol::cart_view make_cart_view(const std::string& user,
                                          const std::vector<protocol::cart_line>& lines,
                                          const std::string& currency) {
  protocol::cart_view view;
  view.user = user;
  view.lines = lines;
  view.total.currency = lines.empty() ? currency : lines.front().line_total.currency;
  for (const auto& line : lines) {
    view.total.minor += line.line_total.minor;
    view.item_count += line.quantity;
  }
  return view;
}

}  // namespace cartmate::stores
