// cart_agent.cpp — cart writes checked against the catalog, idempotent by envelope key, and a
// two-step checkout whose pending confirmations live in the actor (orders live in the store).
#include "actors/cart/cart_agent.hpp"

#include <map>
#include <optional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "runtime/logging.hpp"
#include "runtime/resilient_caller.hpp"

namespace cartmate::actors {

namespace {

using protocol::errc;
using protocol::make_error;
using clock_type = caf::actor_clock;

/// A checkout waiting for the shopper's yes; one per user, a new prepare replaces it.
struct pending_checkout {
  std::string checkout_id;
  stores::checkout_snapshot snapshot;
  clock_type::time_point expires_at;
};

struct cart_state {
  std::shared_ptr<stores::cart_store> store;
  std::unique_ptr<runtime::resilient_caller> caller;
  cart_agent_options options;
  std::map<stores::user_key, pending_checkout> pending;

  static inline const char* name = "cart";
};

using cart_actor = caf::stateful_actor<cart_state>;

caf::expected<stores::user_key> owner_of(const protocol::envelope& env) {
  if (env.user.empty())
    return make_error(errc::invalid_argument, "the request names no user");
  return stores::user_key{env.tenant, env.user};
}

/// Like owner_of, for writes, which must also carry an idempotency key.
caf::expected<stores::user_key> writer_of(const protocol::envelope& env) {
  if (env.idempotency_key.empty())
    return make_error(errc::invalid_argument, "a cart change needs an idempotency key");
  return owner_of(env);
}

caf::error check_requested_quantity(int32_t quantity, int32_t max_per_line) {
  if (quantity < 1)
    return make_error(errc::invalid_argument,
                      "the quantity must be at least 1 (to drop an item, remove it)");
  if (quantity > max_per_line)
    return make_error(errc::invalid_argument,
                      "at most " + std::to_string(max_per_line) + " of one product fit in a cart, "
                        "not " + std::to_string(quantity));
  return {};
}

protocol::cart_view view_of(cart_actor* self, const stores::user_key& who,
                            const std::vector<protocol::cart_line>& lines) {
  return stores::make_cart_view(who.user, lines, self->state.options.currency);
}

/// Turns discovery's answer into what the shopper should hear about the product.
caf::error explain_lookup_failure(const caf::error& err, const std::string& product_id) {
  if (protocol::errc_of(err) == errc::not_found)
    return make_error(errc::not_found, "no product " + product_id + " in the catalog");
  if (protocol::is_degradation(err))
    spdlog::warn("cart: cannot check product {} ({})", product_id, protocol::describe(err));
  return err;
}

/// Checks price and stock with product discovery, then applies `op` in the store.
caf::result<protocol::cart_view> checked_write(cart_actor* self, const protocol::envelope& env,
                                               const stores::user_key& who,
                                               const stores::cart_op& op) {
  auto rp = self->make_response_promise<protocol::cart_view>();
  protocol::get_product_request lookup;
  lookup.env = env;
  lookup.env.idempotency_key.clear();   // a read: the key belongs to the cart write
  lookup.product_id = op.product_id;
  auto on_product = [self, rp, env, who, op](caf::expected<protocol::product> found) mutable {
    runtime::trace_scope trace{env.trace_id};
    if (!found) {
      rp.deliver(explain_lookup_failure(found.error(), op.product_id));
      return;
    }
    stores::line_facts facts;
    facts.title = found->title;
    facts.unit_price = found->price;
    facts.stock = found->stock;
    facts.max_per_line = self->state.options.max_per_line;
    auto cart = self->state.store->apply_write(who, env.idempotency_key, op, facts);
    if (!cart) {
      rp.deliver(std::move(cart.error()));
      return;
    }
    rp.deliver(view_of(self, who, cart->lines));
  };
  self->state.caller->request(self, std::move(lookup), std::move(on_product));
  return rp;
}

/// The recorded answer of a write seen before, so a retry never depends on the catalog.
caf::expected<std::optional<protocol::cart_view>>
replayed_write(cart_actor* self, const protocol::envelope& env, const stores::user_key& who,
               const stores::cart_op& op) {
  auto recorded = self->state.store->find_write(who, env.idempotency_key, op);
  if (!recorded)
    return std::move(recorded.error());
  if (!*recorded)
    return std::optional<protocol::cart_view>{};
  return std::optional<protocol::cart_view>{view_of(self, who, (*recorded)->lines)};
}

bool holds(const stores::cart_snapshot& cart, const std::string& product_id) {
  for (const auto& line : cart.lines)
    if (line.product_id == product_id)
      return true;
  return false;
}

void drop_expired(cart_actor* self, clock_type::time_point now) {
  auto& pending = self->state.pending;
  for (auto i = pending.begin(); i != pending.end();)
    i = i->second.expires_at <= now ? pending.erase(i) : std::next(i);
}

caf::result<protocol::cart_view> on_add(cart_actor* self, const protocol::cart_add& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = writer_of(req.env);
  if (!who)
    return std::move(who.error());
  if (req.product_id.empty())
    return make_error(errc::invalid_argument, "which product should go into the cart?");
  if (auto err = check_requested_quantity(req.quantity, self->state.options.max_per_line))
    return err;
  stores::cart_op op{stores::cart_op_kind::add, req.product_id, req.quantity};
  auto replay = replayed_write(self, req.env, *who, op);
  if (!replay)
    return std::move(replay.error());
  if (*replay)
    return std::move(**replay);
  return checked_write(self, req.env, *who, op);
}

caf::result<protocol::cart_view> on_set_quantity(cart_actor* self,
                                                 const protocol::cart_set_quantity& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = writer_of(req.env);
  if (!who)
    return std::move(who.error());
  if (auto err = check_requested_quantity(req.quantity, self->state.options.max_per_line))
    return err;
  stores::cart_op op{stores::cart_op_kind::set_quantity, req.product_id, req.quantity};
  auto replay = replayed_write(self, req.env, *who, op);
  if (!replay)
    return std::move(replay.error());
  if (*replay)
    return std::move(**replay);
  auto cart = self->state.store->get_cart(*who);
  if (!cart)
    return std::move(cart.error());
  if (!holds(*cart, req.product_id))
    return make_error(errc::not_found, req.product_id + " is not in your cart");
  return checked_write(self, req.env, *who, op);
}

caf::result<protocol::cart_view> on_remove(cart_actor* self, const protocol::cart_remove& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = writer_of(req.env);
  if (!who)
    return std::move(who.error());
  stores::cart_op op{stores::cart_op_kind::remove, req.product_id, 0};
  auto cart = self->state.store->apply_write(*who, req.env.idempotency_key, op, {});
  if (!cart)
    return std::move(cart.error());
  return view_of(self, *who, cart->lines);
}

caf::result<protocol::checkout_summary> on_prepare(cart_actor* self,
                                                   const protocol::checkout_prepare& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  auto cart = self->state.store->get_cart(*who);
  if (!cart)
    return std::move(cart.error());
  if (cart->lines.empty())
    return make_error(errc::invalid_argument, "your cart is empty: add something first");
  auto now = self->clock().now();
  drop_expired(self, now);
  auto ttl = self->state.options.checkout_ttl;
  protocol::checkout_summary summary;
  summary.checkout_id = "chk-" + runtime::new_trace_id();
  summary.cart = view_of(self, *who, cart->lines);
  summary.expires_ms = runtime::wall_clock_ms() + ttl.count();
  pending_checkout frozen;
  frozen.checkout_id = summary.checkout_id;
  frozen.snapshot.lines = cart->lines;
  frozen.snapshot.total = summary.cart.total;
  frozen.snapshot.cart_version = cart->version;
  frozen.expires_at = now + ttl;
  self->state.pending[*who] = std::move(frozen);
  spdlog::info("cart: checkout {} prepared for {} item(s)", summary.checkout_id,
               summary.cart.item_count);
  return summary;
}

caf::result<protocol::order> on_confirm(cart_actor* self, const protocol::checkout_confirm& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  auto& pending = self->state.pending;
  auto i = pending.find(*who);
  if (i != pending.end() && i->second.checkout_id == req.checkout_id && !req.checkout_id.empty()) {
    if (i->second.expires_at <= self->clock().now()) {
      pending.erase(i);
      return make_error(errc::conflict, "the checkout expired: prepare it again");
    }
    auto placed = self->state.store->place_order(*who, i->second.snapshot, req.checkout_id,
                                                 runtime::wall_clock_ms());
    // A store outage keeps the checkout for a retry; any answer settles it.
    if (placed || !protocol::is_degradation(placed.error()))
      pending.erase(i);
    if (!placed)
      return std::move(placed.error());
    spdlog::info("cart: checkout {} placed order {}", req.checkout_id, placed->order_id);
    return std::move(*placed);
  }
  // A repeated confirmation (a retry, or a restart in between) gets the order placed first.
  if (!req.checkout_id.empty()) {
    auto earlier = self->state.store->find_order(*who, req.checkout_id);
    if (!earlier)
      return std::move(earlier.error());
    if (*earlier)
      return std::move(**earlier);
  }
  return make_error(errc::conflict, "no pending checkout " + req.checkout_id
                                      + ": nothing was ordered (prepare the checkout first)");
}

caf::result<protocol::cart_view> on_cancel(cart_actor* self,
                                           const protocol::checkout_cancel& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  auto i = self->state.pending.find(*who);
  // An empty id cancels whatever is pending: "no" needs no id to be understood.
  if (i != self->state.pending.end()
      && (req.checkout_id.empty() || i->second.checkout_id == req.checkout_id))
    self->state.pending.erase(i);
  auto cart = self->state.store->get_cart(*who);
  if (!cart)
    return std::move(cart.error());
  return view_of(self, *who, cart->lines);
}

caf::behavior cart_agent(cart_actor* self, std::shared_ptr<stores::cart_store> store,
                         const runtime::resilience_context* ctx, cart_agent_options options) {
  self->state.store = std::move(store);
  self->state.options = std::move(options);
  self->state.caller = std::make_unique<runtime::resilient_caller>(*ctx);
  self->state.caller->install(self);
  return {
    [self](const protocol::cart_add& req) { return on_add(self, req); },
    [self](const protocol::cart_set_quantity& req) { return on_set_quantity(self, req); },
    [self](const protocol::cart_remove& req) { return on_remove(self, req); },
    [self](const protocol::cart_get& req) -> caf::result<protocol::cart_view> {
      runtime::trace_scope trace{req.env.trace_id};
      auto who = owner_of(req.env);
      if (!who)
        return std::move(who.error());
      auto cart = self->state.store->get_cart(*who);
      if (!cart)
        return std::move(cart.error());
      return view_of(self, *who, cart->lines);
    },
    [self](const protocol::checkout_prepare& req) { return on_prepare(self, req); },
    [self](const protocol::checkout_confirm& req) { return on_confirm(self, req); },
    [self](const protocol::checkout_cancel& req) { return on_cancel(self, req); },
    [self](const protocol::order_list_request& req) -> caf::result<protocol::order_history> {
      runtime::trace_scope trace{req.env.trace_id};
      auto who = owner_of(req.env);
      if (!who)
        return std::move(who.error());
      auto orders = self->state.store->list_orders(*who);
      if (!orders)
        return std::move(orders.error());
      return protocol::order_history{std::move(*orders)};
    },
  };
}

}  // namespace

caf::actor spawn_cart_agent(caf::actor_system& sys, std::shared_ptr<stores::cart_store> store,
                            const runtime::resilience_context& ctx, cart_agent_options options) {
  return sys.spawn(cart_agent, std::move(store), &ctx, std::move(options));
}

}  // namespace cartmate::actors
