// pg_store_fixture.hpp — helpers shared by the pg suites: a migrated fresh database per test and
// the skip-or-fail rule (skip only when the PostgreSQL binaries are missing).
// Threading: test thread only.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "adapters/stores/postgres/migrations.hpp"
#include "adapters/stores/postgres/pg_connection.hpp"
#include "protocol/errors.hpp"
#include "tests/pg/pg_test_server.hpp"

namespace cartmate::testing {

/// Options for `conninfo` with a short reconnect backoff, so recovery tests stay quick.
inline stores::pg::pg_options quick_options(const std::string& conninfo) {
  stores::pg::pg_options opts;
  opts.conninfo = conninfo;
  opts.reconnect.initial = std::chrono::milliseconds{20};
  opts.reconnect.max = std::chrono::milliseconds{200};
  return opts;
}

/// A fresh database with the embedded migrations applied; "" with a gtest failure otherwise.
inline std::string migrated_database() {
  std::string why;
  auto conninfo = fresh_database(&why);
  if (conninfo.empty()) {
    ADD_FAILURE() << "cannot provide a PostgreSQL database: " << why;
    return {};
  }
  auto migrations = stores::pg::embedded_migrations();
  if (!migrations) {
    ADD_FAILURE() << protocol::describe(migrations.error());
    return {};
  }
  stores::pg::pg_connection conn{quick_options(conninfo)};
  auto applied = stores::pg::apply_migrations(conn, *migrations);
  if (!applied) {
    ADD_FAILURE() << protocol::describe(applied.error());
    return {};
  }
  return conninfo;
}

}  // namespace cartmate::testing

/// Skips the current test when the PostgreSQL binaries are missing; a set-up failure is a failure.
#define CARTMATE_REQUIRE_PG_BINARIES()                                                  \
  do {                                                                                  \
    if (::cartmate::testing::pg_test_server::find_bin_dir().empty())                    \
      GTEST_SKIP() << ::cartmate::testing::pg_test_server::missing_binaries_message(); \
  } while (false)
