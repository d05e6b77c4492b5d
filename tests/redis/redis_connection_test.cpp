// redis_connection_test.cpp — redis_connection's error values (error replies, refused and hung
// servers, backoff), the worker pool (jobs off the caller's thread, replies to actors as
// messages) and reconnection of pool workers after a redis-server restart.
#include "adapters/stores/redis/redis_pool.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/scoped_actor.hpp>

#include <gtest/gtest.h>

#include "adapters/stores/redis/redis_client.hpp"
#include "protocol/errors.hpp"
#include "tests/redis/redis_store_fixture.hpp"

namespace cartmate::stores::redis {
namespace {

using namespace std::chrono_literals;
using protocol::errc;
using redis_reply_atom = caf::atom_constant<caf::atom("rdsreply")>;

/// Nothing listens on port 1 of the loopback interface.
constexpr uint16_t unreachable_port = 1;

/// A listening socket that never accepts nor answers: connects succeed, replies never come.
struct silent_server {
  int fd = -1;
  uint16_t port = 0;
  silent_server() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
        && ::listen(fd, 16) == 0 && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
  }
  ~silent_server() {
    if (fd >= 0)
      ::close(fd);
  }
};

caf::expected<std::string> echo(redis_connection& conn, const std::string& text) {
  auto reply = conn.command({"ECHO", text}, redis_retry::once_if_stale);
  if (!reply)
    return std::move(reply.error());
  return reply->str;
}

TEST(redis_connection_errors, an_unreachable_server_is_unavailable_then_backs_off) {
  auto opts = testing::quick_options(unreachable_port);
  opts.reconnect.initial = 30s;   // the second call falls inside the wait
  opts.reconnect.max = 30s;
  redis_connection conn{opts};
  auto first = conn.command({"PING"});
  ASSERT_FALSE(first);
  EXPECT_EQ(protocol::errc_of(first.error()), errc::unavailable) << protocol::describe(first.error());
  auto second = conn.command({"PING"});
  ASSERT_FALSE(second);
  EXPECT_EQ(protocol::errc_of(second.error()), errc::unavailable);
  EXPECT_NE(protocol::describe(second.error()).find("next connection attempt"), std::string::npos)
    << protocol::describe(second.error());
  EXPECT_EQ(conn.connects(), 0u);
}

TEST(redis_connection_errors, a_server_that_never_answers_times_out_and_is_dropped) {
  silent_server silent;
  ASSERT_NE(silent.port, 0);
  auto opts = testing::quick_options(silent.port);
  opts.command_timeout = 100ms;
  redis_connection conn{opts};
  auto reply = conn.command({"PING"});
  ASSERT_FALSE(reply);
  EXPECT_EQ(protocol::errc_of(reply.error()), errc::timeout) << protocol::describe(reply.error());
  EXPECT_TRUE(protocol::is_degradation(reply.error()));
  EXPECT_FALSE(conn.connected());   // a late reply must never answer the next command
}

struct redis_connection_test : ::testing::Test {
  redis_options opts;
  void SetUp() override {
    CARTMATE_REQUIRE_REDIS_SERVER();
    auto shared = testing::shared_options();
    ASSERT_TRUE(shared);
    opts = *shared;
  }
};

TEST_F(redis_connection_test, replies_are_mapped_and_error_replies_are_agent_errors) {
  redis_connection conn{opts};
  auto key = testing::unique_prefix() + "k";
  auto set = conn.command({"SET", key, std::string_view{"a\0b", 3}});
  ASSERT_TRUE(set) << protocol::describe(set.error());
  EXPECT_EQ(set->type, redis_reply::kind::status);
  EXPECT_EQ(set->str, "OK");
  auto get = conn.command({"GET", key});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->type, redis_reply::kind::string);
  EXPECT_EQ(get->str, std::string("a\0b", 3));
  auto missing = conn.command({"GET", key + "-none"});
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->is_nil());
  auto pushed = conn.command_args({"RPUSH", key + "-list", "x", "y"});
  ASSERT_TRUE(pushed);
  EXPECT_EQ(pushed->type, redis_reply::kind::integer);
  EXPECT_EQ(pushed->integer, 2);
  auto range = conn.command({"LRANGE", key + "-list", "0", "-1"});
  ASSERT_TRUE(range);
  ASSERT_EQ(range->type, redis_reply::kind::array);
  ASSERT_EQ(range->elements.size(), 2u);
  EXPECT_EQ(range->elements[1].str, "y");

  auto wrong_type = conn.command({"LPUSH", key, "z"});   // key holds a string
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(protocol::errc_of(wrong_type.error()), errc::agent_error);
  EXPECT_NE(protocol::describe(wrong_type.error()).find("WRONGTYPE"), std::string::npos)
    << protocol::describe(wrong_type.error());
  // An error reply is an answer: the connection stays usable.
  EXPECT_TRUE(conn.connected());
  EXPECT_EQ(conn.connects(), 1u);
  auto empty = conn.command_args({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(protocol::errc_of(empty.error()), errc::invalid_argument);
}

TEST_F(redis_connection_test, pool_workers_run_jobs_off_the_caller_thread_each_with_a_connection) {
  redis_pool pool{opts, 2};
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::set<redis_connection*> connections;
  std::atomic<int> inside{0};
  std::atomic<int> max_inside{0};
  std::atomic<int> done{0};
  for (int i = 0; i < 2; ++i)
    pool.submit([&](redis_connection& conn) {
      int now = ++inside;
      max_inside = std::max(max_inside.load(), now);
      // Waits until the other job runs too, so both workers are busy at once.
      testing::eventually([&] { return max_inside.load() == 2; }, 5s);
      EXPECT_TRUE(conn.command({"PING"}));
      {
        std::lock_guard<std::mutex> guard{mutex};
        threads.insert(std::this_thread::get_id());
        connections.insert(&conn);
        EXPECT_EQ(redis_pool::worker_connection(), &conn);
      }
      --inside;
      ++done;
    });
  ASSERT_TRUE(testing::eventually([&] { return done.load() == 2; }));
  EXPECT_EQ(max_inside.load(), 2);
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
  EXPECT_EQ(connections.size(), 2u);
  EXPECT_EQ(redis_pool::worker_connection(), nullptr);
}

TEST_F(redis_connection_test, results_and_errors_reach_an_actor_as_messages) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  redis_pool pool{opts, 1};
  redis_pool down{testing::quick_options(unreachable_port), 1};
  pool.submit_reply(caf::actor{self}, redis_reply_atom::value, 7,
                    [](redis_connection& conn) { return echo(conn, "hello"); });
  down.submit_reply(caf::actor{self}, redis_reply_atom::value, 8,
                    [](redis_connection& conn) { return echo(conn, "nobody"); });
  std::map<uint64_t, std::string> values;
  std::map<uint64_t, caf::error> errors;
  for (int i = 0; i < 2; ++i)
    self->receive(
      [&](redis_reply_atom, uint64_t id, std::string& v) { values[id] = std::move(v); },
      [&](redis_reply_atom, uint64_t id, caf::error& e) { errors[id] = std::move(e); },
      caf::after(std::chrono::seconds{20}) >> [&] { ADD_FAILURE() << "no reply from the pool"; });
  ASSERT_EQ(values.count(7), 1u);
  EXPECT_EQ(values[7], "hello");
  ASSERT_EQ(errors.count(8), 1u);
  EXPECT_EQ(protocol::errc_of(errors[8]), errc::unavailable);
}

