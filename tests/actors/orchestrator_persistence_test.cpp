// orchestrator_persistence_test.cpp — conversations keep their context in the session context
// store and their turns in the history store, on the deterministic scheduler: a new actor (after
// a restart or an idle drop) continues the session, history has every turn in order, a corrupt
// or unreachable store degrades to the context in memory, saves of a session never overlap,
// and a slow store cannot hold a turn past the load timeout.
#include "actors/orchestrator/orchestrator_agent.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actors/orchestrator/conversation_context_codec.hpp"
#include "adapters/stores/memory_history_store.hpp"
#include "adapters/stores/memory_session_context_store.hpp"
#include "protocol/errors.hpp"
#include "tests/actors/orchestrator_test_agents.hpp"
#include "tests/runtime/caf_test_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::errc;
using protocol::turn_summary;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

/// A context store that can be taken down like a server: while down every call fails with
/// errc::unavailable and nothing changes. Counts the calls that reached it.
class switchable_context_store final : public stores::session_context_store {
 public:
  bool down = false;
  int gets = 0;
  int puts = 0;
  stores::memory_session_context_store inner;

  caf::expected<void> put(const stores::session_key& key, const std::string& value,
                          std::chrono::milliseconds ttl) override {
    ++puts;
    if (down)
      return protocol::make_error(errc::unavailable, "store is down");
    return inner.put(key, value, ttl);
  }
  caf::expected<std::optional<std::string>> get(const stores::session_key& key) override {
    ++gets;
    if (down)
      return protocol::make_error(errc::unavailable, "store is down");
    return inner.get(key);
  }
  caf::expected<void> erase(const stores::session_key& key) override {
    if (down)
      return protocol::make_error(errc::unavailable, "store is down");
    return inner.erase(key);
  }
};

/// Store calls wait until the test runs them: a remote store, with its timing in the test's hands.
struct manual_executor final : stores::store_executor {
  std::deque<std::function<void()>> jobs;

  bool runs_inline() const noexcept override { return false; }
  void execute(std::function<void()> job) override { jobs.push_back(std::move(job)); }

  /// Runs the jobs queued now (not those they lead to); returns how many ran.
  size_t run_queued() {
    auto batch = std::move(jobs);
    jobs.clear();
    for (auto& job : batch)
      job();
    return batch.size();
  }
};

struct persistence_test : runtime_fixture {
  std::shared_ptr<agent_log> agents = std::make_shared<agent_log>();
  std::shared_ptr<client_log> events = std::make_shared<client_log>();
  std::shared_ptr<const index::product_index> idx;
  std::unique_ptr<runtime::resilience_context> ctx;
  std::shared_ptr<switchable_context_store> contexts = std::make_shared<switchable_context_store>();
  std::shared_ptr<stores::memory_history_store> history
    = std::make_shared<stores::memory_history_store>();
  std::shared_ptr<manual_executor> slow = std::make_shared<manual_executor>();
  orchestrator::orchestrator_deps deps;
  caf::actor discovery;
  caf::actor cart;
  caf::actor orchestrator;
  caf::actor client;
  std::vector<caf::actor> others;   // orchestrators and clients a test keeps besides these
  std::string session = "s-1";
  stores::session_key key{"shop", "s-1"};

