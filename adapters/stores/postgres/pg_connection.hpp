// pg_connection.hpp — one libpqxx connection that reconnects with backoff and turns every libpqxx
// exception into a caf::error value (this is the edge where they are caught).
// Threading: not thread-safe. One thread uses it at a time (a pg_pool worker owns one for its
// life); handing it to another thread between calls is fine, sharing it concurrently is not.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <pqxx/connection>

#include "runtime/backoff.hpp"

namespace cartmate::stores::pg {

/// How to reach PostgreSQL and how hard to try.
struct pg_options {
  /// libpq connection string, e.g. "host=127.0.0.1 port=5432 user=cartmate dbname=cartmate".
  std::string conninfo;
  /// Wait between failed connection attempts; calls in between fail at once with unavailable.
  runtime::backoff_policy reconnect{std::chrono::milliseconds{50}, std::chrono::seconds{2}, 2.0, 0.2};
  /// Added to conninfo as connect_timeout unless it already sets one (libpq's default is forever).
  int connect_timeout_s = 3;
  /// Server-side limit on one statement (libpq `options=-c statement_timeout`), so a stuck query
  /// frees its worker; 0 sets none. Not applied when conninfo is a URI or sets options itself.
  int statement_timeout_ms = 0;
};

/// A named statement, prepared on each (re)connected session the first time it is used.
struct pg_statement {
  const char* name;
  const char* sql;
};

/// Whether a call that fails because a reused connection had broken may run once more on a
/// fresh connection. Only for calls that are safe to repeat (reads, writes under an idempotency
/// key): a broken connection may have lost the commit's answer, not the commit.
enum class pg_retry : uint8_t { never, once_if_stale };

class pg_connection {
 public:
  explicit pg_connection(pg_options opts);
  ~pg_connection();

  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  /// Runs `fn(pqxx::connection&) -> caf::expected<T>` on a live connection, connecting first
  /// when needed. A broken connection or server (also while connecting, or during commit) gives
  /// errc::unavailable and a reconnect later; other libpqxx or std exceptions give
  /// errc::agent_error. Errors `fn` returns pass through unchanged. Never throws.
  template <class F>
  auto run(F&& fn, pg_retry retry = pg_retry::never)
    -> std::invoke_result_t<F&, pqxx::connection&> {
    using result_t = std::invoke_result_t<F&, pqxx::connection&>;
    std::optional<result_t> out;
    auto err = run_impl([&](pqxx::connection& c) { out.emplace(fn(c)); }, retry);
    if (err)
      return result_t{std::move(err)};
    return std::move(*out);
  }

  /// Prepares `stmt` on the current session unless done since the last (re)connect. Call it
  /// inside run(); libpqxx sends the statement to the server on its first use.
  void ensure_prepared(pqxx::connection& c, const pg_statement& stmt);

  /// True while a session is open (it may still turn out broken on its next use).
  bool connected() const noexcept;

  /// Connections opened so far, counting reconnects (for tests and metrics).
  uint64_t connects() const noexcept { return connects_; }

  /// Closes the session; the next run() reconnects (no backoff wait).
  void disconnect() noexcept;

 private:
  caf::error run_impl(const std::function<void(pqxx::connection&)>& body, pg_retry retry);
  caf::error ensure_connected();
  void drop(const std::string& why) noexcept;

  pg_options opts_;
  std::string conninfo_;
  std::unique_ptr<pqxx::connection> conn_;
  std::set<std::string> prepared_;                       // names prepared on conn_
  uint32_t failed_attempts_ = 0;                        // since the last successful connect
  std::chrono::steady_clock::time_point next_attempt_{};  // no connect attempt before this
  uint64_t connects_ = 0;
};

/// True for SQLSTATEs that mean the session or server is gone (class 08, 57P01..57P03).
bool is_connection_sqlstate(const std::string& sqlstate);

}  // namespace cartmate::stores::pg