TEST_F(redis_connection_test, a_client_called_inside_a_job_uses_the_worker_connection) {
  redis_pool pool{opts, 1};
  redis_client client{opts, 1};
  std::atomic<int> done{0};
  uint64_t worker_connects = 0;
  pool.submit([&](redis_connection& conn) {
    EXPECT_TRUE(client.command({"PING"}));
    worker_connects = conn.connects();
    ++done;
  });
  ASSERT_TRUE(testing::eventually([&] { return done.load() == 1; }));
  EXPECT_EQ(worker_connects, 1u);   // the client's PING opened the worker's connection
}

TEST(redis_pool_outage, workers_fail_with_unavailable_while_down_and_reconnect_after_restart) {
  CARTMATE_REQUIRE_REDIS_SERVER();
  testing::redis_test_server server;
  ASSERT_TRUE(server.setup()) << server.last_error();
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  redis_pool pool{testing::quick_options(server.port()), 1};
  uint64_t next_id = 0;
  auto ask = [&]() -> caf::expected<std::string> {
    auto id = ++next_id;
    pool.submit_reply(caf::actor{self}, redis_reply_atom::value, id,
                      [](redis_connection& conn) { return echo(conn, "up"); });
    caf::expected<std::string> out = protocol::make_error(errc::timeout, "no reply");
    bool answered = false;
    while (!answered)
      self->receive(
        [&](redis_reply_atom, uint64_t got, std::string& v) {
          if (got == id) { out = std::move(v); answered = true; }
        },
        [&](redis_reply_atom, uint64_t got, caf::error& e) {
          if (got == id) { out = std::move(e); answered = true; }
        },
        caf::after(std::chrono::seconds{20}) >> [&] { answered = true; });
    return out;
  };
  auto before = ask();
  ASSERT_TRUE(before) << protocol::describe(before.error());

  ASSERT_TRUE(server.stop());
  for (int i = 0; i < 3; ++i) {
    auto during = ask();
    ASSERT_FALSE(during);
    EXPECT_EQ(protocol::errc_of(during.error()), errc::unavailable)
      << protocol::describe(during.error());
  }

  ASSERT_TRUE(server.start()) << server.last_error();
  caf::expected<std::string> after = protocol::make_error(errc::unavailable, "not tried");
  ASSERT_TRUE(testing::eventually([&] {
    after = ask();
    return static_cast<bool>(after);
  })) << protocol::describe(after.error());
  EXPECT_EQ(*after, "up");
}

}  // namespace
}  // namespace cartmate::stores::redis
