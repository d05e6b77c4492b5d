// memory_cart_store.cpp — carts, write records and orders in maps under one mutex.
#include "adapters/stores/memory_cart_store.hpp"

#include <algorithm>
#include <cstdio>

#include "protocol/errors.hpp"

namespace cartmate::stores {

namespace {

using protocol::errc;
using protocol::make_error;

std::vector<protocol::cart_line>::iterator find_line(cart_snapshot& cart,
                                                     const std::string& product_id) {
  return std::find_if(cart.lines.begin(), cart.lines.end(),
                      [&](const protocol::cart_line& l) { return l.product_id == product_id; });
}

std::string name_of(const line_facts& facts, const std::string& product_id) {
  return facts.title.empty() ? product_id : facts.title;
}

/// Checks a line's new quantity against the per-line limit and the stock; `already` is what
/// the cart holds before an add (0 for set_quantity).
caf::error check_quantity(int64_t quantity, int64_t already, const line_facts& facts,
                          const std::string& product_id) {
  auto name = name_of(facts, product_id);
  if (quantity < 1)
    return make_error(errc::invalid_argument, "the quantity must be at least 1");
  if (quantity > facts.max_per_line) {
    std::string msg = "at most " + std::to_string(facts.max_per_line) + " of one product fit in a cart";
    if (already > 0)
      msg += "; you already have " + std::to_string(already) + " of " + name;
    return make_error(errc::invalid_argument, msg);
  }
  if (facts.stock <= 0)
    return make_error(errc::out_of_stock, name + " is out of stock");
  if (quantity > facts.stock) {
    std::string msg = "only " + std::to_string(facts.stock) + " of " + name + " in stock";
    if (already > 0)
      msg += " and you already have " + std::to_string(already) + " in your cart";
    return make_error(errc::out_of_stock, msg);
  }
  return {};
}

caf::error check_currency(const cart_snapshot& cart, const line_facts& facts,
                          const std::string& product_id) {
  for (const auto& line : cart.lines)
    if (line.product_id != product_id && line.unit_price.currency != facts.unit_price.currency)
      return make_error(errc::invalid_argument,
                        "prices in " + facts.unit_price.currency + " cannot join a cart in "
                          + line.unit_price.currency);
  return {};
}

void set_line(protocol::cart_line& line, const line_facts& facts, int32_t quantity) {
  if (!facts.title.empty())
    line.title = facts.title;
  line.unit_price = facts.unit_price;
  line.quantity = quantity;
  line.line_total = protocol::money{facts.unit_price.minor * quantity, facts.unit_price.currency};
}

/// The cart after `op`, or why it is refused; `cart` is left untouched.
caf::expected<cart_snapshot> apply(const cart_snapshot& cart, const cart_op& op,
                                   const line_facts& facts) {
  auto next = cart;
  auto line = find_line(next, op.product_id);
  switch (op.kind) {
    case cart_op_kind::add: {
      if (op.quantity < 1)
        return make_error(errc::invalid_argument, "the quantity must be at least 1");
      int64_t already = line == next.lines.end() ? 0 : line->quantity;
      if (auto err = check_quantity(already + op.quantity, already, facts, op.product_id))
        return err;
      if (auto err = check_currency(next, facts, op.product_id))
        return err;
      if (line == next.lines.end()) {
        protocol::cart_line fresh;
        fresh.product_id = op.product_id;
        next.lines.push_back(std::move(fresh));
        line = std::prev(next.lines.end());
      }
      set_line(*line, facts, static_cast<int32_t>(already + op.quantity));
      break;
    }
    case cart_op_kind::set_quantity:
      if (line == next.lines.end())
        return make_error(errc::not_found, name_of(facts, op.product_id) + " is not in your cart");
      if (auto err = check_quantity(op.quantity, 0, facts, op.product_id))
        return err;
      if (auto err = check_currency(next, facts, op.product_id))
        return err;
      set_line(*line, facts, op.quantity);
      break;
    case cart_op_kind::remove:
      if (line == next.lines.end())
        return make_error(errc::not_found, op.product_id + " is not in your cart");
      next.lines.erase(line);
      break;
  }
  ++next.version;
  return next;
}

std::string order_id_for(uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "ord-%08llu", static_cast<unsigned long long>(number));
  return buf;
}

}  // namespace

