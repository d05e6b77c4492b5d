// redis_rate_limiter_test.cpp — the shared token bucket: burst, refusal with retry_after, refill,
// the same decisions as runtime::rate_limiter, one bucket shared by two limiters (two nodes),
// and what happens while Redis is down (allowed and counted by default, or refused).
#include "adapters/stores/redis/redis_rate_limiter.hpp"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/rate_limiter.hpp"
#include "tests/redis/redis_store_fixture.hpp"

namespace cartmate::stores::redis {
namespace {

using namespace std::chrono_literals;

struct redis_rate_limiter_test : ::testing::Test {
  redis_options opts;
  std::string prefix;

  void SetUp() override {
    CARTMATE_REQUIRE_REDIS_SERVER();
    auto shared = testing::shared_options();
    ASSERT_TRUE(shared);
    opts = *shared;
    prefix = testing::unique_prefix();
  }

  redis_rate_limiter::settings limits(double rate, double burst) const {
    redis_rate_limiter::settings s;
    s.rate = rate;
    s.burst = burst;
    s.key_prefix = prefix;
    return s;
  }
};

TEST_F(redis_rate_limiter_test, a_new_key_starts_full_then_refuses_with_retry_after) {
  // 0.1 token/s: a refill during the test would need a 10 s stall between two calls.
  redis_rate_limiter limiter{opts, limits(0.1, 3)};
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(limiter.try_acquire("shop-a").allowed) << "call " << i;
  auto refused = limiter.try_acquire("shop-a");
  EXPECT_FALSE(refused.allowed);
  // One token at 0.1/s is 10 s away, less whatever trickled in since the burst was spent.
  EXPECT_LE(refused.retry_after, 10'000ms);
  EXPECT_GE(refused.retry_after, 5'000ms);
  // Keys have buckets of their own.
  EXPECT_TRUE(limiter.try_acquire("shop-b").allowed);
  EXPECT_EQ(limiter.unavailable_decisions(), 0u);
}

TEST_F(redis_rate_limiter_test, decisions_match_the_local_limiter_for_the_same_requests) {
  auto frozen = runtime::rate_limiter::clock::now();
  runtime::rate_limiter local{0.01, 2.5, [&] { return frozen; }};
  redis_rate_limiter shared{opts, limits(0.01, 2.5)};
  std::vector<double> costs{1, 1, 1, 0.5, 0.25, 3, 0.1};
  for (size_t i = 0; i < costs.size(); ++i) {
    auto want = local.try_acquire("k", costs[i]);
    auto got = shared.try_acquire("k", costs[i]);
    EXPECT_EQ(got.allowed, want.allowed) << "request " << i << " cost " << costs[i];
    if (!want.allowed) {
      // The same wait, less what refilled in the few milliseconds between the Redis calls.
      EXPECT_LE(got.retry_after, want.retry_after) << "request " << i;
      EXPECT_GE(got.retry_after, want.retry_after - 1000ms) << "request " << i;
    }
  }
}

TEST_F(redis_rate_limiter_test, a_burst_below_one_is_one_and_unlimited_never_asks_redis) {
  redis_rate_limiter tiny{opts, limits(0.01, 0.2)};
  EXPECT_TRUE(tiny.try_acquire("k").allowed);
  EXPECT_FALSE(tiny.try_acquire("k").allowed);
  auto unreachable = testing::quick_options(1);
  redis_rate_limiter unlimited{unreachable, limits(0, 1)};
  EXPECT_TRUE(unlimited.unlimited());
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(unlimited.try_acquire("k").allowed);
  EXPECT_EQ(unlimited.unavailable_decisions(), 0u);
}

TEST_F(redis_rate_limiter_test, two_nodes_share_one_bucket_per_key) {
  // Two limiters with their own connections stand for two nodes.
  redis_rate_limiter node_a{opts, limits(0.1, 3)};
  redis_rate_limiter node_b{opts, limits(0.1, 3)};
  EXPECT_TRUE(node_a.try_acquire("shop-a").allowed);
  EXPECT_TRUE(node_b.try_acquire("shop-a").allowed);
  EXPECT_TRUE(node_a.try_acquire("shop-a").allowed);
  EXPECT_FALSE(node_b.try_acquire("shop-a").allowed);
  EXPECT_FALSE(node_a.try_acquire("shop-a").allowed);
  // Another prefix is another deployment: its buckets are separate.
  auto other = limits(0.1, 3);
  other.key_prefix = testing::unique_prefix();
  redis_rate_limiter elsewhere{opts, other};
  EXPECT_TRUE(elsewhere.try_acquire("shop-a").allowed);
}

TEST_F(redis_rate_limiter_test, concurrent_callers_never_get_more_than_the_burst) {
  auto client = std::make_shared<redis_client>(opts, 4);
  redis_rate_limiter limiter{client, limits(0.01, 20)};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 15; ++i)
        if (limiter.try_acquire("hot").allowed)
          ++allowed;
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(allowed.load(), 20);
}

TEST_F(redis_rate_limiter_test, tokens_come_back_at_the_rate) {
  redis_rate_limiter limiter{opts, limits(20, 1)};
  ASSERT_TRUE(limiter.try_acquire("k").allowed);
  auto refused = limiter.try_acquire("k");
  ASSERT_FALSE(refused.allowed);
  EXPECT_LE(refused.retry_after, 50ms);
  std::this_thread::sleep_for(refused.retry_after);
  EXPECT_TRUE(testing::eventually([&] { return limiter.try_acquire("k").allowed; }));
}

TEST(redis_rate_limiter_outage, allows_and_counts_while_redis_is_down_then_limits_again) {
  CARTMATE_REQUIRE_REDIS_SERVER();
  testing::redis_test_server server;
  ASSERT_TRUE(server.setup()) << server.last_error();
  redis_rate_limiter::settings s;
  s.rate = 0.1;
  s.burst = 1;
  redis_rate_limiter limiter{testing::quick_options(server.port()), s};
  EXPECT_TRUE(limiter.try_acquire("k").allowed);
  EXPECT_FALSE(limiter.try_acquire("k").allowed);

  ASSERT_TRUE(server.stop());
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(limiter.try_acquire("k").allowed) << "fail-open call " << i;
  EXPECT_EQ(limiter.unavailable_decisions(), 3u);

  ASSERT_TRUE(server.start()) << server.last_error();
  // Reconnected once a call is decided by Redis again (the count stops growing); the restarted
  // server is empty, so the first such call takes the fresh bucket's only token.
  ASSERT_TRUE(testing::eventually([&] {
    auto before = limiter.unavailable_decisions();
    limiter.try_acquire("k");
    return limiter.unavailable_decisions() == before;
  }));
  EXPECT_FALSE(limiter.try_acquire("k").allowed);
}

TEST(redis_rate_limiter_outage, refuses_while_down_when_configured_to_fail_closed) {
  redis_rate_limiter::settings s;
  s.rate = 5;
  s.burst = 10;
  s.when_unavailable = redis_rate_limiter::on_unavailable::refuse;
  s.unavailable_retry_after = 250ms;
  redis_rate_limiter limiter{testing::quick_options(1), s};   // nothing listens on port 1
  auto d = limiter.try_acquire("k");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 250ms);
  EXPECT_EQ(limiter.unavailable_decisions(), 1u);
}

}  // namespace
}  // namespace cartmate::stores::redis
