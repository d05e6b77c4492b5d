// cluster_member_test.cpp — one cluster node in this process: it publishes its member on a port it
// picks, reports itself and an unreachable seed in its status, and leaves cleanly. (Two members
// need two processes: CAF derives node ids from host and pid; see tests/cluster.)
#include "runtime/cluster/cluster_member.hpp"

#include <cstdlib>
#include <filesystem>

#include <unistd.h>

#include <caf/event_based_actor.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/node_config.hpp"
#include "protocol/errors.hpp"
#include "runtime/node.hpp"

namespace cartmate::runtime {
namespace {

using protocol::agent_kind;

config::node_config make_config(const std::vector<std::string>& overrides) {
  auto cfg = config::load_node_config("", overrides);
  EXPECT_TRUE(cfg) << protocol::describe(cfg.error());
  return *cfg;
}

child_spec echo_spec(agent_kind kind) {
  return child_spec{kind, {}, [](caf::actor_system& sys) {
                      return sys.spawn([](caf::event_based_actor*) -> caf::behavior {
                        return {[](int x) { return x; }};
                      });
                    }};
}

// A port nobody listens on: bind one, note it, close it.
uint16_t closed_port() {
  config::node_config cfg = make_config({"node.agents=", "cluster.enabled=true", "cluster.port=0",
                                         "cluster.join_wait_ms=0"});
  node n{cfg};
  EXPECT_FALSE(n.start({}));
  auto port = n.cluster()->port();
  n.stop();
  return port;
}

TEST(cluster_member, publishes_and_describes_itself) {
  node n{make_config({"node.name=solo", "node.agents=cart", "cluster.enabled=true",
                      "cluster.port=0", "scheduler.threads=2"})};
  ASSERT_FALSE(n.start({echo_spec(agent_kind::cart)}));
  ASSERT_NE(n.cluster(), nullptr);
  EXPECT_GT(n.cluster()->port(), 0);
  auto status = nlohmann::json::parse(n.cluster()->status_json());
  EXPECT_EQ(status.at("node"), "solo");
  EXPECT_EQ(status.at("address"), "127.0.0.1:" + std::to_string(n.cluster()->port()));
  EXPECT_EQ(status.at("agents"), nlohmann::json::array({"cart"}));
  EXPECT_TRUE(status.at("peers").empty());
  n.stop();
}

TEST(cluster_member, an_unreachable_seed_does_not_stop_the_node_and_shows_as_such) {
  auto dead = closed_port();
  node n{make_config({"node.name=lonely", "node.agents=cart", "cluster.enabled=true",
                      "cluster.port=0", "cluster.join_wait_ms=5000",
                      "cluster.seeds=127.0.0.1:" + std::to_string(dead)})};
  ASSERT_FALSE(n.start({echo_spec(agent_kind::cart)}));
  // join() returned after the seed's first answer (a refused connection), not after join_wait.
  auto status = nlohmann::json::parse(n.cluster()->status_json());
  ASSERT_EQ(status.at("peers").size(), 1u) << status.dump();
  auto& seed = status.at("peers").at(0);
  EXPECT_EQ(seed.at("address"), "127.0.0.1:" + std::to_string(dead));
  EXPECT_NE(seed.at("state"), "up");
  EXPECT_FALSE(seed.at("last_error").get<std::string>().empty());
  // Local agents serve regardless.
  EXPECT_TRUE(n.directory().lookup(agent_kind::cart));
  n.stop();
}

TEST(cluster_member, a_taken_port_fails_start_with_the_reason) {
  node first{make_config({"node.agents=", "cluster.enabled=true", "cluster.port=0"})};
  ASSERT_FALSE(first.start({}));
  auto taken = first.cluster()->port();
  node second{make_config({"node.agents=", "cluster.enabled=true",
                           "cluster.port=" + std::to_string(taken)})};
  auto err = second.start({});
  ASSERT_TRUE(err);
  EXPECT_NE(protocol::describe(err).find(std::to_string(taken)), std::string::npos)
    << protocol::describe(err);
  second.stop();
  first.stop();
}

TEST(cluster_member, unreadable_tls_files_fail_start_naming_the_file) {
  node n{make_config({"node.agents=", "cluster.enabled=true", "cluster.port=0",
                      "cluster.tls_certificate=/nonexistent/node.pem",
                      "cluster.tls_key=/nonexistent/node.key"})};
  auto err = n.start({});
  ASSERT_TRUE(err);
  EXPECT_NE(protocol::describe(err).find("/nonexistent/node.pem"), std::string::npos)
    << protocol::describe(err);
  n.stop();
}

TEST(cluster_member, tls_keys_go_together) {
  auto cfg = config::load_node_config("", {"cluster.tls_certificate=a.pem"});
  ASSERT_FALSE(cfg);
  EXPECT_NE(protocol::describe(cfg.error()).find("cluster.tls_key"), std::string::npos);
  cfg = config::load_node_config("", {"cluster.tls_ca_file=ca.pem"});
  ASSERT_FALSE(cfg);
  EXPECT_NE(protocol::describe(cfg.error()).find("cluster.tls_ca_file"), std::string::npos);
}

TEST(cluster_member, publishes_over_tls_with_a_certificate) {
  auto dir = std::filesystem::temp_directory_path()
             / ("cartmate-tls-" + std::to_string(::getpid()));
  auto script = std::string{CARTMATE_SOURCE_DIR} + "/examples/cluster/make_tls.sh";
  if (std::system(("command -v openssl >/dev/null && " + script + " " + dir.string()
                   + " >/dev/null")
                    .c_str())
      != 0)
    GTEST_SKIP() << "openssl is not installed (scripts/setup.sh installs it)";
  node n{make_config({"node.name=secure", "node.agents=", "cluster.enabled=true", "cluster.port=0",
                      "cluster.tls_certificate=" + (dir / "node.pem").string(),
                      "cluster.tls_key=" + (dir / "node.key").string(),
                      "cluster.tls_ca_file=" + (dir / "ca.pem").string()})};
  auto err = n.start({});
  ASSERT_FALSE(err) << protocol::describe(err);
  EXPECT_GT(n.cluster()->port(), 0);
  EXPECT_EQ(nlohmann::json::parse(n.cluster()->status_json()).at("node"), "secure");
  n.stop();
  std::filesystem::remove_all(dir);
}

TEST(cluster_member, bad_seeds_are_configuration_errors) {
  for (auto seed : {"nohost", "host:", ":4710", "host:0", "host:70000", "host:12ab"}) {
    auto cfg = config::load_node_config(
      "", {"cluster.seeds=" + std::string{seed}});
    ASSERT_FALSE(cfg) << seed;
    EXPECT_NE(protocol::describe(cfg.error()).find("cluster.seeds"), std::string::npos)
      << protocol::describe(cfg.error());
  }
}

}  // namespace
}  // namespace cartmate::runtime