  persistence_test() {
    auto built = index::product_index::build(test_catalog(), size_t{64});
    EXPECT_TRUE(built) << protocol::describe(built.error());
    idx = std::make_shared<const index::product_index>(std::move(*built));
    runtime::call_policy policy;
    policy.attempt_timeout = 100ms;
    policy.max_attempts = 2;
    policy.backoff = runtime::backoff_policy{10ms, 40ms, 2.0, 0.0};
    policy.default_deadline = 1000ms;
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer, policy);
    discovery = spawn_test_discovery(sys, idx, agents);
    cart = spawn_test_cart(sys, idx, agents);
    directory.add(protocol::agent_kind::product_discovery, runtime::agent_replica{discovery, "t", true});
    directory.add(protocol::agent_kind::cart, runtime::agent_replica{cart, "t", true});
    deps.resilience = ctx.get();
    deps.understanding = orchestrator::make_offline_understanding(test_catalog());
    deps.metrics = &metrics;
    deps.turn_deadline = 2000ms;
    deps.contexts.store = contexts;
    deps.history.store = history;
  }

  ~persistence_test() override {
    for (auto* a : {&discovery, &cart, &orchestrator, &client})
      if (*a)
        caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    for (auto& a : others)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
    slow->jobs.clear();   // they hold the conversation actors
  }

  void start() {
    orchestrator = orchestrator::spawn_orchestrator_agent(sys, deps);
    client = spawn_test_client(sys, orchestrator, events);
    sched.run();
  }

  /// A new orchestrator (a restarted node) on the same stores; the old conversations end.
  void restart() {
    caf::anon_send_exit(orchestrator, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
    sched.run();
    start();
  }

  /// Like the session front-end, the turn brings no turn id: the conversation numbers it.
  void send(std::string text) {
    protocol::user_turn turn;
    turn.env.tenant = key.tenant;
    turn.env.user = "u-1";
    turn.env.session = session;
    turn.text = std::move(text);
    caf::anon_send(client, std::move(turn));
  }

  turn_summary wait_for(size_t n) {
    run_until([&] { return events->summaries.size() >= n; });
    if (events->summaries.size() < n) {
      ADD_FAILURE() << "no summary for turn " << n;
      return {};
    }
    return events->summaries[n - 1];
  }

  turn_summary say(std::string text) {
    send(std::move(text));
    return wait_for(events->summaries.size() + 1);
  }

  std::vector<protocol::product> last_shown() {
    EXPECT_FALSE(events->products.empty()) << "no products were shown";
    return events->products.empty() ? std::vector<protocol::product>{}
                                    : events->products.back().products;
  }

  uint64_t context_errors(const char* kind) {
    return metrics.counter_value("cartmate_session_context_errors_total", {{"error", kind}});
  }

  /// The context stored for `key`, decoded; nothing (with a failure) when there is none.
  std::optional<orchestrator::conversation_context> stored(const stores::session_key& k) {
    auto blob = contexts->inner.get(k);
    if (!blob || !*blob) {
      ADD_FAILURE() << "no context stored for " << k.session_id;
      return std::nullopt;
    }
    auto ctx = orchestrator::decode_context(**blob);
    EXPECT_TRUE(ctx) << protocol::describe(ctx.error());
    return ctx ? std::optional<orchestrator::conversation_context>{std::move(*ctx)} : std::nullopt;
  }
};

TEST_F(persistence_test, a_new_conversation_actor_continues_the_session) {
  start();
  auto first = say("show me kurtas");
  auto shown = last_shown();
  ASSERT_GE(shown.size(), 2u) << first.reply;
  EXPECT_EQ(first.turn_id, 1u);
  restart();
  auto s = say("add the second one to my cart");
  ASSERT_EQ(agents->adds.size(), 1u) << s.reply;
  EXPECT_EQ(agents->adds[0].product_id, shown[1].id) << s.reply;
  EXPECT_TRUE(contains(s.reply, shown[1].title)) << s.reply;
  EXPECT_FALSE(s.degraded);
  // Turn numbers continue from the stored context, not from 1.
  EXPECT_EQ(s.turn_id, 2u);
  EXPECT_EQ(context_errors("load"), 0u);
  EXPECT_EQ(context_errors("corrupt"), 0u);
}

TEST_F(persistence_test, an_idle_dropped_conversation_resumes_from_the_store) {
  deps.idle_timeout = std::chrono::minutes{1};
  start();
  say("show me kurtas");
  auto shown = last_shown();
  ASSERT_FALSE(shown.empty());
  sched.clock().advance_time(std::chrono::minutes{2});
  sched.run();
  auto s = say("add the first one to my cart");
  ASSERT_EQ(agents->adds.size(), 1u) << s.reply;
  EXPECT_EQ(agents->adds[0].product_id, shown[0].id);
}

