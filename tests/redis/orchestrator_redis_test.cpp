// orchestrator_redis_test.cpp — two orchestrator agents (two gateways) sharing one Redis session
// context store, on CAF's real scheduler against a real redis-server: a session moves from one
// gateway to the other and back and continues; with Redis stopped mid-conversation turns still
// answer from the context in memory, and once Redis is back saves resume.
#include "actors/orchestrator/orchestrator_agent.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "actors/orchestrator/conversation_context_codec.hpp"
#include "adapters/stores/memory_history_store.hpp"
#include "adapters/stores/redis/redis_executor.hpp"
#include "adapters/stores/redis/redis_session_context_store.hpp"
#include "protocol/errors.hpp"
#include "protocol/type_registry.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilience_context.hpp"
#include "runtime/timer_service.hpp"
#include "tests/actors/orchestrator_test_agents.hpp"
#include "tests/redis/redis_store_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::turn_summary;

struct real_scheduler_config : caf::actor_system_config {
  real_scheduler_config() {
    protocol::register_protocol_types(*this);
    set("scheduler.max-threads", 2);
    set("logger.console", caf::atom("none"));
  }
};

struct orchestrator_redis_test : ::testing::Test {
  real_scheduler_config cfg;
  caf::actor_system sys{cfg};
  runtime::metrics_registry metrics;
  runtime::agent_directory directory;
  runtime::breaker_registry breakers{runtime::breaker_settings{3, std::chrono::milliseconds{1000}}};
  caf::actor timer = runtime::spawn_timer_service(sys);
  std::unique_ptr<runtime::resilience_context> resilience;
  std::shared_ptr<agent_log> agents = std::make_shared<agent_log>();
  std::shared_ptr<stores::memory_history_store> history
    = std::make_shared<stores::memory_history_store>();
  redis_test_server server;
  // Declared after the actor system: destroyed (workers joined) before it.
  std::shared_ptr<stores::redis::redis_pool> pool;
  std::shared_ptr<stores::redis::redis_session_context_store> contexts;
  caf::actor discovery;
  caf::actor cart;
  caf::actor gateway_a;
  caf::actor gateway_b;
  stores::session_key key{"shop", "s-moving"};

  void SetUp() override {
    CARTMATE_REQUIRE_REDIS_SERVER();
    ASSERT_TRUE(server.setup()) << server.last_error();
    auto opts = quick_options(server.port());
    pool = std::make_shared<stores::redis::redis_pool>(opts, 2);
    auto client = std::make_shared<stores::redis::redis_client>(opts, 2);
    contexts = std::make_shared<stores::redis::redis_session_context_store>(client, unique_prefix());
    auto built = index::product_index::build(test_catalog(), size_t{64});
    ASSERT_TRUE(built) << protocol::describe(built.error());
    auto idx = std::make_shared<const index::product_index>(std::move(*built));
    runtime::call_policy policy;
    policy.attempt_timeout = 2s;
    policy.max_attempts = 2;
    policy.default_deadline = 5s;
    resilience = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer,
                                                               policy);
    discovery = spawn_test_discovery(sys, idx, agents);
    cart = spawn_test_cart(sys, idx, agents);
    directory.add(protocol::agent_kind::product_discovery,
                  runtime::agent_replica{discovery, "t", true});
    directory.add(protocol::agent_kind::cart, runtime::agent_replica{cart, "t", true});
    orchestrator::orchestrator_deps deps;
    deps.resilience = resilience.get();
    deps.understanding = orchestrator::make_offline_understanding(test_catalog());
    deps.metrics = &metrics;
    deps.turn_deadline = 5s;
    deps.contexts = {contexts, std::make_shared<stores::redis::redis_executor>(pool)};
    deps.history.store = history;
    // Generous: a loaded test machine must not turn a slow read into a lost context.
    deps.context_load_timeout = 5s;
    gateway_a = orchestrator::spawn_orchestrator_agent(sys, deps);
    gateway_b = orchestrator::spawn_orchestrator_agent(sys, deps);
  }

  void TearDown() override {
    directory.clear();
    for (auto* a : {&discovery, &cart, &gateway_a, &gateway_b, &timer})
      if (*a)
        caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    // Conversations follow their orchestrator; none may outlive the pieces they point to.
    sys.await_all_actors_done();
    pool.reset();   // runs what is queued, then joins its workers
  }

  /// One turn through `gateway`, as the session front-end sends it (no turn id of its own).
  turn_summary say(const caf::actor& gateway, std::string text) {
    caf::scoped_actor self{sys};
    protocol::user_turn turn;
    turn.env.tenant = key.tenant;
    turn.env.user = "u-1";
    turn.env.session = key.session_id;
    turn.text = std::move(text);
    turn_summary out;
    self->request(gateway, 30s, std::move(turn))
      .receive([&](turn_summary& s) { out = std::move(s); },
               [&](caf::error& err) { ADD_FAILURE() << "turn failed: " << protocol::describe(err); });
    return out;
  }

  /// Turns recorded so far (appended right after each answer, so polled).
  std::vector<stores::turn_record> turns_recorded(size_t at_least) {
    std::vector<stores::turn_record> out;
    EXPECT_TRUE(eventually([&] {
      auto got = history->list(key.tenant, key.session_id);
      if (got)
        out = std::move(*got);
      return out.size() >= at_least;
    })) << "history has " << out.size() << " turns, expected " << at_least;
    return out;
  }

  /// The turn count of the context in Redis, 0 when there is none or it cannot be read.
  uint64_t stored_turns() {
    auto blob = contexts->get(key);
    if (!blob || !*blob)
      return 0;
    auto ctx = orchestrator::decode_context(**blob);
    return ctx ? ctx->turns : 0;
  }

  uint64_t context_errors(const char* kind) {
    return metrics.counter_value("cartmate_session_context_errors_total", {{"error", kind}});
  }
};

