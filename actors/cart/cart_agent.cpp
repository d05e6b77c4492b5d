// cart_agent.cpp — cart writes checked against the catalog, idempotent by envelope key, and a
// two-step checkout whose pending confirmations live in the actor (orders live in the store).
// Every store call goes through call_store: inline for the memory store, on the store's
// executor otherwise, with the rest of the handler continuing in the actor when the answer is
// back. Requests for one user may then overlap (a retry after a timeout); the store's
// idempotency keys make repeated writes and orders safe, and the checkout book-keeping below
// keeps a late store answer from undoing a newer request.
#include "actors/cart/cart_agent.hpp"

#include <exception>
#include <map>
#include <optional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/store_call.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "runtime/logging.hpp"
#include "runtime/resilient_caller.hpp"

namespace cartmate::actors {

namespace {

using protocol::errc;
using protocol::make_error;
using clock_type = caf::actor_clock;

/// A checkout waiting for the shopper's yes.
struct pending_checkout {
  std::string checkout_id;
  stores::checkout_snapshot snapshot;
  clock_type::time_point expires_at;
};

/// One user's checkout book-keeping. At most one checkout is pending; a new prepare replaces
/// it. `latest` numbers the last prepare (or id-less cancel) that arrived, so a prepare whose
/// store answer comes back after a newer request installs nothing.
struct checkout_slot {
  std::optional<pending_checkout> pending;
  uint64_t latest = 0;
  uint32_t preparing = 0;   // prepares waiting for the store
};

struct cart_state {
  stores::store_handle<stores::cart_store> store;
  std::unique_ptr<runtime::resilient_caller> caller;
  cart_agent_options options;
  std::map<stores::user_key, checkout_slot> checkouts;
  uint64_t next_seq = 0;

