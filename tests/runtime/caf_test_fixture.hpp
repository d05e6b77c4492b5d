// caf_test_fixture.hpp — a CAF system on the deterministic test scheduler (messages dispatched
// one by one, virtual time) with the node-wide runtime pieces, and a scriptable test agent.
// Threading: everything runs on the test's thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <gtest/gtest.h>

#include "protocol/cart_messages.hpp"
#include "protocol/style_messages.hpp"
#include "protocol/type_registry.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilience_context.hpp"
#include "runtime/timer_service.hpp"

namespace cartmate::testing {

struct test_caf_config : caf::actor_system_config {
  test_caf_config() {
    protocol::register_protocol_types(*this);
    set("scheduler.policy", caf::atom("testing"));
    set("logger.inline-output", true);
    set("logger.console", caf::atom("none"));
  }
};

/// What the scripted agent does with each request it receives.
enum class agent_mode { answer, silent, fail, crash, not_found };

/// Shared between a test and every incarnation of its scripted agent (restarts included).
struct agent_script {
  agent_mode mode = agent_mode::answer;
  int hits = 0;                                          // requests received, all incarnations
  std::vector<caf::actor_clock::time_point> hit_times;   // virtual time of each
  int spawned = 0;
};

/// A cart-kind agent that answers cart_get and style_signal as the script says.
caf::behavior scripted_agent(caf::stateful_actor<std::vector<caf::response_promise>>* self,
                             std::shared_ptr<agent_script> script);

struct runtime_fixture : ::testing::Test {
  test_caf_config cfg;
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  runtime::metrics_registry metrics;
  runtime::agent_directory directory;
  runtime::breaker_registry breakers{runtime::breaker_settings{3, std::chrono::milliseconds{1000}}};
  caf::actor timer = runtime::spawn_timer_service(sys);

  ~runtime_fixture() override;

  /// Dispatches messages and fires timers in time order until `done()` holds or nothing is
  /// left to do. Bounded, so a bug shows up as a failed expectation, not a hung test.
  void run_until(const std::function<bool()>& done);

  caf::actor_clock::time_point now() { return sched.clock().now(); }
};

}  // namespace cartmate::testing
