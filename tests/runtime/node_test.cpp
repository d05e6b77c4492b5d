// node_test.cpp — a node starts only its configured agents, refuses a dependency it does not
// run, exposes breaker transitions as metrics, and stops idempotently.
#include "runtime/node.hpp"

#include <caf/event_based_actor.hpp>
#include <gtest/gtest.h>

#include "config/node_config.hpp"
#include "protocol/errors.hpp"

namespace cartmate::runtime {
namespace {

using protocol::agent_kind;

config::node_config make_config(const std::vector<std::string>& overrides) {
  auto cfg = config::load_node_config("", overrides);
  EXPECT_TRUE(cfg) << protocol::describe(cfg.error());
  return *cfg;
}

child_spec echo_spec(agent_kind kind, std::vector<agent_kind> deps = {}) {
  return child_spec{kind, std::move(deps), [](caf::actor_system& sys) {
                      return sys.spawn([](caf::event_based_actor*) -> caf::behavior {
                        return {[](int x) { return x; }};
                      });
                    }};
}

TEST(node, starts_only_the_configured_agents) {
  node n{make_config({"node.agents=cart", "scheduler.threads=2"})};
  ASSERT_FALSE(n.start({echo_spec(agent_kind::cart), echo_spec(agent_kind::alerts)}));
  EXPECT_TRUE(n.directory().lookup(agent_kind::cart));
  auto alerts = n.directory().lookup(agent_kind::alerts);
  ASSERT_FALSE(alerts);
  EXPECT_EQ(protocol::errc_of(alerts.error()), protocol::errc::unavailable);
  n.stop();
  EXPECT_FALSE(n.directory().lookup(agent_kind::cart));
  n.stop();   // idempotent
}

TEST(node, refuses_to_start_when_a_dependency_is_not_hosted) {
  node n{make_config({"node.agents=cart"})};
  auto err = n.start({echo_spec(agent_kind::cart, {agent_kind::product_discovery})});
  ASSERT_TRUE(err);
  EXPECT_NE(protocol::describe(err).find("product_discovery"), std::string::npos)
    << protocol::describe(err);
  EXPECT_FALSE(n.directory().lookup(agent_kind::cart));
}

TEST(node, breaker_transitions_show_up_in_metrics) {
  node n{make_config({"resilience.breaker_failure_threshold=2"})};
  auto& breaker = n.breakers().get("agent:cart");
  auto now = std::chrono::steady_clock::now();
  breaker.record_failure(now);
  breaker.record_failure(now);
  EXPECT_EQ(n.metrics().counter_value("cartmate_breaker_transitions_total",
                                      {{"target", "agent:cart"}, {"to", "open"}}),
            1u);
  EXPECT_EQ(n.metrics().gauge_value("cartmate_breaker_open", {{"target", "agent:cart"}}), 1.0);
  auto text = n.metrics().render_prometheus();
  EXPECT_NE(text.find("cartmate_breaker_open{target=\"agent:cart\"} 1"), std::string::npos) << text;
}

}  // namespace
}  // namespace cartmate::runtime
