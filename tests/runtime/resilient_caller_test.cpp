// resilient_caller_test.cpp — retries only for repeatable requests, growing backoff, deadlines,
// the circuit breaker, fail-fast on a dead target, and degraded answers from a crashing agent.
#include "runtime/resilient_caller.hpp"

#include <optional>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "protocol/errors.hpp"
#include "runtime/supervisor.hpp"
#include "tests/runtime/caf_test_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::errc;

struct outcome {
  caf::expected<std::string> result{caf::error{}};
  caf::actor_clock::time_point at;
};

struct client_state {
  std::unique_ptr<runtime::resilient_caller> caller;
  static inline const char* name = "test_client";
};

// An actor that makes one resilient request per message it gets and records the outcome.
caf::behavior client(caf::stateful_actor<client_state>* self, const runtime::resilience_context* ctx,
                     std::shared_ptr<std::vector<outcome>> outcomes) {
  self->state.caller = std::make_unique<runtime::resilient_caller>(*ctx);
  self->state.caller->install(self);
  auto record = [self, outcomes](auto result) {
    outcome o;
    o.at = self->clock().now();
    if (result)
      o.result = std::string{"answered"};
    else
      o.result = std::move(result.error());
    outcomes->push_back(std::move(o));
  };
  return {
    [self, record](protocol::cart_get req) {
      self->state.caller->request(self, std::move(req), record, "user-1");
    },
    [self, record](protocol::style_signal req) {
      self->state.caller->request(self, std::move(req), record, "user-1");
    },
  };
}

struct resilient_caller_test : runtime_fixture {
  std::shared_ptr<agent_script> script = std::make_shared<agent_script>();
  std::shared_ptr<std::vector<outcome>> outcomes = std::make_shared<std::vector<outcome>>();
  runtime::call_policy policy;
  std::unique_ptr<runtime::resilience_context> ctx;
  caf::actor agent;
  caf::actor caller;

  void start(runtime::call_policy p) {
    policy = p;
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer, policy);
    agent = sys.spawn(scripted_agent, script);
    directory.add(protocol::agent_kind::cart, runtime::agent_replica{agent, "test", true});
    caller = sys.spawn(client, ctx.get(), outcomes);
    sched.run();
  }

  static runtime::call_policy default_policy() {
    runtime::call_policy p;
    p.attempt_timeout = 100ms;
    p.max_attempts = 3;
    p.backoff = runtime::backoff_policy{20ms, 400ms, 2.0, 0.0};
    p.default_deadline = 2000ms;
    return p;
  }

  void call_cart(int64_t deadline_from_now_ms = 0) {
    protocol::cart_get req;
    req.env.user = "user-1";
    if (deadline_from_now_ms > 0)
      req.env.deadline_ms = runtime::wall_clock_ms() + deadline_from_now_ms;
    caf::anon_send(caller, req);
  }

  void finish(size_t n) {
    run_until([&] { return outcomes->size() >= n; });
    ASSERT_EQ(outcomes->size(), n);
  }

  uint64_t counter(const char* name) {
    return metrics.counter_value(name, {{"agent", "cart"}});
  }

  ~resilient_caller_test() override {
    for (auto* a : {&agent, &caller})
      if (*a)
        caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    sched.run();
  }
};

TEST_F(resilient_caller_test, answers_on_first_attempt) {
  start(default_policy());
  auto t0 = now();
  call_cart();
  finish(1);
  ASSERT_TRUE(outcomes->at(0).result) << protocol::describe(outcomes->at(0).result.error());
  EXPECT_EQ(script->hits, 1);
  EXPECT_EQ(outcomes->at(0).at, t0);  // no timer was involved
  EXPECT_EQ(counter("cartmate_agent_request_attempts_total"), 1u);
}

TEST_F(resilient_caller_test, retries_repeatable_request_until_attempts_are_used_up) {
  start(default_policy());
  script->mode = agent_mode::silent;
  call_cart();
  finish(1);
  ASSERT_FALSE(outcomes->at(0).result);
  EXPECT_EQ(protocol::errc_of(outcomes->at(0).result.error()), errc::timeout);
  EXPECT_EQ(script->hits, 3);
  EXPECT_EQ(counter("cartmate_agent_request_retries_total"), 2u);
  EXPECT_EQ(counter("cartmate_agent_request_timeouts_total"), 3u);
}

