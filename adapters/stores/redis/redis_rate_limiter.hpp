// redis_rate_limiter.hpp — token buckets shared by every node through Redis, with the decisions
// of runtime::rate_limiter: `burst` tokens refilled at `rate` per second, a new key starts full,
// a refusal says how long until `cost` tokens are back. One atomic EVAL of a Lua script per call
// reads the bucket, refills it from Redis' own TIME (node clocks do not matter) and takes tokens.
// When Redis cannot answer (down, hung, refusing), the call fails OPEN by default: the request
// is allowed, the event is counted (unavailable_decisions()) and logged once per outage — a
// shopper is never turned away because the limiter's store is down. Choose on_unavailable::refuse
// to fail closed instead.
// Threading: safe for concurrent use. try_acquire BLOCKS on Redis (see redis_client): keep it
// off CAF scheduler threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/stores/redis/redis_client.hpp"
#include "runtime/rate_limiter.hpp"

namespace cartmate::stores::redis {

class redis_rate_limiter {
 public:
  using decision = runtime::rate_limiter::decision;

  /// What a call decides when Redis gives no answer.
  enum class on_unavailable : uint8_t { allow, refuse };

  struct settings {
    /// Tokens per second (0 or less: unlimited, Redis is never asked).
    double rate = 0;
    /// Most tokens a bucket holds (at least 1).
    double burst = 1;
    /// Buckets live at "<key_prefix>rl:<key>"; nodes with equal prefixes share buckets.
    std::string key_prefix = "cartmate:";
    on_unavailable when_unavailable = on_unavailable::allow;
    /// retry_after of a refusal made because Redis was unavailable (on_unavailable::refuse).
    std::chrono::milliseconds unavailable_retry_after{1000};
  };

  redis_rate_limiter(std::shared_ptr<redis_client> client, settings s);

  /// With a client of its own of up to `connections` connections.
  redis_rate_limiter(redis_options opts, settings s, size_t connections = 2);

  /// Takes `cost` tokens from `key`'s shared bucket when it has them.
  decision try_acquire(std::string_view key, double cost = 1.0);

  bool unlimited() const { return settings_.rate <= 0; }

  /// Decisions made without Redis (allowed or refused per settings::when_unavailable).
  uint64_t unavailable_decisions() const noexcept { return unavailable_.load(); }

  /// The Lua script run by EVAL (KEYS[1] bucket; ARGV rate, burst, cost; returns
  /// {allowed 0|1, retry_after_ms}).
  static const char* script();

 private:
  decision without_redis(const caf::error& why);

  std::shared_ptr<redis_client> client_;
  settings settings_;
  std::atomic<uint64_t> unavailable_{0};
  std::atomic<bool> outage_logged_{false};
};

}  // namespace cartmate::stores::redis
