// rate_limiter.hpp — token buckets keyed by tenant: `burst` tokens, refilled at `rate` per
// second; a refusal says how long until the next token.
// Threading: safe for concurrent use from any thread (one mutex; the critical section is a
// map lookup and a few arithmetic operations). The clock is injected so tests control time.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cartmate::runtime {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;
  using clock_fn = std::function<clock::time_point()>;

  struct decision {
    bool allowed = true;
    /// When refused: time until `cost` tokens are back (rounded up, at least 1 ms).
    std::chrono::milliseconds retry_after{0};
  };

  /// `rate` tokens per second (0 or less: unlimited), at most `burst` stored (at least 1).
  rate_limiter(double rate, double burst, clock_fn now = [] { return clock::now(); });

  /// Takes `cost` tokens from `key`'s bucket when it has them; a new key starts full.
  decision try_acquire(std::string_view key, double cost = 1.0);

  bool unlimited() const { return rate_ <= 0; }

  /// Buckets currently tracked (full idle buckets are forgotten as the map grows).
  size_t tracked() const;

 private:
  struct bucket {
    double tokens;
    clock::time_point updated;
  };

  void refill(bucket& b, clock::time_point now) const;
  void prune(clock::time_point now);

  double rate_;
  double burst_;
  clock_fn now_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
  size_t prune_at_ = 1024;
};

}  // namespace cartmate::runtime