TEST_F(resilient_caller_test, never_retries_a_request_that_is_not_repeatable) {
  start(default_policy());
  script->mode = agent_mode::silent;
  protocol::style_signal signal;
  signal.env.user = "user-1";
  // style_signal answers come from the style profiler kind: register the agent there too.
  directory.add(protocol::agent_kind::style_profiler, runtime::agent_replica{agent, "test", true});
  caf::anon_send(caller, signal);
  finish(1);
  ASSERT_FALSE(outcomes->at(0).result);
  EXPECT_EQ(protocol::errc_of(outcomes->at(0).result.error()), errc::timeout);
  EXPECT_EQ(script->hits, 1);
}

TEST_F(resilient_caller_test, backoff_between_attempts_grows) {
  // Three attempts (the fixture's breaker opens at the third failure, which would cut a
  // longer series short); the agent fails at once, so the gaps are pure backoff.
  start(default_policy());
  script->mode = agent_mode::fail;
  call_cart();
  finish(1);
  ASSERT_EQ(script->hit_times.size(), 3u);
  auto gap = [&](size_t i) { return script->hit_times[i + 1] - script->hit_times[i]; };
  EXPECT_EQ(gap(0), 20ms);
  EXPECT_EQ(gap(1), 40ms);
}

TEST_F(resilient_caller_test, backoff_delay_is_exponential_capped_and_jittered_within_bounds) {
  runtime::backoff_policy p{20ms, 100ms, 2.0, 0.0};
  EXPECT_EQ(runtime::backoff_delay(p, 1, 0.5), 20ms);
  EXPECT_EQ(runtime::backoff_delay(p, 2, 0.5), 40ms);
  EXPECT_EQ(runtime::backoff_delay(p, 3, 0.5), 80ms);
  EXPECT_EQ(runtime::backoff_delay(p, 4, 0.5), 100ms);
  EXPECT_EQ(runtime::backoff_delay(p, 30, 0.5), 100ms);
  p.jitter = 0.5;
  EXPECT_EQ(runtime::backoff_delay(p, 2, 0.0), 20ms);    // 40 - 50 %
  EXPECT_EQ(runtime::backoff_delay(p, 2, 0.999), 60ms);  // 40 + ~50 %
  EXPECT_EQ(runtime::backoff_delay(p, 3, 0.999), 100ms);  // never above the cap
}

TEST_F(resilient_caller_test, deadline_is_never_exceeded) {
  auto p = default_policy();
  p.attempt_timeout = 400ms;
  p.max_attempts = 10;
  start(p);
  script->mode = agent_mode::silent;
  auto t0 = now();
  call_cart(700);
  finish(1);
  ASSERT_FALSE(outcomes->at(0).result);
  EXPECT_EQ(protocol::errc_of(outcomes->at(0).result.error()), errc::timeout);
  EXPECT_LE(outcomes->at(0).at - t0, 700ms);
  EXPECT_EQ(script->hits, 2);   // 400 ms, backoff 20 ms, then the remaining ~280 ms
}

TEST_F(resilient_caller_test, breaker_opens_fails_fast_half_opens_and_closes) {
  auto p = default_policy();
  p.max_attempts = 1;
  start(p);
  script->mode = agent_mode::fail;
  for (int i = 0; i < 3; ++i)
    call_cart();
  finish(3);
  EXPECT_EQ(script->hits, 3);
  EXPECT_EQ(ctx->breaker(protocol::agent_kind::cart).state(), runtime::breaker_state::open);
  // Open: fails fast without reaching the agent.
  call_cart();
  finish(4);
  EXPECT_EQ(protocol::errc_of(outcomes->at(3).result.error()), errc::breaker_open);
  EXPECT_EQ(script->hits, 3);
  // After the reset timeout one trial goes through; a failed trial opens it again.
  sched.clock().advance_time(1000ms);
  call_cart();
  finish(5);
  EXPECT_EQ(script->hits, 4);
  EXPECT_EQ(ctx->breaker(protocol::agent_kind::cart).state(), runtime::breaker_state::open);
  // Next trial succeeds and closes it.
  sched.clock().advance_time(1000ms);
  script->mode = agent_mode::answer;
  call_cart();
  finish(6);
  EXPECT_TRUE(outcomes->at(5).result);
  EXPECT_EQ(ctx->breaker(protocol::agent_kind::cart).state(), runtime::breaker_state::closed);
  EXPECT_EQ(metrics.counter_value("cartmate_breaker_transitions_total",
                                  {{"target", "agent:cart"}, {"to", "open"}}),
            0u);  // this registry has no listener; the node's does (see node tests)
}

