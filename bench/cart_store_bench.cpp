// cart_store_bench.cpp — cart add and view on the memory store vs. PostgreSQL: direct store calls
// (one thread, one call at a time) and requests to the cart agent (memory inline, PostgreSQL on
// a pg_pool through pg_executor) with 1 or 8 requests in flight. Reports throughput and the
// median / p99 latency of single operations. PostgreSQL comes from the test harness (a throwaway
// server, as the pg tests start) unless CARTMATE_BENCH_PG names a conninfo; without either the
// PostgreSQL cases are skipped. Not part of ctest.
// Threading: the benchmark thread drives; agent requests come from a driver actor.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/cart/cart_agent.hpp"
#include "adapters/stores/memory_cart_store.hpp"
#include "adapters/stores/postgres/migrations.hpp"
#include "adapters/stores/postgres/pg_cart_store.hpp"
#include "adapters/stores/postgres/pg_executor.hpp"
#include "adapters/stores/postgres/pg_pool.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/type_registry.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilience_context.hpp"
#include "runtime/resilient_caller.hpp"
#include "runtime/timer_service.hpp"
#include "tests/pg/pg_test_server.hpp"

namespace {

using namespace cartmate;
using namespace std::chrono_literals;
using bench_clock = std::chrono::steady_clock;

/// What one batch of agent requests measured; filled by the driver actor.
struct batch_result {
  std::vector<double> latencies_us;
  int errors = 0;
};

}  // namespace

// Completion signal from the driver actor to the benchmark thread; local only.
using batch_signal = std::shared_ptr<std::promise<batch_result>>;
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(batch_signal)