TEST_F(orchestrator_redis_test, a_session_moves_between_gateways_and_survives_a_redis_outage) {
  // Gateway A shows kurtas; the context reaches Redis.
  auto first = say(gateway_a, "show me kurtas");
  EXPECT_EQ(first.turn_id, 1u);
  auto recorded = turns_recorded(1);
  ASSERT_FALSE(recorded.empty());
  auto shown = recorded[0].product_ids;
  ASSERT_GE(shown.size(), 2u) << first.reply;
  ASSERT_TRUE(eventually([&] { return stored_turns() == 1; }));

  // The session moves to gateway B, which has never seen it: "the second one" is A's second.
  auto add = say(gateway_b, "add the second one to my cart");
  ASSERT_EQ(agents->adds.size(), 1u) << add.reply;
  EXPECT_EQ(agents->adds[0].product_id, shown[1]) << add.reply;
  EXPECT_EQ(add.turn_id, 2u);
  ASSERT_TRUE(eventually([&] { return stored_turns() == 2; }));

  // Redis goes away mid-conversation: turns still answer from the context in memory.
  ASSERT_TRUE(server.stop()) << server.last_error();
  auto cart_view = say(gateway_b, "show my cart");
  EXPECT_EQ(cart_view.intents, std::vector<std::string>{"view_cart"}) << cart_view.reply;
  EXPECT_FALSE(cart_view.degraded) << cart_view.reply;
  auto again = say(gateway_b, "add the first one to my cart");
  ASSERT_EQ(agents->adds.size(), 2u) << again.reply;
  EXPECT_EQ(agents->adds[1].product_id, shown[1]) << "the first line of the cart shown";
  EXPECT_FALSE(again.degraded);
  EXPECT_GE(context_errors("load"), 1u);
  EXPECT_TRUE(eventually([&] { return context_errors("save") >= 2; }));
  EXPECT_EQ(context_errors("corrupt"), 0u);

  // Redis is back (empty: persistence is off). The next turn's save lands once the pool has
  // reconnected; a turn whose save still met the reconnect backoff is followed by another.
  ASSERT_TRUE(server.start()) << server.last_error();
  uint64_t last_turn = again.turn_id;
  ASSERT_TRUE(eventually([&] {
    auto errors_before = context_errors("save");
    last_turn = say(gateway_b, "hello").turn_id;
    eventually([&] { return stored_turns() == last_turn || context_errors("save") > errors_before; });
    return stored_turns() == last_turn;
  }));

  // Back at gateway A, whose conversation actor still holds the kurtas of turn 1: it takes the
  // newer context from Redis, where the cart is on screen.
  auto back = say(gateway_a, "add the first one to my cart");
  ASSERT_EQ(agents->adds.size(), 3u) << back.reply;
  EXPECT_EQ(agents->adds[2].product_id, shown[1]) << back.reply;
  EXPECT_EQ(back.turn_id, last_turn + 1);
  ASSERT_TRUE(eventually([&] { return stored_turns() == back.turn_id; }));

  // History has every turn once, in order, whichever gateway ran it.
  auto turns = turns_recorded(back.turn_id);
  ASSERT_EQ(turns.size(), back.turn_id);
  for (size_t i = 0; i < turns.size(); ++i)
    EXPECT_EQ(turns[i].seq, i + 1);
  EXPECT_EQ(turns[1].intents, std::vector<std::string>{"add_to_cart"});
  EXPECT_EQ(turns[2].intents, std::vector<std::string>{"view_cart"});
  EXPECT_EQ(turns.back().user_text, "add the first one to my cart");
}

}  // namespace
}  // namespace cartmate::testing
