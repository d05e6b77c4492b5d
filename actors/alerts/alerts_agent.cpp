// alerts_agent.cpp — alert requests, triggers and delivery. Every store call goes through
// with_store: inline for the memory stores, on the store's executor otherwise, with the rest of
// the handler continuing in the actor. A trigger evaluates and fires every matching alert in
// one store job (each fire is the store's atomic "mark fired + outbox row"); only what that job
// fired is published, so a repeated event publishes nothing new.
#include "actors/alerts/alerts_agent.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include "actors/alerts/alert_rules.hpp"
#include "actors/common/store_call.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "runtime/logging.hpp"
#include "runtime/resilient_caller.hpp"

namespace cartmate::actors::alerts {

namespace {

using protocol::errc;
using protocol::make_error;

using recheck_atom = caf::atom_constant<caf::atom("alrecheck")>;

struct alerts_state {
  alerts_agent_deps deps;
  std::unique_ptr<runtime::resilient_caller> caller;
  std::string recheck_cursor;        // the last product asked about; the next round goes on after it
  size_t rechecks_in_flight = 0;

  static inline const char* name = "alerts";
};

using alerts_actor = caf::stateful_actor<alerts_state>;

/// A notification this agent fired, with the tenant it belongs to.
struct fired_notification {
  std::string tenant;
  protocol::notification_event event;
};

/// What one trigger job did: what fired, and the store error that stopped it, if any.
struct trigger_outcome {
  trigger_outcome() = default;
  trigger_outcome(caf::error err) : error(std::move(err)) {   // a job that threw
    // nop
  }