namespace {

constexpr int products = 16;        // p0..p15 in the bench catalog
constexpr int adds_per_user = 64;   // keeps carts small: at most 16 lines of 4 units
constexpr int view_lines = 8;       // lines in the cart that view reads
constexpr int agent_batch = 256;    // agent requests per benchmark iteration

enum backend : int64_t { memory = 0, postgres = 1 };

/// Unique across the process, so no add ever replays another's idempotency key.
std::atomic<int64_t> next_write{0};

stores::line_facts facts_of(int product) {
  stores::line_facts f;
  f.title = "Product " + std::to_string(product);
  f.unit_price = protocol::money{1000 + product, "INR"};
  f.stock = 1000000;
  return f;
}

/// A migrated database: $CARTMATE_BENCH_PG, else a fresh one on the harness's server; "" with
/// *why when neither works.
const std::string& pg_conninfo(std::string* why) {
  static std::string conninfo;
  static std::string failure;
  static bool tried = false;
  if (!tried) {
    tried = true;
    if (const char* env = std::getenv("CARTMATE_BENCH_PG"); env && *env)
      conninfo = env;
    else if (testing::pg_test_server::find_bin_dir().empty())
      failure = testing::pg_test_server::missing_binaries_message();
    else
      conninfo = testing::fresh_database(&failure);
    if (!conninfo.empty()) {
      stores::pg::pg_options opts;
      opts.conninfo = conninfo;
      stores::pg::pg_connection conn{opts};
      auto migrations = stores::pg::embedded_migrations();
      caf::error err = migrations ? caf::error{} : migrations.error();
      if (migrations)
        if (auto applied = stores::pg::apply_migrations(conn, *migrations); !applied)
          err = applied.error();
      if (err) {
        failure = "migrations failed: " + protocol::describe(err);
        conninfo.clear();
      }
    }
  }
  *why = failure;
  return conninfo;
}

stores::pg::pg_options pg_options_for(const std::string& conninfo) {
  stores::pg::pg_options opts;
  opts.conninfo = conninfo;
  return opts;
}

/// The store of `b`, or nullptr with the benchmark skipped.
std::shared_ptr<stores::cart_store> make_store(benchmark::State& state, int64_t b) {
  if (b == memory)
    return std::make_shared<stores::memory_cart_store>();
  std::string why;
  const auto& conninfo = pg_conninfo(&why);
  if (conninfo.empty()) {
    state.SkipWithError(("no PostgreSQL: " + why).c_str());
    return nullptr;
  }
  return std::make_shared<stores::pg::pg_cart_store>(pg_options_for(conninfo), 2);
}

stores::user_key writer_for(int64_t n, const std::string& prefix) {
  return stores::user_key{"bench", prefix + std::to_string(n / adds_per_user)};
}

void report_latency(benchmark::State& state, std::vector<double>& us) {
  if (us.empty())
    return;
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

/// Fills the cart that the view benchmarks read.
bool fill_view_cart(stores::cart_store& store, const stores::user_key& who) {
  auto cart = store.get_cart(who);
  if (cart && !cart->lines.empty())
    return true;   // filled by an earlier run on this database
  for (int p = 0; p < view_lines; ++p) {
    stores::cart_op op{stores::cart_op_kind::add, "p" + std::to_string(p), 1};
    if (!store.apply_write(who, "fill-" + std::to_string(p), op, facts_of(p)))
      return false;
  }
  return true;
}

// --- direct store calls ------------------------------------------------------------------------

void BM_store_add(benchmark::State& state) {
  auto store = make_store(state, state.range(0));
  if (!store)
    return;
  std::vector<double> us;
  int errors = 0;
  for (auto _ : state) {
    auto n = next_write++;
    auto who = writer_for(n, "direct-");
    auto product = static_cast<int>(n % products);
    stores::cart_op op{stores::cart_op_kind::add, "p" + std::to_string(product), 1};
    auto t0 = bench_clock::now();
    auto cart = store->apply_write(who, "w" + std::to_string(n), op, facts_of(product));
    us.push_back(std::chrono::duration<double, std::micro>(bench_clock::now() - t0).count());
    errors += cart ? 0 : 1;
    benchmark::DoNotOptimize(cart);
  }
  state.SetLabel(state.range(0) == memory ? "memory" : "postgres");
  state.SetItemsProcessed(state.iterations());
  state.counters["errors"] = errors;
  report_latency(state, us);
}

void BM_store_view(benchmark::State& state) {
  auto store = make_store(state, state.range(0));
  if (!store)
    return;
  stores::user_key who{"bench", "direct-viewer"};
  if (!fill_view_cart(*store, who)) {
    state.SkipWithError("cannot fill the cart to view");
    return;
  }
  std::vector<double> us;
  int errors = 0;
  for (auto _ : state) {
    auto t0 = bench_clock::now();
    auto cart = store->get_cart(who);
    us.push_back(std::chrono::duration<double, std::micro>(bench_clock::now() - t0).count());
    errors += cart && cart->lines.size() == view_lines ? 0 : 1;
    benchmark::DoNotOptimize(cart);
  }
  state.SetLabel(state.range(0) == memory ? "memory" : "postgres");
  state.SetItemsProcessed(state.iterations());
  state.counters["errors"] = errors;
  report_latency(state, us);
}

// --- through the cart agent --------------------------------------------------------------------

struct bench_config : caf::actor_system_config {
  bench_config() {
    protocol::register_protocol_types(*this);
    set("logger.console", caf::atom("none"));
    if (const char* env = std::getenv("CARTMATE_BENCH_THREADS"))
      set("scheduler.max-threads", static_cast<size_t>(std::max(1, std::atoi(env))));
  }
};

caf::behavior bench_discovery(caf::event_based_actor*) {
  return {
    [](const protocol::get_product_request& req) -> caf::result<protocol::product> {
      protocol::product p;
      p.id = req.product_id;
      auto n = std::atoi(req.product_id.c_str() + 1);
      auto facts = facts_of(n);
      p.title = facts.title;
      p.price = facts.unit_price;
      p.stock = facts.stock;
      return p;
    },
  };
}

/// Keeps `concurrency` requests made by `make(n)` in flight until `total` are answered.
template <class MakeRequest>
caf::behavior batch_driver(caf::event_based_actor* self, caf::actor agent, MakeRequest make,
                           int total, int concurrency, batch_signal done) {
  struct progress {
    int issued = 0;
    int answered = 0;
    batch_result result;
  };
  auto p = std::make_shared<progress>();
  p->result.latencies_us.reserve(static_cast<size_t>(total));
  auto issue = std::make_shared<std::function<void()>>();
  *issue = [self, agent, make, total, done, p, issue] {
    using response = protocol::response_t<decltype(make())>;
    if (p->issued == total)
      return;
    ++p->issued;
    auto t0 = bench_clock::now();
    auto finish = [self, total, done, p, issue, t0](bool ok) {
      p->result.latencies_us.push_back(
        std::chrono::duration<double, std::micro>(bench_clock::now() - t0).count());
      p->result.errors += ok ? 0 : 1;
      if (++p->answered == total) {
        done->set_value(std::move(p->result));
        *issue = nullptr;   // breaks the cycle issue -> closure -> issue
        self->quit();
        return;
      }
      (*issue)();
    };
    self->request(agent, 30s, make())
      .then([finish](response&) { finish(true); }, [finish](caf::error&) { finish(false); });
  };
  for (int i = 0; i < std::min(concurrency, total); ++i)
    (*issue)();
  return {[](const std::string&) {
    // nop: the driver only waits for answers
  }};
}

struct agent_world {
  bench_config cfg;
  caf::actor_system sys{cfg};
  runtime::metrics_registry metrics;
  runtime::agent_directory directory;
  runtime::breaker_registry breakers{runtime::breaker_settings{1000, 1s}};
  caf::actor timer = runtime::spawn_timer_service(sys);
  std::unique_ptr<runtime::resilience_context> ctx;
  caf::actor discovery = sys.spawn(bench_discovery);
  std::shared_ptr<stores::pg::pg_pool> pool;   // drained before the system goes
  std::shared_ptr<stores::cart_store> store;
  caf::actor agent;

  agent_world(benchmark::State& state, int64_t b, size_t pool_workers) {
    runtime::call_policy policy;
    policy.attempt_timeout = 10s;
    policy.default_deadline = 30s;
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer,
                                                        policy);
    directory.add(protocol::agent_kind::product_discovery,
                  runtime::agent_replica{discovery, "bench", true});
    store = make_store(state, b);
    if (!store)
      return;
    stores::store_handle<stores::cart_store> handle{store};
    if (b == postgres) {
      std::string why;
      pool = std::make_shared<stores::pg::pg_pool>(pg_options_for(pg_conninfo(&why)),
                                                   pool_workers);
      handle.executor = std::make_shared<stores::pg::pg_executor>(pool);
    }
    agent = actors::spawn_cart_agent(sys, handle, *ctx);
  }

  ~agent_world() {
    caf::scoped_actor self{sys};
    for (auto* a : {&agent, &discovery, &timer}) {
      if (*a) {
        self->send_exit(*a, caf::exit_reason::user_shutdown);
        self->wait_for(*a);
      }
    }
    directory.clear();
    pool.reset();
  }

  template <class MakeRequest>
  batch_result run_batch(MakeRequest make, int concurrency) {
    auto done = std::make_shared<std::promise<batch_result>>();
    auto f = done->get_future();
    sys.spawn(batch_driver<MakeRequest>, agent, make, agent_batch, concurrency, done);
    return f.get();
  }
};

protocol::envelope bench_envelope(const std::string& user, std::string key = {}) {
  protocol::envelope e;
  e.tenant = "bench";
  e.user = user;
  e.trace_id = "bench";
  e.idempotency_key = std::move(key);
  return e;
}

template <class MakeRequest>
void run_agent_bench(benchmark::State& state, agent_world& w, MakeRequest make) {
  std::vector<double> us;
  int errors = 0;
  for (auto _ : state) {
    auto r = w.run_batch(make, static_cast<int>(state.range(1)));
    us.insert(us.end(), r.latencies_us.begin(), r.latencies_us.end());
    errors += r.errors;
  }
  state.SetLabel(std::string{state.range(0) == memory ? "memory" : "postgres"} + " inflight="
                 + std::to_string(state.range(1)));
  state.SetItemsProcessed(state.iterations() * agent_batch);
  state.counters["errors"] = errors;
  report_latency(state, us);
}

void BM_agent_add(benchmark::State& state) {
  agent_world w{state, state.range(0), 2};
  if (!w.agent)
    return;
  run_agent_bench(state, w, [] {
    auto n = next_write++;
    auto who = writer_for(n, "agent-");
    return protocol::cart_add{bench_envelope(who.user, "a" + std::to_string(n)),
                              "p" + std::to_string(n % products), 1};
  });
}

void BM_agent_view(benchmark::State& state) {
  agent_world w{state, state.range(0), 2};
  if (!w.agent)
    return;
  if (!fill_view_cart(*w.store, stores::user_key{"bench", "agent-viewer"})) {
    state.SkipWithError("cannot fill the cart to view");
    return;
  }
  run_agent_bench(state, w, [] { return protocol::cart_get{bench_envelope("agent-viewer")}; });
}

BENCHMARK(BM_store_add)->Arg(memory)->Arg(postgres)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_store_view)->Arg(memory)->Arg(postgres)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_agent_add)
  ->Args({memory, 1})->Args({memory, 8})->Args({postgres, 1})->Args({postgres, 8})
  ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_agent_view)
  ->Args({memory, 1})->Args({memory, 8})->Args({postgres, 1})->Args({postgres, 8})
  ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