TEST_F(persistence_test, sessions_and_tenants_keep_separate_contexts) {
  start();
  say("show me kurtas");
  session = "s-2";
  auto other_session = say("add the first one to my cart");
  EXPECT_TRUE(contains(other_session.reply, "haven't shown you any products")) << other_session.reply;
  session = "s-1";
  key.tenant = "other-shop";
  auto other_tenant = say("add the first one to my cart");
  EXPECT_TRUE(contains(other_tenant.reply, "haven't shown you any products")) << other_tenant.reply;
  EXPECT_TRUE(agents->adds.empty());
}

TEST_F(persistence_test, history_has_every_turn_in_order_across_actors) {
  start();
  std::vector<turn_summary> said;
  said.push_back(say("show me kurtas"));
  auto shown = last_shown();
  said.push_back(say("add the second one to my cart"));
  restart();
  said.push_back(say("show my cart"));
  said.push_back(say("hello"));
  auto turns = history->list("shop", "s-1");
  ASSERT_TRUE(turns) << protocol::describe(turns.error());
  ASSERT_EQ(turns->size(), 4u);
  std::vector<std::string> texts{"show me kurtas", "add the second one to my cart", "show my cart",
                                 "hello"};
  for (size_t i = 0; i < 4; ++i) {
    const auto& r = (*turns)[i];
    SCOPED_TRACE("turn " + std::to_string(i + 1));
    EXPECT_EQ(r.seq, i + 1);
    EXPECT_EQ(r.tenant, "shop");
    EXPECT_EQ(r.user, "u-1");
    EXPECT_EQ(r.session_id, "s-1");
    EXPECT_EQ(r.user_text, texts[i]);
    EXPECT_EQ(r.intents, said[i].intents);
    EXPECT_EQ(r.agents, said[i].agents);
    EXPECT_EQ(r.reply, said[i].reply);
    EXPECT_FALSE(r.degraded);
    EXPECT_GT(r.at_ms, 0);
    if (i > 0) {
      EXPECT_GE(r.at_ms, (*turns)[i - 1].at_ms);
    }
  }
  EXPECT_EQ((*turns)[0].intents, std::vector<std::string>{"search"});
  EXPECT_EQ((*turns)[0].agents, std::vector<std::string>{"product_discovery"});
  std::vector<std::string> shown_ids;
  for (const auto& p : shown)
    shown_ids.push_back(p.id);
  EXPECT_EQ((*turns)[0].product_ids, shown_ids);
  EXPECT_FALSE((*turns)[0].cart_items);
  EXPECT_EQ((*turns)[1].intents, std::vector<std::string>{"add_to_cart"});
  EXPECT_EQ((*turns)[1].agents, std::vector<std::string>{"cart"});
  EXPECT_EQ((*turns)[1].cart_items, std::optional<int32_t>{1});
  EXPECT_EQ((*turns)[2].intents, std::vector<std::string>{"view_cart"});
  EXPECT_EQ((*turns)[2].cart_items, std::optional<int32_t>{1});
  EXPECT_TRUE((*turns)[3].agents.empty());
  EXPECT_EQ(metrics.counter_value("cartmate_history_errors_total"), 0u);
}

TEST_F(persistence_test, text_a_store_cannot_hold_is_recorded_as_the_turn_read_it) {
  start();
  say(std::string{"hello\0there \xff", 13});
  auto turns = history->list("shop", "s-1");
  ASSERT_TRUE(turns) << protocol::describe(turns.error());
  ASSERT_EQ(turns->size(), 1u);
  EXPECT_EQ(stores::check_storable_text("user_text", (*turns)[0].user_text), "");
  EXPECT_TRUE(contains((*turns)[0].user_text, "hello")) << (*turns)[0].user_text;
}