  std::vector<fired_notification> fired;
  caf::error error;
};

/// Calls `job(Store&)` where the handle's executor says; `then(result)` runs in the actor.
template <class Store, class Job, class Then>
void with_store(alerts_actor* self, const stores::store_handle<Store>& handle, Job job,
                Then then) {
  actors::with_store(self, handle, "alert store", std::move(job), std::move(then));
}

/// Answers a request from one store call (see actors::answer_from_store).
template <class T, class Store, class Job, class Finish>
caf::result<T> answer_from_store(alerts_actor* self, const stores::store_handle<Store>& handle,
                                 const std::string& trace_id, Job job, Finish finish) {
  return actors::answer_from_store<T>(self, handle, "alert store", trace_id, std::move(job),
                                      std::move(finish));
}

caf::expected<stores::user_key> owner_of(const protocol::envelope& env) {
  if (env.user.empty())
    return make_error(errc::invalid_argument, "the request names no user");
  return stores::user_key{env.tenant, env.user};
}

caf::expected<stores::user_key> writer_of(const protocol::envelope& env) {
  if (env.idempotency_key.empty())
    return make_error(errc::invalid_argument, "a new alert needs an idempotency key");
  return owner_of(env);
}

/// Fires every active alert on the product that `seen` triggers, in the store's thread.
trigger_outcome fire_matching(stores::alert_store& store, const price_observation& seen,
                              const std::string& currency, int64_t now_ms) {
  trigger_outcome out;
  auto watching = store.watching(seen.product_id);
  if (!watching) {
    out.error = std::move(watching.error());
    return out;
  }
  for (const auto& a : *watching) {
    auto text = trigger_text(a, seen, currency);
    if (!text)
      continue;
    protocol::notification_event n;
    n.notification_id = notification_id_for(a.alert.alert_id, seen.event_key);
    n.user = a.alert.user;
    n.product_id = a.alert.product_id;
    n.text = std::move(*text);
    n.created_ms = now_ms;
    auto fired = store.fire(a.tenant, a.alert.alert_id, n);
    if (!fired) {
      // What fired so far is in the outbox; a retried event fires the rest.
      out.error = std::move(fired.error());
      return out;
    }
    if (*fired)
      out.fired.push_back(fired_notification{a.tenant, std::move(n)});
  }
  return out;
}

/// Hands freshly fired notifications to the live paths; the outbox already has them.
void publish(alerts_actor* self, const std::vector<fired_notification>& fired) {
  auto& deps = self->state.deps;
  for (const auto& f : fired) {
    spdlog::info("alerts: fired {} for user {}", f.event.notification_id, f.event.user);
    if (deps.bus)
      if (auto err = deps.bus->publish(f.tenant, f.event.user, f.event))
        spdlog::warn("alerts: {} not published live ({}); it waits in the outbox",
                     f.event.notification_id, protocol::describe(err));
    if (!deps.webhooks)
      continue;
    auto url = deps.targets.url_for(f.tenant, f.event.user);
    if (url.empty())
      continue;
    if (auto err = deps.webhooks->send(url, f.event.notification_id,
                                       notify::webhook_body(f.tenant, f.event)))
      spdlog::warn("alerts: webhook for {} not queued ({})", f.event.notification_id,
                   protocol::describe(err));
  }
}

/// Evaluates `seen` against the alerts in the store, then publishes; `done` gets the outcome.
template <class Done>
void trigger(alerts_actor* self, price_observation seen, Done done) {
  with_store(self, self->state.deps.alerts,
             [seen, currency = self->state.deps.options.currency,
              now = runtime::wall_clock_ms()](stores::alert_store& store) {
               return fire_matching(store, seen, currency, now);
             },
             [self, done = std::move(done)](trigger_outcome out) mutable {
               publish(self, out.fired);
               done(std::move(out));
             });
}

caf::error explain_lookup_failure(const caf::error& err, const std::string& product_id) {
  if (protocol::errc_of(err) == errc::not_found)
    return make_error(errc::not_found, "no product " + product_id + " in the catalog");
  if (protocol::is_degradation(err))
    spdlog::warn("alerts: cannot look up product {} ({})", product_id, protocol::describe(err));
  return err;
}

/// Creates the alert once the catalog said what the product costs now.
void create_checked(alerts_actor* self, caf::typed_response_promise<protocol::alert> rp,
                    const protocol::envelope& env, stores::user_key who,
                    stores::alert_spec spec) {
  protocol::get_product_request lookup;
  lookup.env = env;
  lookup.env.idempotency_key.clear();   // a read: the key belongs to the alert
  lookup.product_id = spec.product_id;
  auto on_product = [self, rp, env, who = std::move(who),
                     spec = std::move(spec)](caf::expected<protocol::product> found) mutable {
    runtime::trace_scope trace{env.trace_id};
    if (!found) {
      rp.deliver(explain_lookup_failure(found.error(), spec.product_id));
      return;
    }
    spec.product_title = found->title;
    spec.reference_price_minor = found->price.minor;
    spec.created_ms = runtime::wall_clock_ms();
    auto limit = self->state.deps.options.max_alerts_per_user;
    with_store(self, self->state.deps.alerts,
               [who, key = env.idempotency_key, spec,
                limit](stores::alert_store& store) -> caf::expected<protocol::alert> {
                 auto mine = store.list(who);
                 if (!mine)
                   return std::move(mine.error());
                 auto active = std::count_if(mine->begin(), mine->end(),
                                             [](const protocol::alert& a) { return a.active; });
                 if (static_cast<size_t>(active) >= limit)
                   return make_error(errc::invalid_argument,
                                     "you already have " + std::to_string(active)
                                       + " alerts; delete one first");
                 return store.create(who, key, spec);
               },
               [rp, trace_id = env.trace_id](caf::expected<protocol::alert> made) mutable {
                 runtime::trace_scope trace{trace_id};
                 if (made)
                   spdlog::info("alerts: alert {} on {} set", made->alert_id, made->product_id);
                 deliver(rp, std::move(made));
               });
  };
  self->state.caller->request(self, std::move(lookup), std::move(on_product));
}

caf::result<protocol::alert> on_create(alerts_actor* self, const protocol::alert_create& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = writer_of(req.env);
  if (!who)
    return std::move(who.error());
  if (auto err = check_alert_request(req))
    return err;
  stores::alert_spec spec;
  spec.product_id = req.product_id;
  spec.condition = req.condition;
  spec.threshold = req.condition == protocol::alert_condition::back_in_stock ? 0 : req.threshold;
  auto rp = self->make_response_promise<protocol::alert>();
  // A create seen before gets its alert back, so a retry never depends on the catalog.
  with_store(self, self->state.deps.alerts,
             [who = *who, key = req.env.idempotency_key, spec](stores::alert_store& store) {
               return store.find_created(who, key, spec);
             },
             [self, rp, env = req.env, who = *who,
              spec](caf::expected<std::optional<protocol::alert>> earlier) mutable {
               runtime::trace_scope trace{env.trace_id};
               if (!earlier)
                 rp.deliver(std::move(earlier.error()));
               else if (*earlier)
                 rp.deliver(std::move(**earlier));
               else
                 create_checked(self, std::move(rp), env, std::move(who), std::move(spec));
             });
  return rp;
}

caf::result<protocol::alert_list> on_list(alerts_actor* self,
                                          const protocol::alert_list_request& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  return answer_from_store<protocol::alert_list>(
    self, self->state.deps.alerts, req.env.trace_id,
    [who = *who](stores::alert_store& store) { return store.list(who); },
    [](caf::expected<std::vector<protocol::alert>> alerts)
      -> caf::expected<protocol::alert_list> {
      if (!alerts)
        return std::move(alerts.error());
      return protocol::alert_list{std::move(*alerts)};
    });
}

caf::result<protocol::ack> on_delete(alerts_actor* self, const protocol::alert_delete& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  if (req.alert_id.empty())
    return make_error(errc::invalid_argument, "which alert should I delete?");
  return answer_from_store<protocol::ack>(
    self, self->state.deps.alerts, req.env.trace_id,
    [who = *who, id = req.alert_id](stores::alert_store& store) { return store.remove(who, id); },
    [id = req.alert_id](caf::error err) -> caf::expected<protocol::ack> {
      if (err)
        return err;
      return protocol::ack{"deleted " + id};
    });
}

caf::result<protocol::ack> on_ack(alerts_actor* self, const protocol::notification_ack& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  if (req.notification_id.empty())
    return make_error(errc::invalid_argument, "which notification was shown?");
  return answer_from_store<protocol::ack>(
    self, self->state.deps.outbox, req.env.trace_id,
    [who = *who, id = req.notification_id](stores::outbox_store& store) {
      return store.acknowledge(who, id);
    },
    [id = req.notification_id](caf::error err) -> caf::expected<protocol::ack> {
      if (err)
        return err;
      return protocol::ack{"delivered " + id};
    });
}

caf::result<protocol::notification_list> on_pending(alerts_actor* self,
                                                    const protocol::notification_pending& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  return answer_from_store<protocol::notification_list>(
    self, self->state.deps.outbox, req.env.trace_id,
    [who = *who](stores::outbox_store& store) { return store.pending(who); },
    [](caf::expected<std::vector<protocol::notification_event>> pending)
      -> caf::expected<protocol::notification_list> {
      if (!pending)
        return std::move(pending.error());
      return protocol::notification_list{std::move(*pending)};
    });
}

caf::result<protocol::ack> on_price_event(alerts_actor* self, const protocol::price_event& req) {
  runtime::trace_scope trace{req.env.trace_id};
  if (req.product_id.empty())
    return make_error(errc::invalid_argument, "a price event needs a product");
  auto seen = observe(req, self->state.deps.options.currency);
  if (!seen.price_minor && !req.currency.empty())
    spdlog::warn("alerts: price event for {} in {} ignored for price alerts (catalog is {})",
                 req.product_id, req.currency, self->state.deps.options.currency);
  auto rp = self->make_response_promise<protocol::ack>();
  trigger(self, std::move(seen), [rp, trace_id = req.env.trace_id](trigger_outcome out) mutable {
    runtime::trace_scope trace{trace_id};
    if (out.error && out.fired.empty()) {
      rp.deliver(std::move(out.error));
      return;
    }
    if (out.error)
      spdlog::warn("alerts: price event stopped after {} notification(s): {}", out.fired.size(),
                   protocol::describe(out.error));
    rp.deliver(protocol::ack{std::to_string(out.fired.size()) + " notification(s)"});
  });
  return rp;
}

// -- periodic re-checks ---------------------------------------------------------------------------

/// The next `batch` products after the cursor, wrapping around.
std::vector<std::string> next_batch(const std::vector<std::string>& products,
                                    const std::string& cursor, size_t batch) {
  std::vector<std::string> out;
  auto start = std::upper_bound(products.begin(), products.end(), cursor);
  for (auto i = start; i != products.end() && out.size() < batch; ++i)
    out.push_back(*i);
  for (auto i = products.begin(); i != start && out.size() < batch; ++i)
    out.push_back(*i);
  return out;
}

void recheck_product(alerts_actor* self, const std::string& product_id) {
  protocol::price_compare req;
  req.env.trace_id = runtime::new_trace_id();
  req.product_id = product_id;
  ++self->state.rechecks_in_flight;
  self->state.caller->request(
    self, std::move(req), [self, product_id](caf::expected<protocol::price_comparison> c) {
      --self->state.rechecks_in_flight;
      if (!c) {
        spdlog::debug("alerts: re-check of {} failed ({})", product_id,
                      protocol::describe(c.error()));
        return;
      }
      trigger(self, observe(*c), [product_id](trigger_outcome out) {
        if (out.error)
          spdlog::warn("alerts: re-check of {} could not fire alerts: {}", product_id,
                       protocol::describe(out.error));
      });
    });
}

void on_recheck(alerts_actor* self) {
  auto interval = self->state.deps.options.recheck_interval;
  self->delayed_send(self, interval, recheck_atom::value);
  if (self->state.rechecks_in_flight > 0)
    return;   // the last round is still waiting for price comparisons
  with_store(self, self->state.deps.alerts,
             [](stores::alert_store& store) { return store.watched_products(); },
             [self](caf::expected<std::vector<std::string>> products) {
               if (!products) {
                 spdlog::warn("alerts: cannot list watched products ({})",
                              protocol::describe(products.error()));
                 return;
               }
               auto batch = next_batch(*products, self->state.recheck_cursor,
                                       std::max<size_t>(self->state.deps.options.recheck_batch, 1));
               if (batch.empty())
                 return;
               self->state.recheck_cursor = batch.back();
               for (const auto& id : batch)
                 recheck_product(self, id);
             });
}

caf::behavior alerts_agent(alerts_actor* self, alerts_agent_deps deps) {
  self->state.deps = std::move(deps);
  self->state.caller = std::make_unique<runtime::resilient_caller>(*self->state.deps.resilience);
  self->state.caller->install(self);
  if (self->state.deps.options.recheck_interval.count() > 0)
    self->delayed_send(self, self->state.deps.options.recheck_interval, recheck_atom::value);
  return {
    [self](const protocol::alert_create& req) { return on_create(self, req); },
    [self](const protocol::alert_list_request& req) { return on_list(self, req); },
    [self](const protocol::alert_delete& req) { return on_delete(self, req); },
    [self](const protocol::notification_ack& req) { return on_ack(self, req); },
    [self](const protocol::notification_pending& req) { return on_pending(self, req); },
    [self](const protocol::price_event& req) { return on_price_event(self, req); },
    [self](recheck_atom) { on_recheck(self); },
    store_continuation_handler(),
  };
}

}  // namespace

caf::actor spawn_alerts_agent(caf::actor_system& sys, alerts_agent_deps deps) {
  if (!deps.alerts.executor)
    deps.alerts.executor = stores::inline_executor();
  if (!deps.outbox.executor)
    deps.outbox.executor = stores::inline_executor();
  return sys.spawn(alerts_agent, std::move(deps));
}

}  // namespace cartmate::actors::alerts
