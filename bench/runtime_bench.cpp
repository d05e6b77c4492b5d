// runtime_bench.cpp — cost of the resilient path: raw CAF request/response between two actors
// vs. the same exchange through the agent directory and the resilient caller (breaker,
// counters, deadline, monitor). Each iteration is a batch of sequential round trips.
#include <algorithm>
#include <cstdlib>
#include <future>
#include <memory>

#include <benchmark/benchmark.h>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "protocol/cart_messages.hpp"
#include "protocol/type_registry.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilient_caller.hpp"
#include "runtime/timer_service.hpp"

// Completion signals from the actors to the benchmark thread; local only, never serialized.
using done_signal = std::shared_ptr<std::promise<void>>;
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(done_signal)

namespace {

using namespace cartmate;
constexpr int batch = 1000;

struct bench_config : caf::actor_system_config {
  bench_config() {
    protocol::register_protocol_types(*this);
    set("logger.console", caf::atom("none"));
    // CAF's default worker count, as a node with the default scheduler.threads = 0 runs;
    // CARTMATE_BENCH_THREADS=N sets N workers to study scheduling effects.
    if (const char* env = std::getenv("CARTMATE_BENCH_THREADS"))
      set("scheduler.max-threads", static_cast<size_t>(std::max(1, std::atoi(env))));
  }
};

caf::behavior cart_echo(caf::event_based_actor*) {
  return {[](const protocol::cart_get& req) {
    protocol::cart_view view;
    view.user = req.env.user;
    return view;
  }};
}

struct pinger_state {
  std::unique_ptr<runtime::resilient_caller> caller;
  static inline const char* name = "pinger";
};

using pinger = caf::stateful_actor<pinger_state>;

void raw_loop(pinger* self, caf::actor target, int left, done_signal done) {
  if (left == 0) {
    done->set_value();
    return;
  }
  protocol::cart_get req;
  req.env.user = "bench";
  self->request(target, std::chrono::seconds(1), req)
    .then([=](const protocol::cart_view&) { raw_loop(self, target, left - 1, done); },
          [=](caf::error&) { raw_loop(self, target, left - 1, done); });
}

void resilient_loop(pinger* self, int left, done_signal done) {
  if (left == 0) {
    done->set_value();
    return;
  }
  protocol::cart_get req;
  req.env.user = "bench";
  self->state.caller->request(
    self, req, [=](caf::expected<protocol::cart_view>) { resilient_loop(self, left - 1, done); },
    "bench");
}

using raw_atom = caf::atom_constant<caf::atom("raw")>;
using res_atom = caf::atom_constant<caf::atom("resilient")>;

caf::behavior pinger_actor(pinger* self, const runtime::resilience_context* ctx, caf::actor target) {
  self->state.caller = std::make_unique<runtime::resilient_caller>(*ctx);
  self->state.caller->install(self);
  return {
    [self, target](raw_atom, int n, done_signal done) { raw_loop(self, target, n, done); },
    [self](res_atom, int n, done_signal done) { resilient_loop(self, n, done); },
  };
}

struct bench_world {
  bench_config cfg;
  caf::actor_system sys{cfg};
  runtime::metrics_registry metrics;
  runtime::agent_directory directory;
  runtime::breaker_registry breakers{runtime::breaker_settings{}};
  caf::actor timer = runtime::spawn_timer_service(sys);
  runtime::resilience_context ctx{directory, breakers, metrics, timer, runtime::call_policy{}};
  caf::actor echo = sys.spawn(cart_echo);
  caf::actor ping = sys.spawn(pinger_actor, &ctx, echo);

  bench_world() {
    directory.add(protocol::agent_kind::cart, runtime::agent_replica{echo, "bench", true});
  }

  ~bench_world() {
    directory.clear();
    for (auto& a : {ping, echo, timer})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  template <class Atom>
  void run_batch() {
    auto done = std::make_shared<std::promise<void>>();
    auto f = done->get_future();
    caf::anon_send(ping, Atom::value, batch, done);
    f.wait();
  }
};

void BM_raw_request_response(benchmark::State& state) {
  bench_world w;
  for (auto _ : state)
    w.run_batch<raw_atom>();
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_directory_resilient_request(benchmark::State& state) {
  bench_world w;
  for (auto _ : state)
    w.run_batch<res_atom>();
  state.SetItemsProcessed(state.iterations() * batch);
}

BENCHMARK(BM_raw_request_response)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_directory_resilient_request)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