memory_cart_store::memory_cart_store(size_t max_keys_per_user)
  : max_keys_per_user_(std::max<size_t>(max_keys_per_user, 1)) {
  // nop
}

caf::expected<cart_snapshot> memory_cart_store::get_cart(const user_key& who) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = users_.find(who);
  if (i == users_.end())
    return cart_snapshot{};
  return i->second.cart;
}

caf::expected<std::optional<cart_snapshot>>
memory_cart_store::find_write(const user_key& who, const std::string& idempotency_key,
                              const cart_op& op) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = users_.find(who);
  if (i == users_.end())
    return std::optional<cart_snapshot>{};
  auto w = i->second.writes.find(idempotency_key);
  if (w == i->second.writes.end())
    return std::optional<cart_snapshot>{};
  if (w->second.op != op)
    return make_error(errc::conflict, "idempotency key " + idempotency_key
                                        + " was already used for a different cart change");
  return std::optional<cart_snapshot>{w->second.result};
}

caf::expected<cart_snapshot> memory_cart_store::apply_write(const user_key& who,
                                                            const std::string& idempotency_key,
                                                            const cart_op& op,
                                                            const line_facts& facts) {
  if (idempotency_key.empty())
    return make_error(errc::invalid_argument, "a cart change needs an idempotency key");
  std::lock_guard<std::mutex> guard{mutex_};
  auto& data = users_[who];
  if (auto w = data.writes.find(idempotency_key); w != data.writes.end()) {
    if (w->second.op != op)
      return make_error(errc::conflict, "idempotency key " + idempotency_key
                                          + " was already used for a different cart change");
    return w->second.result;
  }
  auto next = apply(data.cart, op, facts);
  if (!next)
    return std::move(next.error());
  data.cart = std::move(*next);
  remember_write(data, idempotency_key, op);
  return data.cart;
}

void memory_cart_store::remember_write(user_data& data, const std::string& key,
                                       const cart_op& op) {
  data.writes.emplace(key, write_record{op, data.cart});
  data.write_keys.push_back(key);
  while (data.write_keys.size() > max_keys_per_user_) {
    data.writes.erase(data.write_keys.front());
    data.write_keys.pop_front();
  }
}

caf::expected<protocol::order> memory_cart_store::place_order(const user_key& who,
                                                              const checkout_snapshot& snapshot,
                                                              const std::string& idempotency_key,
                                                              int64_t created_ms) {
  if (idempotency_key.empty())
    return make_error(errc::invalid_argument, "an order needs an idempotency key");
  std::lock_guard<std::mutex> guard{mutex_};
  auto& data = users_[who];
  if (auto i = data.order_by_key.find(idempotency_key); i != data.order_by_key.end())
    return data.orders[i->second];
  if (snapshot.lines.empty())
    return make_error(errc::invalid_argument, "there is nothing to order");
  if (data.cart.version != snapshot.cart_version)
    return make_error(errc::conflict, "the cart changed after the checkout was prepared");
  protocol::order placed;
  placed.order_id = order_id_for(next_order_number_++);
  placed.user = who.user;
  placed.lines = snapshot.lines;
  placed.total = snapshot.total;
  placed.created_ms = created_ms;
  placed.status = "placed";
  data.orders.push_back(placed);
  data.order_by_key.emplace(idempotency_key, data.orders.size() - 1);
  data.cart.lines.clear();
  ++data.cart.version;
  return placed;
}

caf::expected<std::optional<protocol::order>>
memory_cart_store::find_order(const user_key& who, const std::string& idempotency_key) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = users_.find(who);
  if (i == users_.end())
    return std::optional<protocol::order>{};
  auto o = i->second.order_by_key.find(idempotency_key);
  if (o == i->second.order_by_key.end())
    return std::optional<protocol::order>{};
  return std::optional<protocol::order>{i->second.orders[o->second]};
}

caf::expected<std::vector<protocol::order>> memory_cart_store::list_orders(const user_key& who) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = users_.find(who);
  if (i == users_.end())
    return std::vector<protocol::order>{};
  return std::vector<protocol::order>(i->second.orders.rbegin(), i->second.orders.rend());
}

}  // namespace cartmate::stores
