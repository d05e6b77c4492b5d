// redis_connection.hpp — one hiredis connection with connect and command timeouts that
// reconnects with backoff after an error and answers every command with a caf::expected value:
// a Redis error reply is errc::agent_error (with Redis's message), a lost or refused connection
// errc::unavailable, a command that outlives command_timeout errc::timeout.
// Threading: not thread-safe. One thread uses it at a time (a redis_pool worker owns one for its
// life); handing it to another thread between calls is fine, sharing it concurrently is not.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "runtime/backoff.hpp"

struct redisContext;

namespace cartmate::stores::redis {

/// How to reach Redis and how hard to try.
struct redis_options {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  /// Sent with AUTH after each connect when not empty.
  std::string password;
  /// Chosen with SELECT after each connect when not 0.
  int database = 0;
  /// Longest wait for the TCP connection (hiredis' default is forever).
  std::chrono::milliseconds connect_timeout{1000};
  /// Longest wait for one reply; a command that takes longer drops the connection.
  std::chrono::milliseconds command_timeout{1000};
  /// Wait between failed connection attempts; calls in between fail at once with unavailable.
  runtime::backoff_policy reconnect{std::chrono::milliseconds{50}, std::chrono::seconds{2}, 2.0,
                                    0.2};
};

/// One reply, copied out of hiredis. Error replies only appear nested (e.g. inside EXEC's
/// array); a top-level error reply becomes an error value instead.
struct redis_reply {
  enum class kind : uint8_t { nil, string, integer, status, array, error };

  kind type = kind::nil;
  std::string str;                   // string, status and error
  int64_t integer = 0;               // integer
  std::vector<redis_reply> elements; // array

  bool is_nil() const noexcept { return type == kind::nil; }
};

/// Whether a command that fails because a reused connection had broken may run once more on a
/// fresh connection. Only for commands that are safe to repeat (GET, SET, DEL, PUBLISH...): a
/// broken connection may have lost the reply, not the command.
enum class redis_retry : uint8_t { never, once_if_stale };

class redis_connection {
 public:
  explicit redis_connection(redis_options opts);
  ~redis_connection();

  redis_connection(const redis_connection&) = delete;
  redis_connection& operator=(const redis_connection&) = delete;

  /// Runs one command (binary-safe arguments, e.g. {"SET", key, value}), connecting first when
  /// needed. Never throws.
  caf::expected<redis_reply> command(std::initializer_list<std::string_view> args,
                                     redis_retry retry = redis_retry::never);

  /// The same for an argument list built at run time.
  caf::expected<redis_reply> command_args(const std::vector<std::string>& args,
                                          redis_retry retry = redis_retry::never);

  /// True while a connection is open (it may still turn out broken on its next use).
  bool connected() const noexcept;

  /// Connections opened so far, counting reconnects (for tests and metrics).
  uint64_t connects() const noexcept { return connects_; }

  /// Closes the connection; the next command reconnects (no backoff wait).
  void disconnect() noexcept;

  const redis_options& options() const noexcept { return opts_; }

 private:
  caf::expected<redis_reply> run(const std::vector<std::string_view>& args, redis_retry retry);
  caf::error ensure_connected();
  void drop(const std::string& why) noexcept;

  struct context_deleter {
    void operator()(redisContext* c) const noexcept;   // redisFree
  };

  redis_options opts_;
  std::unique_ptr<redisContext, context_deleter> ctx_;
  uint32_t failed_attempts_ = 0;                          // since the last successful connect
  std::chrono::steady_clock::time_point next_attempt_{};  // no connect attempt before this
  uint64_t connects_ = 0;
};

/// PUBLISH `payload` on `channel`; the number of subscribers that received it (0 is not an
/// error: Redis pub/sub keeps nothing for absent subscribers).
caf::expected<int64_t> publish(redis_connection& conn, std::string_view channel,
                               std::string_view payload);

}  // namespace cartmate::stores::redis
