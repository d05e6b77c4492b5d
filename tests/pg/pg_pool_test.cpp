// pg_pool_test.cpp — the worker pool (jobs off the caller's thread, one connection per worker,
// replies to actors as messages, draining on shutdown) and pg_connection's error values.
#include "adapters/stores/postgres/pg_pool.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/scoped_actor.hpp>
#include <pqxx/pqxx>

#include <gtest/gtest.h>

#include "adapters/stores/postgres/pg_cart_store.hpp"
#include "protocol/errors.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::stores::pg {
namespace {

using protocol::errc;
using pg_reply_atom = caf::atom_constant<caf::atom("pgreply")>;

/// Nothing listens on port 1 of the loopback interface.
const char* unreachable = "host=127.0.0.1 port=1 user=postgres dbname=none";

/// Waits until `count` reaches `target`; false after 20 s (a hang guard, not a timing check).
bool await(const std::atomic<int>& count, int target) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{20};
  while (count.load() < target) {
    if (std::chrono::steady_clock::now() > give_up)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  return true;
}

caf::expected<int64_t> backend_pid(pg_connection& conn) {
  return conn.run([](pqxx::connection& c) -> caf::expected<int64_t> {
    pqxx::nontransaction tx{c};
    return tx.exec("SELECT pg_backend_pid()")[0][0].as<int64_t>();
  });
}

TEST(pg_connection_errors, an_unreachable_server_is_unavailable_then_backs_off) {
  pg_options opts;
  opts.conninfo = unreachable;
  opts.reconnect.initial = std::chrono::seconds{30};   // the second call falls inside the wait
  opts.reconnect.max = std::chrono::seconds{30};
  pg_connection conn{opts};
  auto first = backend_pid(conn);
  ASSERT_FALSE(first);
  EXPECT_EQ(protocol::errc_of(first.error()), errc::unavailable);
  auto second = backend_pid(conn);
  ASSERT_FALSE(second);
  EXPECT_EQ(protocol::errc_of(second.error()), errc::unavailable);
  EXPECT_NE(protocol::describe(second.error()).find("next connection attempt"), std::string::npos)
    << protocol::describe(second.error());
  EXPECT_EQ(conn.connects(), 0u);
}

struct pg_pool_test : ::testing::Test {
  std::string conninfo;

  void SetUp() override {
    CARTMATE_REQUIRE_PG_BINARIES();
    conninfo = testing::migrated_database();
    ASSERT_FALSE(conninfo.empty());
  }
};

TEST_F(pg_pool_test, workers_run_jobs_concurrently_each_on_its_own_connection) {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::set<int64_t> backends;
  std::set<pg_connection*> connections;
  std::atomic<int> started{0};
  std::atomic<int> done{0};
  std::atomic<bool> both_ran_together{true};
  {
    pg_pool pool{testing::quick_options(conninfo), 2};
    ASSERT_EQ(pool.size(), 2u);
    for (int i = 0; i < 2; ++i)
      pool.submit([&](pg_connection& conn) {
        ++started;
        // Each job waits for the other: only two workers running at once get past this.
        if (!await(started, 2))
          both_ran_together = false;
        auto pid = backend_pid(conn);
        std::lock_guard<std::mutex> guard{mutex};
        threads.insert(std::this_thread::get_id());
        connections.insert(&conn);
        EXPECT_EQ(pg_pool::worker_connection(), &conn);
        if (pid)
          backends.insert(*pid);
        ++done;
      });
    ASSERT_TRUE(await(done, 2));
  }
  EXPECT_TRUE(both_ran_together);
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
  EXPECT_EQ(connections.size(), 2u);
  EXPECT_EQ(backends.size(), 2u);
  EXPECT_EQ(pg_pool::worker_connection(), nullptr);
}

TEST_F(pg_pool_test, results_and_errors_reach_an_actor_as_messages) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  pg_pool pool{testing::quick_options(conninfo), 1};
  pg_pool down{testing::quick_options(unreachable), 1};
  pool.submit_reply(caf::actor{self}, pg_reply_atom::value, 7, [](pg_connection& conn) {
    return conn.run([](pqxx::connection& c) -> caf::expected<int64_t> {
      pqxx::nontransaction tx{c};
      return tx.exec("SELECT 40 + 2")[0][0].as<int64_t>();
    });
  });
  down.submit_reply(caf::actor{self}, pg_reply_atom::value, 8,
                    [](pg_connection& conn) { return backend_pid(conn); });
  std::map<uint64_t, int64_t> values;
  std::map<uint64_t, caf::error> errors;
  for (int i = 0; i < 2; ++i)
    self->receive(
      [&](pg_reply_atom, uint64_t id, int64_t v) { values[id] = v; },
      [&](pg_reply_atom, uint64_t id, caf::error& e) { errors[id] = std::move(e); },
      caf::after(std::chrono::seconds{20}) >> [&] { ADD_FAILURE() << "no reply from the pool"; });
  ASSERT_EQ(values.count(7), 1u);
  EXPECT_EQ(values[7], 42);
  ASSERT_EQ(errors.count(8), 1u);
  EXPECT_EQ(protocol::errc_of(errors[8]), errc::unavailable);
}

