// redis_connection.cpp — connecting with backoff and turning hiredis replies and context errors
// into values.
#include "adapters/stores/redis/redis_connection.hpp"

#include <spdlog/spdlog.h>

#include "adapters/stores/redis/detail/hiredis_context.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores::redis {

namespace {

using protocol::errc;
using protocol::make_error;

struct reply_free {
  void operator()(redisReply* r) const noexcept {
    if (r != nullptr)
      freeReplyObject(r);
  }
};

}  // namespace

void redis_connection::context_deleter::operator()(redisContext* c) const noexcept {
  if (c != nullptr)
    redisFree(c);
}

redis_connection::redis_connection(redis_options opts) : opts_(std::move(opts)) {
  // nop: the first command connects, so constructing never blocks
}

redis_connection::~redis_connection() {
  disconnect();
}

bool redis_connection::connected() const noexcept {
  return ctx_ != nullptr && ctx_->err == 0;
}

void redis_connection::disconnect() noexcept {
  ctx_.reset();
}

void redis_connection::drop(const std::string& why) noexcept {
  if (ctx_)
    spdlog::warn("redis: connection to {} lost ({}); reconnecting", detail::endpoint(opts_), why);
  disconnect();
}

caf::error redis_connection::ensure_connected() {
  if (connected())
    return {};
  disconnect();
  auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now);
    return make_error(errc::unavailable, "Redis unreachable at " + detail::endpoint(opts_)
                                           + "; next connection attempt in "
                                           + std::to_string(wait.count()) + " ms");
  }
  auto opened = detail::open_context(opts_);
  if (!opened) {
    ++failed_attempts_;
    auto delay = runtime::backoff_delay(opts_.reconnect, failed_attempts_, runtime::random_unit());
    next_attempt_ = std::chrono::steady_clock::now() + delay;
    if (failed_attempts_ == 1)
      spdlog::warn("redis: cannot connect ({}); retrying with backoff",
                   protocol::describe(opened.error()));
    return std::move(opened.error());
  }
  ctx_.reset(opened->release());
  if (failed_attempts_ > 0)
    spdlog::info("redis: connected to {} again after {} failed attempts", detail::endpoint(opts_),
                 failed_attempts_);
  failed_attempts_ = 0;
  ++connects_;
  return {};
}

caf::expected<redis_reply> redis_connection::command(std::initializer_list<std::string_view> args,
                                                     redis_retry retry) {
  return run(std::vector<std::string_view>{args}, retry);
}

caf::expected<redis_reply> redis_connection::command_args(const std::vector<std::string>& args,
                                                          redis_retry retry) {
  return run(std::vector<std::string_view>{args.begin(), args.end()}, retry);
}

caf::expected<redis_reply> redis_connection::run(const std::vector<std::string_view>& args,
                                                 redis_retry retry) {
  if (args.empty())
    return make_error(errc::invalid_argument, "empty Redis command");
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  for (int attempt = 0;; ++attempt) {
    bool reused = connected();
    if (auto err = ensure_connected())
      return err;
    std::unique_ptr<redisReply, reply_free> reply{static_cast<redisReply*>(redisCommandArgv(
      ctx_.get(), static_cast<int>(argv.size()), argv.data(), lens.data()))};
    if (reply) {
      if (reply->type == REDIS_REPLY_ERROR)
        return make_error(errc::agent_error, "Redis " + std::string{args[0]} + ": "
                                               + std::string{reply->str, reply->len});
      return detail::copy_reply(reply.get());
    }
    // The context is unusable after any I/O error: a late reply would answer the next command.
    auto err = detail::context_error(ctx_.get(), "Redis " + std::string{args[0]} + " at "
                                                   + detail::endpoint(opts_));
    drop(ctx_ ? ctx_->errstr : "no context");
    bool stale = reused && attempt == 0 && protocol::errc_of(err) == errc::unavailable;
    if (retry == redis_retry::once_if_stale && stale)
      continue;
    return err;
  }
}

caf::expected<int64_t> publish(redis_connection& conn, std::string_view channel,
                               std::string_view payload) {
  auto reply = conn.command({"PUBLISH", channel, payload}, redis_retry::once_if_stale);
  if (!reply)
    return std::move(reply.error());
  if (reply->type != redis_reply::kind::integer)
    return protocol::make_error(protocol::errc::agent_error, "Redis PUBLISH: unexpected reply");
  return reply->integer;
}

}  // namespace cartmate::stores::redis
