// hiredis_context.cpp — connect, AUTH, SELECT and reply copying on top of hiredis' sync API.
#include "adapters/stores/redis/detail/hiredis_context.hpp"

#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "protocol/errors.hpp"

namespace cartmate::stores::redis::detail {

namespace {

using protocol::errc;
using protocol::make_error;

timeval to_timeval(std::chrono::milliseconds ms) {
  auto count = std::max<int64_t>(ms.count(), 1);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(count / 1000);
  tv.tv_usec = static_cast<suseconds_t>((count % 1000) * 1000);
  return tv;
}

struct reply_free {
  void operator()(redisReply* r) const noexcept {
    if (r != nullptr)
      freeReplyObject(r);
  }
};

/// Runs a set-up command (AUTH, SELECT) on a fresh context.
caf::error setup_command(redisContext* c, const std::vector<std::string>& args,
                         const redis_options& opts) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  std::unique_ptr<redisReply, reply_free> reply{static_cast<redisReply*>(
    redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()))};
  if (!reply)
    return context_error(c, "connecting to Redis at " + endpoint(opts));
  if (reply->type == REDIS_REPLY_ERROR)
    return make_error(errc::agent_error, "Redis at " + endpoint(opts) + " refused " + args[0]
                                           + ": " + std::string{reply->str, reply->len});
  return {};
}

}  // namespace

std::string endpoint(const redis_options& opts) {
  return opts.host + ":" + std::to_string(opts.port);
}

caf::expected<context_ptr> open_context(const redis_options& opts) {
  context_ptr c{redisConnectWithTimeout(opts.host.c_str(), opts.port,
                                        to_timeval(opts.connect_timeout))};
  if (!c)
    return make_error(errc::unavailable, "Redis at " + endpoint(opts)
                                           + ": cannot allocate a hiredis context");
  if (c->err != 0)
    return make_error(errc::unavailable, "Redis unreachable at " + endpoint(opts) + ": "
                                           + c->errstr);
  if (redisSetTimeout(c.get(), to_timeval(opts.command_timeout)) != REDIS_OK)
    return make_error(errc::unavailable, "Redis at " + endpoint(opts)
                                           + ": cannot set the command timeout: " + c->errstr);
  // Keep-alive notices a peer that vanished without closing, for idle pooled connections.
  (void) redisEnableKeepAlive(c.get());
  if (!opts.password.empty())
    if (auto err = setup_command(c.get(), {"AUTH", opts.password}, opts))
      return err;
  if (opts.database != 0)
    if (auto err = setup_command(c.get(), {"SELECT", std::to_string(opts.database)}, opts))
      return err;
  return c;
}

redis_reply copy_reply(const redisReply* r) {
  redis_reply out;
  if (r == nullptr)
    return out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = redis_reply::kind::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = redis_reply::kind::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = redis_reply::kind::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = redis_reply::kind::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = redis_reply::kind::array;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i)
        out.elements.push_back(copy_reply(r->element[i]));
      break;
    default:
      out.type = redis_reply::kind::nil;
      break;
  }
  return out;
}

caf::error context_error(const redisContext* c, std::string_view during) {
  std::string what = c != nullptr && c->err != 0 ? c->errstr : "no reply";
  // hiredis reports an expired SO_RCVTIMEO/SO_SNDTIMEO as an I/O error with EAGAIN's text.
  bool timed_out = c != nullptr && c->err == REDIS_ERR_IO
                   && (what == std::strerror(EAGAIN) || what == std::strerror(EWOULDBLOCK));
  if (timed_out)
    return make_error(errc::timeout, std::string{during} + ": no reply within the command timeout");
  return make_error(errc::unavailable, std::string{during} + ": " + what);
}

}  // namespace cartmate::stores::redis::detail
