// replay_driver.cpp — the driver actor: one turn in flight at a time, events collected until the
// turn's summary, then (only when an expectation needs it) the cart and order history fetched
// from the cart agent, then the checks.
#include "actors/replay/replay_driver.hpp"

#include <future>
#include <memory>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/replay/transcript.hpp"
#include "protocol/errors.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/logging.hpp"
#include "runtime/resilient_caller.hpp"

namespace cartmate::replay {

namespace {

using next_turn_atom = caf::atom_constant<caf::atom("replnext")>;
using steady = std::chrono::steady_clock;

struct driver_state {
  runtime::agent_directory* directory = nullptr;
  conversation_script script;
  replay_options options;
  std::function<void(replay_result)> done;
  replay_result result;
  size_t next = 0;                 // index of the next turn to send
  bool in_flight = false;
  turn_outcome outcome;
  steady::time_point sent_at;
  int64_t latency_us = 0;
  std::vector<protocol::product> previous_products;
  static inline const char* name = "replay_driver";
};

using driver_actor = caf::stateful_actor<driver_state>;

protocol::envelope make_envelope(driver_actor* self, uint64_t turn_id, int64_t deadline_ms) {
  auto& st = self->state;
  protocol::envelope env;
  env.tenant = st.script.tenant;
  env.user = st.options.user.empty() ? st.script.user : st.options.user;
  env.session = st.options.session;
  env.turn_id = turn_id;
  env.trace_id = runtime::new_trace_id();
  env.deadline_ms = deadline_ms;
  return env;
}

// Keeps the events of the turn the summary names; late events of an earlier turn are counted.
void keep_own_events(turn_outcome& o) {
  if (!o.summary)
    return;
  auto id = o.summary->turn_id;
  auto drop = [&](auto& events) {
    auto before = events.size();
    events.erase(std::remove_if(events.begin(), events.end(),
                                [id](const auto& e) { return e.turn_id != id; }),
                 events.end());
    o.foreign_events += before - events.size();
  };
  drop(o.products);
  drop(o.carts);
  drop(o.finals);
  drop(o.errors);
  drop(o.delegations);
  drop(o.comparisons);
}

void finish_turn(driver_actor* self) {
  auto& st = self->state;
  const auto& turn = st.script.turns[st.next - 1];
  turn_report report;
  report.line = turn.line;
  report.text = turn.text;
  report.completed = st.outcome.summary.has_value();
  report.latency_us = st.latency_us;
  report.shown = st.outcome.shown_products();
  if (st.options.check)
    report.checks = check_turn(turn.expect, st.outcome, st.previous_products);
  for (auto& c : report.checks)
    ++(c.passed ? st.result.checks_passed : st.result.checks_failed);
  if (st.options.transcript) {
    auto block = format_turn(st.next, turn, st.outcome, report.checks, st.latency_us,
                             st.options.style);
    if (st.options.on_output)
      st.options.on_output(block);
    st.result.transcript += block;
  }
  if (!report.shown.empty())
    st.previous_products = report.shown;
  st.result.turns.push_back(std::move(report));
  st.in_flight = false;
  self->send(self, next_turn_atom::value);
}

void fetch_orders(driver_actor* self) {
  auto& st = self->state;
  const auto& expect = st.script.turns[st.next - 1].expect;
  bool needed = st.options.check && expect.order_placed.value_or(false) && st.outcome.summary
                && !st.outcome.summary->order_id.empty();
  if (!needed)
    return finish_turn(self);
  auto env = make_envelope(self, 0, runtime::wall_clock_ms() + st.options.fetch_timeout.count());
  auto cart = st.directory->lookup(protocol::agent_kind::cart, env.user);
  if (!cart) {
    st.outcome.fetch_failure = protocol::describe(cart.error());
    return finish_turn(self);
  }
  self->request(*cart, st.options.fetch_timeout, protocol::order_list_request{env})
    .then(
      [self](protocol::order_history& h) {
        self->state.outcome.orders = std::move(h);
        finish_turn(self);
      },
      [self](caf::error& err) {
        self->state.outcome.fetch_failure = protocol::describe(err);
        finish_turn(self);
      });
}

void fetch_cart(driver_actor* self) {
  auto& st = self->state;
  const auto& expect = st.script.turns[st.next - 1].expect;
  bool needed = st.options.check && expect.cart && st.outcome.carts.empty() && st.outcome.summary;
  if (!needed)
    return fetch_orders(self);
  auto env = make_envelope(self, 0, runtime::wall_clock_ms() + st.options.fetch_timeout.count());
  auto cart = st.directory->lookup(protocol::agent_kind::cart, env.user);
  if (!cart) {
    st.outcome.fetch_failure = protocol::describe(cart.error());
    return fetch_orders(self);
  }
  self->request(*cart, st.options.fetch_timeout, protocol::cart_get{env})
    .then(
      [self](protocol::cart_view& v) {
        self->state.outcome.fetched_cart = std::move(v);
        fetch_orders(self);
      },
      [self](caf::error& err) {
        self->state.outcome.fetch_failure = protocol::describe(err);
        fetch_orders(self);
      });
}

void on_turn_end(driver_actor* self) {
  auto& st = self->state;
  st.latency_us =
    std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - st.sent_at).count();
  keep_own_events(st.outcome);
  fetch_cart(self);
}

void send_turn(driver_actor* self) {
  auto& st = self->state;
  if (st.next >= st.script.turns.size()) {
    auto done = std::move(st.done);
    st.done = nullptr;
    if (st.options.transcript)
      st.result.transcript += summary_line(st.result) + "\n";
    if (done)
      done(std::move(st.result));
    self->quit();
    return;
  }
  const auto& turn = st.script.turns[st.next];
  auto turn_id = st.options.first_turn_id + st.next;
  ++st.next;
  st.outcome = turn_outcome{};
  st.in_flight = true;
  st.sent_at = steady::now();
  protocol::user_turn req;
  req.env = make_envelope(self, turn_id,
                          runtime::wall_clock_ms() + st.options.turn_deadline.count());
  runtime::trace_scope trace{req.env.trace_id};
  req.input = turn.input;
  req.text = turn.text;
  req.product_ref = turn.product_ref;
  req.image = turn.image;
  auto orchestrator = st.directory->lookup(protocol::agent_kind::orchestrator, req.env.session);
  if (!orchestrator) {
    st.outcome.failure = orchestrator.error();
    return on_turn_end(self);
  }
  self->request(*orchestrator, st.options.turn_deadline + st.options.reply_margin, std::move(req))
    .then(
      [self](protocol::turn_summary& s) {
        self->state.outcome.summary = std::move(s);
        on_turn_end(self);
      },
      [self](caf::error& err) {
        self->state.outcome.failure = std::move(err);
        on_turn_end(self);
      });
}

// Events are only collected while a turn is in flight; any other one is a stray and dropped.
template <class Event>
auto collect(driver_actor* self, std::vector<Event> turn_outcome::*field) {
  return [self, field](Event& e) {
    if (self->state.in_flight)
      (self->state.outcome.*field).push_back(std::move(e));
  };
}

caf::behavior replay_driver(driver_actor* self, runtime::agent_directory* directory,
                            std::shared_ptr<conversation_script> script, replay_options options,
                            std::function<void(replay_result)> done) {
  auto& st = self->state;
  st.directory = directory;
  st.script = std::move(*script);
  st.options = std::move(options);
  st.done = std::move(done);
  st.result.script = st.script.name;
  st.result.file = st.script.file;
  if (st.options.session.empty())
    st.options.session = st.script.name + "-" + runtime::new_trace_id().substr(0, 8);
  if (st.options.transcript && st.options.header) {
    auto header = "== conversation " + st.script.name + " (" + st.script.file + ")\n";
    if (st.options.on_output)
      st.options.on_output(header);
    st.result.transcript += header;
  }
  self->set_default_handler(caf::drop);
  self->send(self, next_turn_atom::value);
  return {
    [self](next_turn_atom) { send_turn(self); },
    collect(self, &turn_outcome::products),
    collect(self, &turn_outcome::carts),
    collect(self, &turn_outcome::finals),
    collect(self, &turn_outcome::errors),
    collect(self, &turn_outcome::delegations),
    collect(self, &turn_outcome::comparisons),
    [](protocol::thinking_event&) {
      // nop: progress only
    },
    [](protocol::partial_event&) {
      // nop: the final event carries the whole reply
    },
    [](protocol::notification_event&) {
      // nop: no expectation covers notifications yet
    },
  };
}

}  // namespace

std::string summary_line(const replay_result& r) {
  auto total = r.checks_passed + r.checks_failed;
  return "== " + r.script + ": " + (r.passed() ? "PASS" : "FAIL") + " ("
         + std::to_string(r.checks_passed) + "/" + std::to_string(total) + " checks passed, "
         + std::to_string(r.turns.size()) + " turns)";
}

caf::actor spawn_replay_driver(caf::actor_system& sys, runtime::agent_directory& directory,
                               conversation_script script, replay_options options,
                               std::function<void(replay_result)> done) {
  // The behaviour factory's arguments are copied; share the script instead of copying it twice.
  auto shared = std::make_shared<conversation_script>(std::move(script));
  return sys.spawn(replay_driver, &directory, std::move(shared), std::move(options),
                   std::move(done));
}

replay_result run_replay(caf::actor_system& sys, runtime::agent_directory& directory,
                         conversation_script script, replay_options options) {
  auto promise = std::make_shared<std::promise<replay_result>>();
  auto future = promise->get_future();
  spawn_replay_driver(sys, directory, std::move(script), std::move(options),
                      [promise](replay_result r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace cartmate::replay
