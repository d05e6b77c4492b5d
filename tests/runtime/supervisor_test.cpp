// supervisor_test.cpp — restart after a crash, the restart-intensity limit, dependency order
// at start and reverse order at stop.
#include "runtime/supervisor.hpp"

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "protocol/errors.hpp"
#include "runtime/atoms.hpp"
#include "tests/runtime/caf_test_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::agent_kind;

struct escalation_log {
  std::vector<std::pair<std::string, std::string>> entries;
};

caf::behavior escalation_recorder(caf::event_based_actor*, std::shared_ptr<escalation_log> log) {
  return {
    [log](runtime::escalate_atom, const std::string& agent, const std::string& reason) {
      log->entries.emplace_back(agent, reason);
    },
  };
}

struct supervisor_test : runtime_fixture {
  std::shared_ptr<agent_script> script = std::make_shared<agent_script>();
  std::shared_ptr<escalation_log> escalations = std::make_shared<escalation_log>();
  caf::actor escalation = sys.spawn(escalation_recorder, escalations);
  caf::actor sup;

  void start(runtime::restart_policy policy) {
    runtime::child_spec spec{agent_kind::cart, {}, [this](caf::actor_system& s) {
                               return s.spawn(scripted_agent, script);
                             }};
    runtime::supervisor_deps deps{&directory, &metrics, "node-a", escalation};
    auto started = runtime::spawn_supervisor(sys, {spec}, policy, deps);
    ASSERT_TRUE(started);
    sup = *started;
    sched.run();
  }

  caf::actor live_cart() {
    auto h = directory.lookup(agent_kind::cart);
    return h ? *h : caf::actor{};
  }

  void crash_current() {
    auto h = live_cart();
    ASSERT_TRUE(h);
    caf::anon_send_exit(h, caf::exit_reason::kill);   // untrappable, like a real crash
    sched.run();
  }

  ~supervisor_test() override {
    if (sup)
      caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(escalation, caf::exit_reason::user_shutdown);
    sched.run();
  }
};

TEST_F(supervisor_test, restarts_a_crashed_agent_and_registers_the_new_one) {
  start(runtime::restart_policy{3, 10s, 10ms});
  auto first = live_cart();
  ASSERT_TRUE(first);
  crash_current();
  EXPECT_FALSE(live_cart());   // gone from the directory while the restart is pending
  sched.clock().advance_time(10ms);
  sched.run();
  auto second = live_cart();
  ASSERT_TRUE(second);
  EXPECT_NE(first, second);
  EXPECT_EQ(script->spawned, 2);
  EXPECT_EQ(metrics.counter_value("cartmate_agent_restarts_total", {{"agent", "cart"}}), 1u);
}

TEST_F(supervisor_test, restart_limit_marks_agent_unavailable_and_escalates) {
  start(runtime::restart_policy{2, 10s, 10ms});
  for (int i = 0; i < 2; ++i) {
    crash_current();
    sched.clock().advance_time(10ms);
    sched.run();
    ASSERT_TRUE(live_cart()) << "restart " << i + 1;
  }
  crash_current();
  sched.clock().advance_time(1s);
  sched.run();
  EXPECT_EQ(script->spawned, 3);   // initial start plus two restarts, no third
  auto h = directory.lookup(agent_kind::cart);
  ASSERT_FALSE(h);
  EXPECT_EQ(protocol::errc_of(h.error()), protocol::errc::unavailable);
  EXPECT_NE(protocol::describe(h.error()).find("restart limit"), std::string::npos);
  ASSERT_EQ(escalations->entries.size(), 1u);
  EXPECT_EQ(escalations->entries[0].first, "cart");
}

TEST_F(supervisor_test, crashes_outside_the_window_do_not_count_towards_the_limit) {
  start(runtime::restart_policy{2, 1s, 10ms});
  for (int i = 0; i < 5; ++i) {
    crash_current();
    sched.clock().advance_time(1500ms);   // each crash ages out before the next
    sched.run();
    ASSERT_TRUE(live_cart()) << "restart " << i + 1;
  }
  EXPECT_TRUE(escalations->entries.empty());
  EXPECT_EQ(script->spawned, 6);
}

TEST(dependency_order, starts_dependencies_first_and_rejects_cycles_and_unknowns) {
  auto spec = [](agent_kind k, std::vector<agent_kind> deps) {
    return runtime::child_spec{k, std::move(deps), nullptr};
  };
  auto ordered = runtime::dependency_order(
    {spec(agent_kind::orchestrator, {agent_kind::cart, agent_kind::product_discovery}),
     spec(agent_kind::cart, {agent_kind::product_discovery}),
     spec(agent_kind::product_discovery, {})});
  ASSERT_TRUE(ordered);
  ASSERT_EQ(ordered->size(), 3u);
  EXPECT_EQ((*ordered)[0].kind, agent_kind::product_discovery);
  EXPECT_EQ((*ordered)[1].kind, agent_kind::cart);
  EXPECT_EQ((*ordered)[2].kind, agent_kind::orchestrator);

  auto cycle = runtime::dependency_order({spec(agent_kind::cart, {agent_kind::alerts}),
                                          spec(agent_kind::alerts, {agent_kind::cart})});
  ASSERT_FALSE(cycle);
  EXPECT_NE(protocol::describe(cycle.error()).find("cycle"), std::string::npos);

  auto unknown = runtime::dependency_order({spec(agent_kind::cart, {agent_kind::alerts})});
  ASSERT_FALSE(unknown);
  EXPECT_NE(protocol::describe(unknown.error()).find("alerts"), std::string::npos);
}

TEST_F(supervisor_test, starts_in_dependency_order_and_stops_in_reverse) {
  auto log = std::make_shared<std::vector<std::string>>();
  auto make = [log](agent_kind kind) {
    return [log, kind](caf::actor_system& s) {
      log->push_back("start " + std::string{protocol::to_string(kind)});
      auto a = s.spawn([](caf::event_based_actor*) -> caf::behavior {
        return {[](int x) { return x; }};
      });
      a->attach_functor([log, kind](const caf::error&) {
        log->push_back("stop " + std::string{protocol::to_string(kind)});
      });
      return a;
    };
  };
  std::vector<runtime::child_spec> specs{
    {agent_kind::orchestrator, {agent_kind::cart}, make(agent_kind::orchestrator)},
    {agent_kind::cart, {agent_kind::product_discovery}, make(agent_kind::cart)},
    {agent_kind::product_discovery, {}, make(agent_kind::product_discovery)},
  };
  runtime::supervisor_deps deps{&directory, &metrics, "node-a", nullptr};
  auto started = runtime::spawn_supervisor(sys, specs, runtime::restart_policy{}, deps);
  ASSERT_TRUE(started);
  sup = *started;
  sched.run();
  caf::scoped_actor self{sys};
  bool stopped = false;
  auto rh = self->request(sup, caf::infinite, runtime::shutdown_atom::value);
  sched.run();
  rh.receive([&](caf::ok_atom) { stopped = true; },
                [&](caf::error& err) { FAIL() << protocol::describe(err); });
  EXPECT_TRUE(stopped);
  EXPECT_EQ(*log, (std::vector<std::string>{"start product_discovery", "start cart",
                                            "start orchestrator", "stop orchestrator",
                                            "stop cart", "stop product_discovery"}));
  EXPECT_TRUE(directory.status().empty() || !directory.lookup(agent_kind::cart));
  sup = nullptr;
}

}  // namespace
}  // namespace cartmate::testing