  static inline const char* name = "cart";
};

using cart_actor = caf::stateful_actor<cart_state>;

template <class T>
using promise_of = caf::typed_response_promise<T>;

/// Calls the cart store with `job(cart_store&)` where its executor says; `then(result)` runs in
/// the actor (at once for the memory store). `job` must not touch the actor.
template <class Job, class Then>
void with_store(cart_actor* self, Job job, Then then) {
  actors::with_store(self, self->state.store, "cart store", std::move(job), std::move(then));
}

/// Answers a request from one cart store call (see actors::answer_from_store).
template <class T, class Job, class Finish>
caf::result<T> answer_from_store(cart_actor* self, const std::string& trace_id, Job job,
                                 Finish finish) {
  return actors::answer_from_store<T>(self, self->state.store, "cart store", trace_id,
                                      std::move(job), std::move(finish));
}

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

/// The answer to a request that reads or writes a cart: the cart as the store returned it.
auto cart_answer(cart_actor* self, stores::user_key who) {
  return [self, who = std::move(who)](caf::expected<stores::cart_snapshot> cart)
           -> caf::expected<protocol::cart_view> {
    if (!cart)
      return std::move(cart.error());
    return view_of(self, who, cart->lines);
  };
}

/// Turns discovery's answer into what the shopper should hear about the product.
caf::error explain_lookup_failure(const caf::error& err, const std::string& product_id) {
  if (protocol::errc_of(err) == errc::not_found)
    return make_error(errc::not_found, "no product " + product_id + " in the catalog");
  if (protocol::is_degradation(err))
    spdlog::warn("cart: cannot check product {} ({})", product_id, protocol::describe(err));
  return err;
}

/// Checks price and stock with product discovery, then applies `op` in the store; answers `rp`.
void checked_write(cart_actor* self, promise_of<protocol::cart_view> rp,
                   const protocol::envelope& env, const stores::user_key& who,
                   const stores::cart_op& op) {
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
    auto answer = cart_answer(self, who);
    with_store(self,
               [who, key = env.idempotency_key, op, facts](stores::cart_store& store) {
                 return store.apply_write(who, key, op, facts);
               },
               [rp, answer, trace_id = env.trace_id](caf::expected<stores::cart_snapshot> cart)
                 mutable {
                 runtime::trace_scope trace{trace_id};
                 deliver(rp, answer(std::move(cart)));
               });
  };
  self->state.caller->request(self, std::move(lookup), std::move(on_product));
}

bool holds(const stores::cart_snapshot& cart, const std::string& product_id) {
  for (const auto& line : cart.lines)
    if (line.product_id == product_id)
      return true;
  return false;
}

/// Forgets the slot of `who` when it holds nothing any more.
void settle(cart_actor* self, const stores::user_key& who) {
  auto i = self->state.checkouts.find(who);
  if (i != self->state.checkouts.end() && !i->second.pending && i->second.preparing == 0)
    self->state.checkouts.erase(i);
}

void drop_expired(cart_actor* self, clock_type::time_point now) {
  auto& slots = self->state.checkouts;
  for (auto i = slots.begin(); i != slots.end();) {
    auto& slot = i->second;
    if (slot.pending && slot.pending->expires_at <= now)
      slot.pending.reset();
    i = !slot.pending && slot.preparing == 0 ? slots.erase(i) : std::next(i);
  }
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
  auto rp = self->make_response_promise<protocol::cart_view>();
  // A write seen before gets its recorded answer, so a retry never depends on the catalog.
  with_store(self,
             [who = *who, key = req.env.idempotency_key, op](stores::cart_store& store) {
               return store.find_write(who, key, op);
             },
             [self, rp, env = req.env, who = *who,
              op](caf::expected<std::optional<stores::cart_snapshot>> recorded) mutable {
               runtime::trace_scope trace{env.trace_id};
               if (!recorded)
                 rp.deliver(std::move(recorded.error()));
               else if (*recorded)
                 rp.deliver(view_of(self, who, (*recorded)->lines));
               else
                 checked_write(self, std::move(rp), env, who, op);
             });
  return rp;
}

/// What set-quantity needs to know before it asks the catalog, read in one store job.
struct recorded_or_cart {
  std::optional<stores::cart_snapshot> recorded;   // the write was seen before
  stores::cart_snapshot cart;                      // else the cart as it is
};

caf::result<protocol::cart_view> on_set_quantity(cart_actor* self,
                                                 const protocol::cart_set_quantity& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = writer_of(req.env);
  if (!who)
    return std::move(who.error());
  if (auto err = check_requested_quantity(req.quantity, self->state.options.max_per_line))
    return err;
  stores::cart_op op{stores::cart_op_kind::set_quantity, req.product_id, req.quantity};
  auto rp = self->make_response_promise<protocol::cart_view>();
  with_store(self,
             [who = *who, key = req.env.idempotency_key,
              op](stores::cart_store& store) -> caf::expected<recorded_or_cart> {
               auto recorded = store.find_write(who, key, op);
               if (!recorded)
                 return std::move(recorded.error());
               if (*recorded)
                 return recorded_or_cart{std::move(*recorded), {}};
               auto cart = store.get_cart(who);
               if (!cart)
                 return std::move(cart.error());
               return recorded_or_cart{std::nullopt, std::move(*cart)};
             },
             [self, rp, env = req.env, who = *who,
              op](caf::expected<recorded_or_cart> seen) mutable {
               runtime::trace_scope trace{env.trace_id};
               if (!seen)
                 rp.deliver(std::move(seen.error()));
               else if (seen->recorded)
                 rp.deliver(view_of(self, who, seen->recorded->lines));
               else if (!holds(seen->cart, op.product_id))
                 rp.deliver(make_error(errc::not_found, op.product_id + " is not in your cart"));
               else
                 checked_write(self, std::move(rp), env, who, op);
             });
  return rp;
}

caf::result<protocol::cart_view> on_remove(cart_actor* self, const protocol::cart_remove& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = writer_of(req.env);
  if (!who)
    return std::move(who.error());
  stores::cart_op op{stores::cart_op_kind::remove, req.product_id, 0};
  return answer_from_store<protocol::cart_view>(
    self, req.env.trace_id,
    [who = *who, key = req.env.idempotency_key, op](stores::cart_store& store) {
      return store.apply_write(who, key, op, {});
    },
    cart_answer(self, *who));
}

caf::result<protocol::cart_view> on_get(cart_actor* self, const protocol::cart_get& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  return answer_from_store<protocol::cart_view>(
    self, req.env.trace_id,
    [who = *who](stores::cart_store& store) { return store.get_cart(who); },
    cart_answer(self, *who));
}

/// Freezes the cart into a pending checkout, unless a newer prepare or a cancel arrived while
/// the store was read.
caf::expected<protocol::checkout_summary>
freeze_checkout(cart_actor* self, const stores::user_key& who, uint64_t seq,
                caf::expected<stores::cart_snapshot> cart) {
  auto& slot = self->state.checkouts[who];
  --slot.preparing;
  auto outcome = [&]() -> caf::expected<protocol::checkout_summary> {
    if (!cart)
      return std::move(cart.error());
    if (cart->lines.empty())
      return make_error(errc::invalid_argument, "your cart is empty: add something first");
    if (slot.latest != seq)
      return make_error(errc::conflict,
                        "a newer checkout request replaced this one: nothing was prepared");
    auto now = self->clock().now();
    auto ttl = self->state.options.checkout_ttl;
    protocol::checkout_summary summary;
    summary.checkout_id = "chk-" + runtime::new_trace_id();
    summary.cart = view_of(self, who, cart->lines);
    summary.expires_ms = runtime::wall_clock_ms() + ttl.count();
    pending_checkout frozen;
    frozen.checkout_id = summary.checkout_id;
    frozen.snapshot.lines = std::move(cart->lines);
    frozen.snapshot.total = summary.cart.total;
    frozen.snapshot.cart_version = cart->version;
    frozen.expires_at = now + ttl;
    slot.pending = std::move(frozen);
    spdlog::info("cart: checkout {} prepared for {} item(s)", summary.checkout_id,
                 summary.cart.item_count);
    return summary;
  }();
  settle(self, who);
  return outcome;
}

caf::result<protocol::checkout_summary> on_prepare(cart_actor* self,
                                                   const protocol::checkout_prepare& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  drop_expired(self, self->clock().now());
  auto seq = ++self->state.next_seq;
  auto& slot = self->state.checkouts[*who];
  slot.latest = seq;
  ++slot.preparing;
  return answer_from_store<protocol::checkout_summary>(
    self, req.env.trace_id,
    [who = *who](stores::cart_store& store) { return store.get_cart(who); },
    [self, who = *who, seq](caf::expected<stores::cart_snapshot> cart) {
      return freeze_checkout(self, who, seq, std::move(cart));
    });
}

/// Drops the pending checkout `checkout_id` of `who`, if it is still the pending one.
void forget_checkout(cart_actor* self, const stores::user_key& who,
                     const std::string& checkout_id) {
  auto i = self->state.checkouts.find(who);
  if (i == self->state.checkouts.end())
    return;
  if (i->second.pending && i->second.pending->checkout_id == checkout_id)
    i->second.pending.reset();
  settle(self, who);
}

caf::result<protocol::order> on_confirm(cart_actor* self, const protocol::checkout_confirm& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  auto i = self->state.checkouts.find(*who);
  if (i != self->state.checkouts.end() && i->second.pending && !req.checkout_id.empty()
      && i->second.pending->checkout_id == req.checkout_id) {
    if (i->second.pending->expires_at <= self->clock().now()) {
      forget_checkout(self, *who, req.checkout_id);
      return make_error(errc::conflict, "the checkout expired: prepare it again");
    }
    // The checkout stays pending while the order is placed: a retried confirmation places it
    // again under the same checkout id, which the store turns into the first order.
    return answer_from_store<protocol::order>(
      self, req.env.trace_id,
      [who = *who, snapshot = i->second.pending->snapshot, id = req.checkout_id,
       created = runtime::wall_clock_ms()](stores::cart_store& store) {
        return store.place_order(who, snapshot, id, created);
      },
      [self, who = *who, id = req.checkout_id](caf::expected<protocol::order> placed) {
        // A store outage keeps the checkout for a retry; any answer settles it.
        if (placed || !protocol::is_degradation(placed.error()))
          forget_checkout(self, who, id);
        if (placed)
          spdlog::info("cart: checkout {} placed order {}", id, placed->order_id);
        return placed;
      });
  }
  auto nothing_pending = make_error(errc::conflict,
                                    "no pending checkout " + req.checkout_id
                                      + ": nothing was ordered (prepare the checkout first)");
  if (req.checkout_id.empty())
    return nothing_pending;
  // A repeated confirmation (a retry, or a restart in between) gets the order placed first.
  return answer_from_store<protocol::order>(
    self, req.env.trace_id,
    [who = *who, id = req.checkout_id](stores::cart_store& store) {
      return store.find_order(who, id);
    },
    [nothing_pending](caf::expected<std::optional<protocol::order>> earlier)
      -> caf::expected<protocol::order> {
      if (!earlier)
        return std::move(earlier.error());
      if (*earlier)
        return std::move(**earlier);
      return nothing_pending;
    });
}

caf::result<protocol::cart_view> on_cancel(cart_actor* self,
                                           const protocol::checkout_cancel& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  auto i = self->state.checkouts.find(*who);
  if (i != self->state.checkouts.end()) {
    auto& slot = i->second;
    // An empty id cancels whatever is pending: "no" needs no id to be understood. It also
    // voids a prepare still reading the store, which would otherwise come back pending.
    if (req.checkout_id.empty())
      slot.latest = ++self->state.next_seq;
    if (slot.pending && (req.checkout_id.empty() || slot.pending->checkout_id == req.checkout_id))
      slot.pending.reset();
    settle(self, *who);
  }
  return answer_from_store<protocol::cart_view>(
    self, req.env.trace_id,
    [who = *who](stores::cart_store& store) { return store.get_cart(who); },
    cart_answer(self, *who));
}

caf::result<protocol::order_history> on_list_orders(cart_actor* self,
                                                    const protocol::order_list_request& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  return answer_from_store<protocol::order_history>(
    self, req.env.trace_id,
    [who = *who](stores::cart_store& store) { return store.list_orders(who); },
    [](caf::expected<std::vector<protocol::order>> orders)
      -> caf::expected<protocol::order_history> {
      if (!orders)
        return std::move(orders.error());
      return protocol::order_history{std::move(*orders)};
    });
}

caf::behavior cart_agent(cart_actor* self, stores::store_handle<stores::cart_store> store,
                         const runtime::resilience_context* ctx, cart_agent_options options) {
  self->state.store = std::move(store);
  self->state.options = std::move(options);
  self->state.caller = std::make_unique<runtime::resilient_caller>(*ctx);
  self->state.caller->install(self);
  return {
    [self](const protocol::cart_add& req) { return on_add(self, req); },
    [self](const protocol::cart_set_quantity& req) { return on_set_quantity(self, req); },
    [self](const protocol::cart_remove& req) { return on_remove(self, req); },
    [self](const protocol::cart_get& req) { return on_get(self, req); },
    [self](const protocol::checkout_prepare& req) { return on_prepare(self, req); },
    [self](const protocol::checkout_confirm& req) { return on_confirm(self, req); },
    [self](const protocol::checkout_cancel& req) { return on_cancel(self, req); },
    [self](const protocol::order_list_request& req) { return on_list_orders(self, req); },
    store_continuation_handler(),
  };
}

}  // namespace

caf::actor spawn_cart_agent(caf::actor_system& sys,
                            stores::store_handle<stores::cart_store> store,
                            const runtime::resilience_context& ctx, cart_agent_options options) {
  if (!store.executor)
    store.executor = stores::inline_executor();
  return sys.spawn(cart_agent, std::move(store), &ctx, std::move(options));
}

}  // namespace cartmate::actors
