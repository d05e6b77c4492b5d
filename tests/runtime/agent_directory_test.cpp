// agent_directory_test.cpp — the directory's cluster side: remote replicas per node replaced as a
// whole, a node's removal marking the kinds it leaves empty, the local version that tells the
// cluster member when to re-announce, and routing that moves only the keys of a lost replica.
#include "runtime/agent_directory.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <gtest/gtest.h>

#include <map>

#include "protocol/errors.hpp"
#include "runtime/circuit_breaker.hpp"

namespace cartmate::runtime {
namespace {

using protocol::agent_kind;

struct agent_directory_test : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  agent_directory dir;

  caf::actor spawn_dummy() {
    return sys.spawn([](caf::event_based_actor*) -> caf::behavior { return {[](int x) { return x; }}; });
  }

  ~agent_directory_test() override {
    dir.clear();
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  caf::actor track(caf::actor a) {
    spawned.push_back(a);
    return a;
  }

  std::vector<caf::actor> spawned;
};

TEST_F(agent_directory_test, local_version_moves_only_with_local_replicas) {
  auto v0 = dir.local_version();
  dir.replace_node("peer", {{agent_kind::cart, track(spawn_dummy())}});
  EXPECT_EQ(dir.local_version(), v0);
  auto local = track(spawn_dummy());
  dir.add(agent_kind::alerts, {local, "me", true});
  auto v1 = dir.local_version();
  EXPECT_NE(v1, v0);
  ASSERT_EQ(dir.local_replicas().size(), 1u);
  EXPECT_EQ(dir.local_replicas().front().first, agent_kind::alerts);
  dir.remove(agent_kind::alerts, local.address());
  EXPECT_NE(dir.local_version(), v1);
  EXPECT_TRUE(dir.local_replicas().empty());
}

TEST_F(agent_directory_test, replace_node_swaps_what_a_peer_hosts) {
  auto old_cart = track(spawn_dummy());
  dir.replace_node("shop", {{agent_kind::cart, old_cart}, {agent_kind::alerts, track(spawn_dummy())}});
  auto new_cart = track(spawn_dummy());
  dir.replace_node("shop", {{agent_kind::cart, new_cart}});
  auto h = dir.lookup(agent_kind::cart, "alice");
  ASSERT_TRUE(h);
  EXPECT_EQ(*h, new_cart);
  EXPECT_FALSE(dir.lookup(agent_kind::alerts));
  auto status = dir.status();
  for (auto& s : status)
    if (s.kind == agent_kind::cart)
      EXPECT_EQ(s.nodes, std::vector<std::string>{"shop"});
}

TEST_F(agent_directory_test, remove_node_reports_the_kinds_left_without_a_replica) {
  auto local_cart = track(spawn_dummy());
  dir.add(agent_kind::cart, {local_cart, "me", true});
  dir.replace_node("shop", {{agent_kind::cart, track(spawn_dummy())}, {agent_kind::alerts, track(spawn_dummy())}});
  auto emptied = dir.remove_node("shop", "node shop unreachable");
  EXPECT_EQ(emptied, std::vector<agent_kind>{agent_kind::alerts});
  auto cart = dir.lookup(agent_kind::cart, "alice");
  ASSERT_TRUE(cart);
  EXPECT_EQ(*cart, local_cart);
  auto alerts = dir.lookup(agent_kind::alerts);
  ASSERT_FALSE(alerts);
  EXPECT_NE(protocol::describe(alerts.error()).find("node shop unreachable"), std::string::npos)
    << protocol::describe(alerts.error());
  // A node's return clears the reason.
  dir.replace_node("shop", {{agent_kind::alerts, track(spawn_dummy())}});
  EXPECT_TRUE(dir.lookup(agent_kind::alerts));
}

TEST_F(agent_directory_test, losing_a_replica_moves_only_the_users_it_served) {
  dir.replace_node("a", {{agent_kind::cart, track(spawn_dummy())}});
  dir.replace_node("b", {{agent_kind::cart, track(spawn_dummy())}});
  dir.replace_node("c", {{agent_kind::cart, track(spawn_dummy())}});
  std::map<std::string, caf::actor> before;
  for (int i = 0; i < 200; ++i) {
    auto user = "user-" + std::to_string(i);
    before[user] = *dir.lookup(agent_kind::cart, user);
  }
  auto lost = *dir.lookup(agent_kind::cart, "user-0");
  dir.remove(agent_kind::cart, lost.address());
  size_t moved = 0;
  size_t served_by_lost = 0;
  for (auto& [user, handle] : before) {
    auto now = *dir.lookup(agent_kind::cart, user);
    if (handle == lost) {
      ++served_by_lost;
      EXPECT_NE(now, lost);
    } else if (now != handle) {
      ++moved;
    }
  }
  EXPECT_GT(served_by_lost, 0u);
  EXPECT_EQ(moved, 0u) << "rendezvous hashing moved users whose replica is still alive";
}

TEST(circuit_breaker_trip, trip_opens_at_once_and_reset_closes) {
  circuit_breaker breaker{breaker_settings{5, std::chrono::milliseconds{1000}}};
  auto t = std::chrono::steady_clock::time_point{} + std::chrono::hours{1};
  breaker.trip(t);
  EXPECT_EQ(breaker.state(), breaker_state::open);
  EXPECT_FALSE(breaker.try_acquire(t + std::chrono::milliseconds{10}));
  breaker.reset();
  EXPECT_EQ(breaker.state(), breaker_state::closed);
  EXPECT_TRUE(breaker.try_acquire(t + std::chrono::milliseconds{20}));
  // A reset also forgets earlier failures: it takes the full threshold to open again.
  for (int i = 0; i < 4; ++i)
    breaker.record_failure(t);
  breaker.reset();
  breaker.record_failure(t);
  EXPECT_EQ(breaker.state(), breaker_state::closed);
}

}  // namespace
}  // namespace cartmate::runtime
