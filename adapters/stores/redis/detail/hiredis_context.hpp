// hiredis_context.hpp — the hiredis edge shared by redis_connection and redis_subscriber:
// opening a context (timeouts, keep-alive, AUTH, SELECT), copying replies, naming errors.
// Internal to adapters/stores/redis. Threading: free functions; a context has one user at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <hiredis/hiredis.h>

#include "adapters/stores/redis/redis_connection.hpp"

namespace cartmate::stores::redis::detail {

struct context_free {
  void operator()(redisContext* c) const noexcept {
    if (c != nullptr)
      redisFree(c);
  }
};

using context_ptr = std::unique_ptr<redisContext, context_free>;

/// Connects with opts' timeouts, then authenticates and selects the database. Blocks up to
/// connect_timeout plus two command timeouts. errc::unavailable when Redis cannot be reached,
/// errc::agent_error when it refuses AUTH or SELECT.
caf::expected<context_ptr> open_context(const redis_options& opts);

/// A deep copy of `r` (error replies as kind::error).
redis_reply copy_reply(const redisReply* r);

/// The error value for a context whose err is set: errc::timeout for a read or write that ran
/// out of time, errc::unavailable otherwise.
caf::error context_error(const redisContext* c, std::string_view during);

/// "127.0.0.1:6379", for log lines and error details.
std::string endpoint(const redis_options& opts);

}  // namespace cartmate::stores::redis::detail
