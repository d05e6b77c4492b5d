// redis_pubsub_test.cpp — pub/sub between two connections (only subscribed channels, in order,
// binary payloads), resubscription after a redis-server restart, dropping a connection whose
// server stops answering PING, and a bounded stop() while the server is down.
#include "adapters/stores/redis/redis_pubsub.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/errors.hpp"
#include "tests/redis/redis_store_fixture.hpp"

namespace cartmate::stores::redis {
namespace {

using namespace std::chrono_literals;
using message = std::pair<std::string, std::string>;

/// Collects what a subscriber hands over, from its thread.
struct inbox {
  std::mutex mutex;
  std::vector<message> messages;

  redis_subscriber::message_handler handler() {
    return [this](std::string channel, std::string payload) {
      std::lock_guard<std::mutex> guard{mutex};
      messages.emplace_back(std::move(channel), std::move(payload));
    };
  }
  size_t size() {
    std::lock_guard<std::mutex> guard{mutex};
    return messages.size();
  }
  std::vector<message> all() {
    std::lock_guard<std::mutex> guard{mutex};
    return messages;
  }
};

TEST(redis_pubsub, messages_on_subscribed_channels_arrive_in_order) {
  CARTMATE_REQUIRE_REDIS_SERVER();
  auto opts = testing::shared_options();
  ASSERT_TRUE(opts);
  auto prefix = testing::unique_prefix();
  auto notifications = prefix + "notifications";
  auto prices = prefix + "price-events";
  inbox got;
  redis_subscriber subscriber{*opts, {notifications, prices, notifications}, got.handler()};
  EXPECT_EQ(subscriber.channels().size(), 2u);
  ASSERT_TRUE(testing::eventually([&] { return subscriber.subscribed(); }));

  redis_client publisher{*opts, 1};
  std::string binary{"p1\0drop", 7};
  auto first = publish(publisher, notifications, R"({"alert":"a1"})");
  ASSERT_TRUE(first) << protocol::describe(first.error());
  EXPECT_EQ(*first, 1);
  auto unheard = publish(publisher, prefix + "elsewhere", "nobody listens");
  ASSERT_TRUE(unheard);
  EXPECT_EQ(*unheard, 0);
  ASSERT_TRUE(publish(publisher, prices, binary));
  ASSERT_TRUE(publish(publisher, notifications, R"({"alert":"a2"})"));

  ASSERT_TRUE(testing::eventually([&] { return got.size() >= 3; }));
  auto all = got.all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], (message{notifications, R"({"alert":"a1"})"}));
  EXPECT_EQ(all[1], (message{prices, binary}));
  EXPECT_EQ(all[2], (message{notifications, R"({"alert":"a2"})"}));
  EXPECT_EQ(subscriber.received(), 3u);

  subscriber.stop();
  EXPECT_FALSE(subscriber.subscribed());
  // The subscription ended with stop(); the server notices the closed socket a moment later.
  EXPECT_TRUE(testing::eventually([&] {
    auto after_stop = publish(publisher, notifications, "late");
    return after_stop && *after_stop == 0;
  }));
  EXPECT_EQ(got.size(), 3u);   // nothing published after stop() reached the handler
}

TEST(redis_pubsub, a_throwing_handler_does_not_end_the_subscription) {
  CARTMATE_REQUIRE_REDIS_SERVER();
  auto opts = testing::shared_options();
  ASSERT_TRUE(opts);
  auto channel = testing::unique_prefix() + "c";
  std::atomic<int> calls{0};
  redis_subscriber subscriber{*opts, {channel}, [&](std::string, std::string payload) {
                                ++calls;
                                if (payload == "bad")
                                  throw std::runtime_error("handler failed");
                              }};
  ASSERT_TRUE(testing::eventually([&] { return subscriber.subscribed(); }));
  redis_connection publisher{*opts};
  ASSERT_TRUE(publish(publisher, channel, "bad"));
  ASSERT_TRUE(publish(publisher, channel, "good"));
  ASSERT_TRUE(testing::eventually([&] { return calls.load() == 2; }));
  EXPECT_TRUE(subscriber.subscribed());
  EXPECT_EQ(subscriber.connects(), 1u);
}

TEST(redis_pubsub, the_subscriber_resubscribes_after_a_server_restart) {
  CARTMATE_REQUIRE_REDIS_SERVER();
  testing::redis_test_server server;   // its own: this test stops it
  ASSERT_TRUE(server.setup()) << server.last_error();
  auto opts = testing::quick_options(server.port());
  inbox got;
  redis_subscriber subscriber{opts, {"events"}, got.handler()};
  ASSERT_TRUE(testing::eventually([&] { return subscriber.subscribed(); }));
  redis_connection publisher{opts};
  ASSERT_TRUE(publish(publisher, "events", "before"));
  ASSERT_TRUE(testing::eventually([&] { return got.size() == 1; }));

  ASSERT_TRUE(server.stop());
  ASSERT_TRUE(testing::eventually([&] { return !subscriber.subscribed(); }));
  auto down = publish(publisher, "events", "lost");
  ASSERT_FALSE(down);
  EXPECT_EQ(protocol::errc_of(down.error()), protocol::errc::unavailable);

  ASSERT_TRUE(server.start()) << server.last_error();
  ASSERT_TRUE(testing::eventually([&] { return subscriber.subscribed(); }));
  // The publisher reconnects by itself too; one receiver means the new subscription is live.
  caf::expected<int64_t> receivers = int64_t{0};
  ASSERT_TRUE(testing::eventually([&] {
    receivers = publish(publisher, "events", "after");
    return receivers && *receivers == 1;
  }));
  ASSERT_TRUE(testing::eventually([&] { return got.size() == 2; }));
  EXPECT_EQ(got.all()[1], (message{"events", "after"}));
  EXPECT_GE(subscriber.connects(), 2u);
}

TEST(redis_pubsub, a_server_that_stops_answering_is_dropped_and_retried) {
  // A socket that accepts connections (in its backlog) but never answers: SUBSCRIBE and the
  // PING that follows get no reply, so the subscriber must give up and connect again.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto opts = testing::quick_options(ntohs(addr.sin_port));
  opts.command_timeout = 50ms;
  {
    redis_subscriber subscriber{opts, {"events"}, [](std::string, std::string) {}, 20ms};
    EXPECT_TRUE(testing::eventually([&] { return subscriber.connects() >= 2; }));
    EXPECT_FALSE(subscriber.subscribed());
  }
  ::close(fd);
}

TEST(redis_pubsub, stop_returns_while_the_server_is_unreachable) {
  auto opts = testing::quick_options(1);   // nothing listens on port 1
  opts.reconnect.initial = 30s;            // stop() lands in a long backoff wait
  opts.reconnect.max = 30s;
  inbox got;
  redis_subscriber subscriber{opts, {"events"}, got.handler()};
  std::this_thread::sleep_for(50ms);
  subscriber.stop();   // a hang here fails the test by its ctest timeout
  EXPECT_FALSE(subscriber.subscribed());
  EXPECT_EQ(subscriber.connects(), 0u);
  subscriber.stop();   // idempotent
}

}  // namespace
}  // namespace cartmate::stores::redis
