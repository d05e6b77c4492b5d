// redis_rate_limiter.cpp — the token-bucket script and the fail-open/closed decision.
#include "adapters/stores/redis/redis_rate_limiter.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include <spdlog/spdlog.h>

#include "protocol/errors.hpp"

namespace cartmate::stores::redis {

namespace {

// Times are microseconds from Redis TIME (exact in a Lua double until 2^53). A bucket expires
// once it would be full again: recreating it full later is exact, so idle keys cost nothing.
constexpr const char* token_bucket_lua = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) / 1000000 * rate)
  ts = now
end
local allowed = 0
local wait_ms = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait_ms = math.max(1, math.ceil((cost - tokens) / rate * 1000))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.0f', ts))
redis.call('PEXPIRE', KEYS[1], math.min(1e12, math.ceil((burst - tokens) / rate * 1000) + 1000))
return {allowed, wait_ms}
)lua";

std::string number(double x) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", x);
  return buf;
}

}  // namespace

const char* redis_rate_limiter::script() {
  return token_bucket_lua;
}

redis_rate_limiter::redis_rate_limiter(std::shared_ptr<redis_client> client, settings s)
  : client_(std::move(client)), settings_(std::move(s)) {
  settings_.burst = std::max(settings_.burst, 1.0);
}

redis_rate_limiter::redis_rate_limiter(redis_options opts, settings s, size_t connections)
  : redis_rate_limiter(std::make_shared<redis_client>(std::move(opts), connections),
                       std::move(s)) {
  // nop
}

redis_rate_limiter::decision redis_rate_limiter::without_redis(const caf::error& why) {
  ++unavailable_;
  if (!outage_logged_.exchange(true))
    spdlog::warn("redis rate limiter: no answer from Redis ({}); {} requests until it is back",
                 protocol::describe(why),
                 settings_.when_unavailable == on_unavailable::allow ? "allowing" : "refusing");
  if (settings_.when_unavailable == on_unavailable::allow)
    return {};
  return {false, std::max(settings_.unavailable_retry_after, std::chrono::milliseconds{1})};
}

redis_rate_limiter::decision redis_rate_limiter::try_acquire(std::string_view key, double cost) {
  if (unlimited())
    return {};
  // Not retried on a stale connection: the script may have run and taken the tokens already.
  auto reply = client_->command_args({"EVAL", script(), "1",
                                      settings_.key_prefix + "rl:" + std::string{key},
                                      number(settings_.rate), number(settings_.burst),
                                      number(cost)});
  if (!reply)
    return without_redis(reply.error());
  if (reply->type != redis_reply::kind::array || reply->elements.size() != 2
      || reply->elements[0].type != redis_reply::kind::integer
      || reply->elements[1].type != redis_reply::kind::integer)
    return without_redis(protocol::make_error(protocol::errc::agent_error,
                                              "Redis rate-limit script: unexpected reply"));
  if (outage_logged_.exchange(false))
    spdlog::info("redis rate limiter: Redis answers again");
  if (reply->elements[0].integer == 1)
    return {};
  return {false, std::chrono::milliseconds{std::max<int64_t>(reply->elements[1].integer, 1)}};
}

}  // namespace cartmate::stores::redis
