// redis_notification_bus_test.cpp — the notification bus over a real redis-server: a
// notification published on one bus instance (one gateway) reaches the subscribers of another
// (and of its own), buses under another prefix hear nothing, unsubscribed handlers stop, the
// wire format round-trips, and malformed messages on the channel are ignored.
#include "adapters/stores/redis/redis_notification_bus.hpp"

#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/errors.hpp"
#include "tests/redis/redis_store_fixture.hpp"

namespace cartmate::stores::redis {
namespace {

struct heard {
  std::string tenant;
  std::string user;
  protocol::notification_event event;
};

/// Collects what a bus hands its subscriber, from the bus's thread.
struct listener {
  std::mutex mutex;
  std::vector<heard> all;

  runtime::notification_bus::handler handler() {
    return [this](const std::string& tenant, const std::string& user,
                  const protocol::notification_event& n) {
      std::lock_guard<std::mutex> guard{mutex};
      all.push_back(heard{tenant, user, n});
    };
  }
  size_t size() {
    std::lock_guard<std::mutex> guard{mutex};
    return all.size();
  }
  std::vector<heard> copy() {
    std::lock_guard<std::mutex> guard{mutex};
    return all;
  }
};

protocol::notification_event notification(const std::string& id, const std::string& user) {
  protocol::notification_event n;
  n.notification_id = id;
  n.user = user;
  n.product_id = "kurta";
  n.text = "Price alert: Kurta is now INR 1,400.00 \xE2\x82\xB9";
  n.created_ms = 1700000000000;
  return n;
}

TEST(redis_notification_bus, a_notification_published_on_one_gateway_reaches_another) {
  CARTMATE_REQUIRE_REDIS_SERVER();
  auto opts = testing::shared_options();
  ASSERT_TRUE(opts);
  auto prefix = testing::unique_prefix();
  redis_notification_bus gateway_a{*opts, prefix};
  redis_notification_bus gateway_b{*opts, prefix};
  redis_notification_bus elsewhere{*opts, testing::unique_prefix()};
  EXPECT_EQ(gateway_a.channel(), prefix + "notifications");
  listener on_a;
  listener on_b;
  listener on_elsewhere;
  gateway_a.subscribe(on_a.handler());
  gateway_b.subscribe(on_b.handler());
  elsewhere.subscribe(on_elsewhere.handler());
  ASSERT_TRUE(testing::eventually([&] {
    return gateway_a.subscribed() && gateway_b.subscribed() && elsewhere.subscribed();
  }));

  ASSERT_FALSE(gateway_a.publish("shop-a", "alice", notification("alr-1:e1", "alice")));
  ASSERT_FALSE(gateway_a.publish("shop-b", "bob", notification("alr-2:e1", "bob")));
  ASSERT_TRUE(testing::eventually([&] { return on_a.size() >= 2 && on_b.size() >= 2; }));

  for (auto* l : {&on_a, &on_b}) {
    auto got = l->copy();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].tenant, "shop-a");
    EXPECT_EQ(got[0].user, "alice");
    EXPECT_EQ(got[0].event.notification_id, "alr-1:e1");
    EXPECT_EQ(got[0].event.text, notification("", "").text);
    EXPECT_EQ(got[0].event.created_ms, 1700000000000);
    EXPECT_EQ(got[1].tenant, "shop-b");
    EXPECT_EQ(got[1].event.user, "bob");
  }
  EXPECT_EQ(gateway_a.published(), 2u);
  // Pub/sub across prefixes: the other deployment heard nothing (checked after the others
  // heard everything, which went through the same server in order).
  EXPECT_EQ(on_elsewhere.size(), 0u);
}

TEST(redis_notification_bus, an_unsubscribed_handler_hears_nothing_more) {
  CARTMATE_REQUIRE_REDIS_SERVER();
  auto opts = testing::shared_options();
  ASSERT_TRUE(opts);
  auto prefix = testing::unique_prefix();
  redis_notification_bus bus{*opts, prefix};
  listener kept;
  listener dropped;
  bus.subscribe(kept.handler());
  auto id = bus.subscribe(dropped.handler());
  ASSERT_TRUE(testing::eventually([&] { return bus.subscribed(); }));
  ASSERT_FALSE(bus.publish("shop-a", "alice", notification("n1", "alice")));
  ASSERT_TRUE(testing::eventually([&] { return kept.size() == 1 && dropped.size() == 1; }));
  bus.unsubscribe(id);
  ASSERT_FALSE(bus.publish("shop-a", "alice", notification("n2", "alice")));
  ASSERT_TRUE(testing::eventually([&] { return kept.size() == 2; }));
  EXPECT_EQ(dropped.size(), 1u);
  bus.stop();
  EXPECT_EQ(protocol::errc_of(bus.publish("shop-a", "alice", notification("n3", "alice"))),
            protocol::errc::unavailable);
}

TEST(redis_notification_bus, malformed_messages_on_the_channel_are_ignored) {
  CARTMATE_REQUIRE_REDIS_SERVER();
  auto opts = testing::shared_options();
  ASSERT_TRUE(opts);
  auto prefix = testing::unique_prefix();
  redis_notification_bus bus{*opts, prefix};
  listener got;
  bus.subscribe(got.handler());
  ASSERT_TRUE(testing::eventually([&] { return bus.subscribed(); }));
  redis_client raw{*opts, 1};
  ASSERT_TRUE(publish(raw, bus.channel(), "not json"));
  ASSERT_TRUE(publish(raw, bus.channel(), R"({"tenant":"t","user":"u"})"));
  ASSERT_FALSE(bus.publish("t", "u", notification("ok", "u")));
  ASSERT_TRUE(testing::eventually([&] { return got.size() >= 1; }));
  auto all = got.copy();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].event.notification_id, "ok");
}

TEST(redis_notification_bus, the_wire_format_round_trips) {
  auto n = notification("alr-9:evt-k", "alice");
  auto decoded = decode_bus_message(encode_bus_message("shop-a", "alice", n));
  ASSERT_TRUE(decoded) << protocol::describe(decoded.error());
  EXPECT_EQ(decoded->tenant, "shop-a");
  EXPECT_EQ(decoded->user, "alice");
  EXPECT_EQ(decoded->notification.notification_id, n.notification_id);
  EXPECT_EQ(decoded->notification.product_id, n.product_id);
  EXPECT_EQ(decoded->notification.text, n.text);
  EXPECT_EQ(decoded->notification.created_ms, n.created_ms);
  EXPECT_FALSE(decode_bus_message("[1,2]"));
  EXPECT_FALSE(decode_bus_message(R"({"tenant":1,"user":"u","notification":{}})"));
}

}  // namespace
}  // namespace cartmate::stores::redis
