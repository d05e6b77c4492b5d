// webhook_sender_test.cpp — webhook delivery against the fixture HTTP server on 127.0.0.1:
// retries on 500 until the endpoint recovers, gives up after the configured attempts, does not
// retry a 4xx, posts the notification as JSON with its id as Idempotency-Key, gives up what is
// still waiting at stop(), and picks the per-user URL before the global one.
#include "adapters/notify/webhook_sender.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::notify {
namespace {

using namespace std::chrono_literals;
using protocol::errc;

/// The outcome a done callback hands over from the sender's thread.
struct outcome_slot {
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<webhook_outcome> value;

  webhook_sender::done_fn callback() {
    return [this](const webhook_outcome& out) {
      std::lock_guard<std::mutex> guard{mutex};
      value = out;
      cv.notify_all();
    };
  }

  /// Waits for the outcome; the limit is a hang guard far above any healthy run.
  std::optional<webhook_outcome> wait() {
    std::unique_lock<std::mutex> guard{mutex};
    cv.wait_for(guard, 30s, [this] { return value.has_value(); });
    return value;
  }
};

testing::fixture_route answer(int status) {
  testing::fixture_route r;
  r.status = status;
  r.body = "{}";
  return r;
}

webhook_options quick(int max_attempts) {
  webhook_options o;
  o.timeout = 5s;
  o.max_attempts = max_attempts;
  o.backoff = runtime::backoff_policy{5ms, 20ms, 2.0, 0.0};
  return o;
}

/// Polls until `done` holds (hang guard, not a timing check).
template <class Pred>
bool eventually(Pred done) {
  for (int i = 0; i < 3000; ++i) {
    if (done())
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

TEST(webhook_sender, retries_a_500_until_the_endpoint_recovers) {
  testing::fixture_http_server server;
  server.route("/hook", answer(500));
  webhook_sender sender{quick(1000)};
  outcome_slot slot;
  ASSERT_FALSE(sender.send(server.base_url() + "/hook", "alr-1:e1", R"({"x":1})",
                           slot.callback()));
  ASSERT_TRUE(eventually([&] { return server.hits("/hook") >= 2; }));
  server.route("/hook", answer(201));
  auto out = slot.wait();
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->delivered()) << protocol::describe(out->error);
  EXPECT_EQ(out->status, 201);
  EXPECT_GE(out->attempts, 3);
  EXPECT_EQ(out->attempts, server.hits("/hook"));   // one request per attempt, no more
}

TEST(webhook_sender, gives_up_after_max_attempts) {
  testing::fixture_http_server server;
  server.route("/hook", answer(503));
  webhook_sender sender{quick(3)};
  outcome_slot slot;
  ASSERT_FALSE(sender.send(server.base_url() + "/hook", "alr-1:e1", "{}", slot.callback()));
  auto out = slot.wait();
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->delivered());
  EXPECT_EQ(protocol::errc_of(out->error), errc::unavailable);
  EXPECT_EQ(out->attempts, 3);
  EXPECT_EQ(out->status, 503);
  EXPECT_EQ(server.hits("/hook"), 3);
}

TEST(webhook_sender, a_client_error_is_final) {
  testing::fixture_http_server server;
  server.route("/hook", answer(404));
  webhook_sender sender{quick(5)};
  outcome_slot slot;
  ASSERT_FALSE(sender.send(server.base_url() + "/hook", "alr-1:e1", "{}", slot.callback()));
  auto out = slot.wait();
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->delivered());
  EXPECT_EQ(protocol::errc_of(out->error), errc::invalid_argument);
  EXPECT_EQ(out->attempts, 1);
  EXPECT_EQ(server.hits("/hook"), 1);
}

TEST(webhook_sender, posts_the_notification_as_json_with_its_id_as_idempotency_key) {
  testing::fixture_http_server server;
  server.route("/hook", answer(200));
  webhook_sender sender{quick(2)};
  protocol::notification_event n;
  n.notification_id = "alr-00000007:evt-k1";
  n.user = "alice";
  n.product_id = "kurta";
  n.text = "Price alert: Kurta is now INR 1,400.00.";
  n.created_ms = 1234;
  outcome_slot slot;
  ASSERT_FALSE(sender.send(server.base_url() + "/hook", n.notification_id,
                           webhook_body("shop-a", n), slot.callback()));
  auto out = slot.wait();
  ASSERT_TRUE(out);
  ASSERT_TRUE(out->delivered()) << protocol::describe(out->error);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].headers.at("idempotency-key"), n.notification_id);
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
  auto body = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(body.at("type"), "notification");
  EXPECT_EQ(body.at("tenant"), "shop-a");
  EXPECT_EQ(body.at("user"), "alice");
  EXPECT_EQ(body.at("notification_id"), n.notification_id);
  EXPECT_EQ(body.at("text"), n.text);
  EXPECT_EQ(body.at("created_ms"), 1234);
}

TEST(webhook_sender, stop_gives_up_what_still_waits_and_refuses_more) {
  testing::fixture_http_server server;
  server.route("/hook", answer(500));
  auto opts = quick(1000);
  opts.backoff = runtime::backoff_policy{60s, 60s, 1.0, 0.0};   // the retry waits for a minute
  webhook_sender sender{opts};
  outcome_slot slot;
  ASSERT_FALSE(sender.send(server.base_url() + "/hook", "alr-1:e1", "{}", slot.callback()));
  ASSERT_TRUE(eventually([&] { return server.hits("/hook") == 1 && sender.queued() == 1; }));
  sender.stop();
  auto out = slot.wait();
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->delivered());
  EXPECT_EQ(out->attempts, 1);
  auto late = sender.send(server.base_url() + "/hook", "alr-1:e2", "{}");
  EXPECT_EQ(protocol::errc_of(late), errc::unavailable);
  EXPECT_EQ(protocol::errc_of(sender.send("", "x", "{}")), errc::invalid_argument);
}

TEST(webhook_targets, a_users_own_url_wins_over_the_global_one) {
  webhook_targets t;
  EXPECT_TRUE(t.empty());
  t.global_url = "http://127.0.0.1:1/all";
  t.per_user["shop-a/alice"] = "http://127.0.0.1:1/alice-a";
  t.per_user["bob"] = "http://127.0.0.1:1/bob";
  EXPECT_EQ(t.url_for("shop-a", "alice"), "http://127.0.0.1:1/alice-a");
  EXPECT_EQ(t.url_for("shop-b", "alice"), "http://127.0.0.1:1/all");
  EXPECT_EQ(t.url_for("shop-z", "bob"), "http://127.0.0.1:1/bob");
  EXPECT_EQ(t.url_for("shop-a", "carol"), "http://127.0.0.1:1/all");
}

}  // namespace
}  // namespace cartmate::notify
