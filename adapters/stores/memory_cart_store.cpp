// memory_cart_store.cpp — carts, write records and orders in maps under one mutex.
#include "adapters/stores/memory_cart_store.hpp"

#include <algorithm>
#include <cstdio>

#include "adapters/stores/cart_rules.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores {

namespace {

using protocol::errc;
using protocol::make_error;

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
  auto next = apply_cart_op(data.cart, op, facts);
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