TEST_F(pg_pool_test, a_store_called_inside_a_job_uses_the_worker_connection) {
  pg_cart_store store{testing::quick_options(conninfo), 1};
  user_key alice{"shop-a", "alice"};
  line_facts facts;
  facts.title = "Kurta";
  facts.unit_price = protocol::money{100, "INR"};
  std::atomic<int> done{0};
  uint64_t worker_connects = 0;
  bool applied = false;
  {
    pg_pool pool{testing::quick_options(conninfo), 1};
    pool.submit([&](pg_connection& conn) {
      applied = static_cast<bool>(
        store.apply_write(alice, "k1", cart_op{cart_op_kind::add, "p1", 1}, facts));
      worker_connects = conn.connects();
      ++done;
    });
    ASSERT_TRUE(await(done, 1));
  }
  EXPECT_TRUE(applied);
  EXPECT_EQ(worker_connects, 1u);   // the job itself never connected: the store did, on it
}

TEST_F(pg_pool_test, the_same_write_racing_on_two_workers_applies_once) {
  pg_cart_store store{testing::quick_options(conninfo), 1};
  user_key alice{"shop-a", "alice"};
  line_facts facts;
  facts.title = "Kurta";
  facts.unit_price = protocol::money{100, "INR"};
  facts.stock = 1000;
  pg_pool pool{testing::quick_options(conninfo), 2};
  for (int round = 0; round < 10; ++round) {
    std::atomic<int> started{0};
    std::atomic<int> done{0};
    std::vector<caf::expected<cart_snapshot>> results(2, cart_snapshot{});
    for (int t = 0; t < 2; ++t)
      pool.submit([&, t](pg_connection&) {
        ++started;
        await(started, 2);
        results[t] = store.apply_write(alice, "k" + std::to_string(round),
                                       cart_op{cart_op_kind::add, "p1", 1}, facts);
        ++done;
      });
    ASSERT_TRUE(await(done, 2));
    ASSERT_TRUE(results[0]) << protocol::describe(results[0].error());
    ASSERT_TRUE(results[1]) << protocol::describe(results[1].error());
    EXPECT_EQ(results[0]->version, results[1]->version);
  }
  auto cart = store.get_cart(alice);
  ASSERT_TRUE(cart);
  ASSERT_EQ(cart->lines.size(), 1u);
  EXPECT_EQ(cart->lines[0].quantity, 10);
}

TEST(pg_pool_shutdown, runs_every_queued_job_before_joining) {
  std::atomic<int> ran{0};
  {
    pg_pool pool{testing::quick_options(unreachable), 2};
    for (int i = 0; i < 50; ++i)
      pool.submit([&](pg_connection&) { ++ran; });
    pool.submit([](pg_connection&) { throw std::runtime_error("a job that throws"); });
    for (int i = 0; i < 50; ++i)
      pool.submit([&](pg_connection&) { ++ran; });
  }
  EXPECT_EQ(ran.load(), 100);
}

}  // namespace
}  // namespace cartmate::stores::pg