TEST_F(persistence_test, a_corrupt_or_unknown_stored_context_is_ignored_and_replaced) {
  std::vector<std::pair<std::string, std::string>> blobs{
    {"garbage", std::string{"\x01not json at all", 16}},
    {"future", R"({"v":2,"turns":9,"shown":[]})"},
    {"truncated", orchestrator::encode_context({}).substr(0, 20)}};
  start();
  uint64_t expected_corrupt = 0;
  for (const auto& [name, blob] : blobs) {
    SCOPED_TRACE(name);
    session = name;
    ASSERT_TRUE(contexts->inner.put({"shop", name}, blob, 60s));
    auto s = say("add the first one to my cart");
    EXPECT_TRUE(contains(s.reply, "haven't shown you any products")) << s.reply;
    EXPECT_FALSE(s.degraded);
    EXPECT_EQ(context_errors("corrupt"), ++expected_corrupt);
    // The turn's own context replaced the unreadable one.
    auto now = stored({"shop", name});
    ASSERT_TRUE(now);
    EXPECT_EQ(now->turns, 1u);
  }
  EXPECT_TRUE(agents->adds.empty());
  EXPECT_EQ(context_errors("load"), 0u);
}

TEST_F(persistence_test, a_store_outage_keeps_the_conversation_in_memory_until_saves_resume) {
  start();
  say("show me kurtas");
  auto shown = last_shown();
  ASSERT_GE(shown.size(), 2u);
  contexts->down = true;
  auto add = say("add the second one to my cart");
  ASSERT_EQ(agents->adds.size(), 1u) << add.reply;
  EXPECT_EQ(agents->adds[0].product_id, shown[1].id);
  EXPECT_FALSE(add.degraded) << "a context store problem degrades nothing the shopper sees";
  EXPECT_EQ(context_errors("load"), 1u);
  EXPECT_EQ(context_errors("save"), 1u);
  // With unsaved changes the actor's own context is the newest: no read before the next turn.
  auto gets_before = contexts->gets;
  say("show my cart");
  EXPECT_EQ(contexts->gets, gets_before);
  EXPECT_EQ(context_errors("save"), 2u);
  contexts->down = false;
  say("hello");
  EXPECT_EQ(context_errors("save"), 2u);
  auto now = stored(key);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->turns, 4u);
  // What happened during the outage was saved once the store came back.
  restart();
  auto s = say("add the first one to my cart");
  ASSERT_EQ(agents->adds.size(), 2u) << s.reply;
  EXPECT_EQ(agents->adds[1].product_id, shown[1].id) << "the cart shown during the outage";
  auto turns = history->list("shop", "s-1");
  ASSERT_TRUE(turns);
  EXPECT_EQ(turns->size(), 5u);
}

TEST_F(persistence_test, a_session_moving_back_takes_the_newer_stored_context) {
  // Two orchestrators (two gateways) on one store; the session goes A, B, then A again.
  start();
  auto client_a = client;
  others = {orchestrator, client};
  say("show me kurtas");
  auto kurtas = last_shown();
  start();
  say("show me running shoes");
  auto shoes = last_shown();
  ASSERT_FALSE(shoes.empty());
  ASSERT_NE(shoes[0].id, kurtas[0].id);
  // Back at A, whose conversation actor still remembers the kurtas.
  auto s = [&] {
    protocol::user_turn turn;
    turn.env.tenant = "shop";
    turn.env.user = "u-1";
    turn.env.session = session;
    turn.text = "add the first one to my cart";
    caf::anon_send(client_a, std::move(turn));
    return wait_for(events->summaries.size() + 1);
  }();
  ASSERT_EQ(agents->adds.size(), 1u) << s.reply;
  EXPECT_EQ(agents->adds[0].product_id, shoes[0].id) << s.reply;
  EXPECT_EQ(s.turn_id, 3u);
}

