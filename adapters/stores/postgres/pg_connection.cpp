// pg_connection.cpp — connecting with backoff and mapping libpqxx exceptions to error values.
#include "adapters/stores/postgres/pg_connection.hpp"

#include <pqxx/except>

#include <spdlog/spdlog.h>

#include "protocol/errors.hpp"

namespace cartmate::stores::pg {

namespace {

using protocol::errc;
using protocol::make_error;

bool is_uri(const std::string& conninfo) {
  return conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0;
}

// Adds connect_timeout and statement_timeout to a key=value conninfo unless it sets them.
std::string with_timeouts(const std::string& conninfo, const pg_options& opts) {
  if (is_uri(conninfo))
    return conninfo;
  auto out = conninfo;
  if (opts.connect_timeout_s > 0 && out.find("connect_timeout") == std::string::npos)
    out += " connect_timeout=" + std::to_string(opts.connect_timeout_s);
  if (opts.statement_timeout_ms > 0 && out.find("options") == std::string::npos)
    out += " options='-c statement_timeout=" + std::to_string(opts.statement_timeout_ms) + "'";
  return out;
}

}  // namespace

bool is_connection_sqlstate(const std::string& sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02"
         || sqlstate == "57P03";
}

pg_connection::pg_connection(pg_options opts)
  : opts_(std::move(opts)),
    conninfo_(with_timeouts(opts_.conninfo, opts_)) {
  // nop: the first run() connects, so constructing never blocks
}

pg_connection::~pg_connection() {
  disconnect();
}

bool pg_connection::connected() const noexcept {
  return conn_ != nullptr && conn_->is_open();
}

void pg_connection::disconnect() noexcept {
  if (conn_) {
    try {
      conn_->disconnect();
    } catch (...) {
      // nop: closing a broken session has nothing left to report
    }
    conn_.reset();
  }
  prepared_.clear();
}

void pg_connection::drop(const std::string& why) noexcept {
  if (conn_)
    spdlog::warn("postgres: connection lost ({}); reconnecting", why);
  disconnect();
}

void pg_connection::ensure_prepared(pqxx::connection& c, const pg_statement& stmt) {
  if (prepared_.count(stmt.name) != 0)
    return;
  c.prepare(stmt.name, stmt.sql);
  prepared_.insert(stmt.name);
}

caf::error pg_connection::ensure_connected() {
  if (connected())
    return {};
  disconnect();
  auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now);
    return make_error(errc::unavailable, "PostgreSQL unreachable; next connection attempt in "
                                           + std::to_string(wait.count()) + " ms");
  }
  try {
    conn_ = std::make_unique<pqxx::connection>(conninfo_);
    if (failed_attempts_ > 0)
      spdlog::info("postgres: connected again after {} failed attempts", failed_attempts_);
    failed_attempts_ = 0;
    ++connects_;
    return {};
  } catch (const std::exception& e) {
    conn_.reset();
    ++failed_attempts_;
    auto delay = runtime::backoff_delay(opts_.reconnect, failed_attempts_, runtime::random_unit());
    next_attempt_ = std::chrono::steady_clock::now() + delay;
    if (failed_attempts_ == 1)
      spdlog::warn("postgres: cannot connect ({}); retrying with backoff", e.what());
    return make_error(errc::unavailable, std::string{"PostgreSQL unreachable: "} + e.what());
  }
}

caf::error pg_connection::run_impl(const std::function<void(pqxx::connection&)>& body,
                                   pg_retry retry) {
  for (int attempt = 0;; ++attempt) {
    bool reused = connected();
    if (auto err = ensure_connected())
      return err;
    auto stale_retry = [&](const std::string& why) -> bool {
      drop(why);
      return retry == pg_retry::once_if_stale && reused && attempt == 0;
    };
    try {
      body(*conn_);
      return {};
    } catch (const pqxx::broken_connection& e) {
      if (stale_retry(e.what()))
        continue;
      return make_error(errc::unavailable, std::string{"PostgreSQL connection lost: "} + e.what());
    } catch (const pqxx::in_doubt_error& e) {
      // The commit may or may not have happened; callers retry under the same idempotency key.
      drop(e.what());
      return make_error(errc::unavailable, std::string{"PostgreSQL commit outcome unknown: "}
                                             + e.what());
    } catch (const pqxx::sql_error& e) {
      if (is_connection_sqlstate(e.sqlstate())) {
        if (stale_retry(e.what()))
          continue;
        return make_error(errc::unavailable, std::string{"PostgreSQL unavailable: "} + e.what());
      }
      return make_error(errc::agent_error, "PostgreSQL error " + e.sqlstate() + ": " + e.what());
    } catch (const std::exception& e) {
      // A usage or conversion error: a bug on our side, but never a crash of the caller.
      if (conn_ && !conn_->is_open())
        drop(e.what());
      return make_error(errc::agent_error, std::string{"PostgreSQL call failed: "} + e.what());
    }
  }
}

}  // namespace cartmate::stores::pg