TEST(circuit_breaker, half_open_admits_exactly_one_trial) {
  runtime::circuit_breaker breaker{runtime::breaker_settings{2, 1000ms}};
  auto t = std::chrono::steady_clock::time_point{} + 1h;
  breaker.record_failure(t);
  EXPECT_EQ(breaker.state(), runtime::breaker_state::closed);
  breaker.record_failure(t);
  EXPECT_EQ(breaker.state(), runtime::breaker_state::open);
  EXPECT_FALSE(breaker.try_acquire(t + 999ms));
  EXPECT_TRUE(breaker.try_acquire(t + 1000ms));
  EXPECT_EQ(breaker.state(), runtime::breaker_state::half_open);
  EXPECT_FALSE(breaker.try_acquire(t + 1001ms));   // the trial is still out
  breaker.record_success();
  EXPECT_EQ(breaker.state(), runtime::breaker_state::closed);
  EXPECT_TRUE(breaker.try_acquire(t + 1002ms));
}

TEST_F(resilient_caller_test, domain_errors_are_answers_not_failures) {
  start(default_policy());
  script->mode = agent_mode::not_found;
  for (int i = 0; i < 5; ++i)
    call_cart();
  finish(5);
  EXPECT_EQ(script->hits, 5);   // no retries
  EXPECT_EQ(protocol::errc_of(outcomes->at(4).result.error()), errc::not_found);
  EXPECT_EQ(ctx->breaker(protocol::agent_kind::cart).state(), runtime::breaker_state::closed);
}

TEST_F(resilient_caller_test, unavailable_agent_yields_typed_degradation) {
  start(default_policy());
  directory.mark_unavailable(protocol::agent_kind::cart, "restart limit reached");
  call_cart();
  finish(1);
  ASSERT_FALSE(outcomes->at(0).result);
  EXPECT_EQ(protocol::errc_of(outcomes->at(0).result.error()), errc::unavailable);
  EXPECT_NE(protocol::describe(outcomes->at(0).result.error()).find("restart limit"),
            std::string::npos);
  EXPECT_EQ(metrics.counter_value("cartmate_agent_degraded_total",
                                  {{"agent", "cart"}, {"reason", "unavailable"}}),
            1u);
}

TEST_F(resilient_caller_test, death_of_target_fails_attempt_at_once_and_retry_reaches_new_agent) {
  auto p = default_policy();
  p.attempt_timeout = 1000ms;
  start(p);
  script->mode = agent_mode::silent;
  auto t0 = now();
  call_cart();
  sched.run();
  ASSERT_EQ(script->hits, 1);
  // The agent dies holding the request; a replacement registers (as a supervisor would).
  auto old = agent;
  directory.remove(protocol::agent_kind::cart, old.address());
  caf::anon_send_exit(old, caf::exit_reason::kill);
  script->mode = agent_mode::answer;
  agent = sys.spawn(scripted_agent, script);
  directory.add(protocol::agent_kind::cart, runtime::agent_replica{agent, "test", true});
  finish(1);
  ASSERT_TRUE(outcomes->at(0).result) << protocol::describe(outcomes->at(0).result.error());
  EXPECT_EQ(script->hits, 2);
  EXPECT_LT(outcomes->at(0).at - t0, 1000ms);   // did not wait for the attempt timeout
}

TEST_F(resilient_caller_test, agent_that_keeps_crashing_gives_degraded_answer_not_a_hang) {
  start(default_policy());
  // Put the agent under a supervisor that gives up after two restarts.
  directory.remove(protocol::agent_kind::cart, agent.address());
  caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  agent = nullptr;
  script->mode = agent_mode::crash;
  runtime::child_spec spec{protocol::agent_kind::cart, {}, [this](caf::actor_system& s) {
                             return s.spawn(scripted_agent, script);
                           }};
  runtime::supervisor_deps deps{&directory, &metrics, "test", nullptr};
  auto sup = runtime::spawn_supervisor(sys, {spec}, runtime::restart_policy{2, 10s, 10ms}, deps);
  ASSERT_TRUE(sup);
  sched.run();
  auto t0 = now();
  call_cart();
  finish(1);
  ASSERT_FALSE(outcomes->at(0).result);
  EXPECT_TRUE(protocol::is_degradation(outcomes->at(0).result.error()))
    << protocol::describe(outcomes->at(0).result.error());
  EXPECT_LE(outcomes->at(0).at - t0, policy.default_deadline);
  EXPECT_EQ(script->hits, 3);
  caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace cartmate::testing