TEST_F(persistence_test, the_first_turn_waits_for_its_context_and_saves_never_overlap) {
  start();
  say("show me kurtas");
  auto shown = last_shown();
  ASSERT_GE(shown.size(), 2u);
  deps.contexts.executor = slow;
  restart();
  send("add the second one to my cart");
  send("show my cart");
  sched.run();
  EXPECT_EQ(events->summaries.size(), 1u) << "no turn may start before its context is read";
  EXPECT_TRUE(agents->adds.empty());
  ASSERT_EQ(slow->jobs.size(), 1u);
  auto puts_before = contexts->puts;
  slow->run_queued();
  auto add = wait_for(2);
  auto view = wait_for(3);
  ASSERT_EQ(agents->adds.size(), 1u) << add.reply;
  EXPECT_EQ(agents->adds[0].product_id, shown[1].id);
  EXPECT_EQ(view.intents, std::vector<std::string>{"view_cart"});
  // Two turns finished, but only one save runs at a time; the second waits and saves the latest.
  ASSERT_EQ(slow->jobs.size(), 1u);
  slow->run_queued();
  sched.run();
  EXPECT_EQ(contexts->puts, puts_before + 1);
  ASSERT_EQ(slow->jobs.size(), 1u);
  slow->run_queued();
  sched.run();
  EXPECT_EQ(contexts->puts, puts_before + 2);
  EXPECT_TRUE(slow->jobs.empty());
  auto now = stored(key);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->turns, 3u);
  EXPECT_EQ(now->shown_kind, orchestrator::list_kind::cart);
}

TEST_F(persistence_test, with_a_shared_store_the_answer_waits_for_the_turns_context_to_be_saved) {
  deps.idle_timeout = std::chrono::minutes{1};
  deps.contexts.executor = slow;   // not inline: a store other gateways read (Redis)
  start();
  send("show me kurtas");
  sched.run();
  ASSERT_EQ(slow->run_queued(), 1u);   // the read before the turn
  sched.run();
  ASSERT_EQ(slow->jobs.size(), 1u);    // the turn's save, not run yet ...
  EXPECT_TRUE(events->summaries.empty()) << "answered before its context was stored";
  ASSERT_EQ(slow->run_queued(), 1u);   // ... and once it ran, the answer goes out
  sched.run();
  wait_for(1);
  auto first = stored(key);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->turns, 1u);
  // Idle: the conversation goes, having nothing unsaved.
  sched.clock().advance_time(std::chrono::minutes{2});
  sched.run();
  EXPECT_TRUE(slow->jobs.empty());
}

TEST_F(persistence_test, a_save_slower_than_the_load_timeout_does_not_hold_the_answer) {
  deps.contexts.executor = slow;
  deps.context_load_timeout = 300ms;
  start();
  send("show me kurtas");
  sched.run();
  ASSERT_EQ(slow->run_queued(), 1u);   // the read before the turn
  sched.run();
  ASSERT_EQ(slow->jobs.size(), 1u);    // the save hangs
  sched.clock().advance_time(300ms);
  sched.run();
  wait_for(1);
  EXPECT_EQ(context_errors("save"), 1u);
  // The late save still lands.
  slow->run_queued();
  sched.run();
  auto now = stored(key);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->turns, 1u);
}

TEST_F(persistence_test, a_slow_context_store_cannot_hold_a_turn_past_the_load_timeout) {
  deps.contexts.executor = slow;
  deps.context_load_timeout = 300ms;
  start();
  auto s = say("show me kurtas");
  EXPECT_FALSE(s.degraded);
  EXPECT_FALSE(s.reply.empty());
  EXPECT_EQ(context_errors("load"), 1u);
  // The late answer changes nothing, and the turn's save goes out as usual.
  ASSERT_EQ(slow->jobs.size(), 2u);
  slow->run_queued();
  sched.run();
  EXPECT_EQ(events->summaries.size(), 1u);
  auto now_stored = stored(key);
  ASSERT_TRUE(now_stored);
  EXPECT_EQ(now_stored->turns, 1u);
}

TEST_F(persistence_test, without_stores_the_conversation_still_works) {
  deps.contexts.store = nullptr;
  deps.history.store = nullptr;
  start();
  say("show me kurtas");
  auto shown = last_shown();
  auto s = say("add the second one to my cart");
  ASSERT_EQ(agents->adds.size(), 1u) << s.reply;
  EXPECT_EQ(agents->adds[0].product_id, shown[1].id);
  EXPECT_EQ(contexts->puts, 0);
  auto turns = history->list("shop", "s-1");
  ASSERT_TRUE(turns);
  EXPECT_TRUE(turns->empty());
}

}  // namespace
}  // namespace cartmate::testing
