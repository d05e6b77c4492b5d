// rate_limiter_test.cpp — per-key token buckets on an injected clock: burst, refill,
// retry-after, independence of keys, the unlimited setting and concurrent use.
// Threading: single-threaded except the concurrency test.
#include "runtime/rate_limiter.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace cartmate::runtime {
namespace {

using namespace std::chrono_literals;

struct fake_clock {
  rate_limiter::clock::time_point now{};
  rate_limiter::clock_fn fn() {
    return [this] { return now; };
  }
};

TEST(rate_limiter, allows_a_burst_then_refuses_with_the_wait) {
  fake_clock clock;
  rate_limiter limiter{2.0, 3.0, clock.fn()};   // 2 turns/s, bursts of 3
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(limiter.try_acquire("acme").allowed) << i;
  auto refused = limiter.try_acquire("acme");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 500ms);   // one token at 2/s
  clock.now += 200ms;                      // 0.4 tokens back
  refused = limiter.try_acquire("acme");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 300ms);
  clock.now += 300ms;
  EXPECT_TRUE(limiter.try_acquire("acme").allowed);
  EXPECT_FALSE(limiter.try_acquire("acme").allowed);
}

TEST(rate_limiter, refill_stops_at_the_burst) {
  fake_clock clock;
  rate_limiter limiter{10.0, 2.0, clock.fn()};
  EXPECT_TRUE(limiter.try_acquire("t").allowed);
  clock.now += 1h;
  EXPECT_TRUE(limiter.try_acquire("t").allowed);
  EXPECT_TRUE(limiter.try_acquire("t").allowed);
  EXPECT_FALSE(limiter.try_acquire("t").allowed);
}

TEST(rate_limiter, tenants_have_separate_buckets) {
  fake_clock clock;
  rate_limiter limiter{1.0, 1.0, clock.fn()};
  EXPECT_TRUE(limiter.try_acquire("acme").allowed);
  EXPECT_FALSE(limiter.try_acquire("acme").allowed);
  EXPECT_TRUE(limiter.try_acquire("globex").allowed);
  EXPECT_EQ(limiter.tracked(), 2u);
}

TEST(rate_limiter, retry_after_is_rounded_up_to_at_least_one_ms) {
  fake_clock clock;
  rate_limiter limiter{3.0, 1.0, clock.fn()};
  EXPECT_TRUE(limiter.try_acquire("t").allowed);
  auto r = limiter.try_acquire("t");
  ASSERT_FALSE(r.allowed);
  EXPECT_EQ(r.retry_after, 334ms);   // 333.3 ms rounded up
  clock.now += 333ms;   // 0.999 tokens: 0.33 ms short, reported as 1 ms
  r = limiter.try_acquire("t");
  ASSERT_FALSE(r.allowed);
  EXPECT_EQ(r.retry_after, 1ms);
}

TEST(rate_limiter, zero_rate_means_unlimited) {
  fake_clock clock;
  rate_limiter limiter{0.0, 1.0, clock.fn()};
  EXPECT_TRUE(limiter.unlimited());
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(limiter.try_acquire("t").allowed);
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(rate_limiter, full_buckets_are_forgotten_as_keys_pile_up) {
  fake_clock clock;
  rate_limiter limiter{1000.0, 1.0, clock.fn()};
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(limiter.try_acquire("tenant-" + std::to_string(i)).allowed);
    clock.now += 10ms;   // each earlier bucket is full again
  }
  EXPECT_LT(limiter.tracked(), 2100u);
}

TEST(rate_limiter, concurrent_callers_never_get_more_than_the_burst) {
  fake_clock clock;   // time stands still: exactly `burst` grants in total
  rate_limiter limiter{1.0, 100.0, clock.fn()};
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i)
        if (limiter.try_acquire("shared").allowed)
          ++granted;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(granted.load(), 100);
}

}  // namespace
}  // namespace cartmate::runtime
