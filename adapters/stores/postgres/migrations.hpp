// migrations.hpp — versioned schema migrations: SQL files named NNNN_name.sql, applied in version
// order, each in its own transaction, and recorded in schema_migrations (with a checksum).
// Threading: plain functions; apply_migrations blocks on PostgreSQL (run it on a pool worker or
// at start-up, never on a CAF scheduler thread). Safe when several nodes start at once.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/stores/postgres/pg_connection.hpp"

namespace cartmate::stores::pg {

struct migration {
  int version = 0;     // the NNNN prefix
  std::string name;    // the file name, e.g. "0001_carts_and_orders.sql"
  std::string sql;     // statements without BEGIN/COMMIT
};

/// Turns (file name, SQL) pairs into migrations sorted by version. errc::invalid_argument for a
/// name that is not NNNN_name.sql, a version 0, or two files with the same version.
[[nodiscard]] caf::expected<std::vector<migration>>
make_migrations(std::vector<std::pair<std::string, std::string>> sources);

/// The migrations under adapters/stores/postgres/migrations, compiled into the binary.
[[nodiscard]] caf::expected<std::vector<migration>> embedded_migrations();

/// FNV-1a 64 of a migration's SQL, as recorded in schema_migrations.checksum.
int64_t migration_checksum(const std::string& sql);

/// Applies every migration not yet recorded, in version order. Each runs in one transaction with
/// its schema_migrations row, under a transaction-scoped advisory lock, so a failure leaves its
/// version unrecorded and a concurrent runner waits and then skips it. Returns the versions
/// applied now (empty when the schema is current). Errors: errc::agent_error naming the file
/// when its SQL fails; errc::conflict naming the file when an applied migration's SQL changed
/// since; errc::unavailable when the server cannot be reached. Stops at the first failure.
[[nodiscard]] caf::expected<std::vector<int>>
apply_migrations(pg_connection& conn, const std::vector<migration>& migrations);

/// The versions recorded in schema_migrations, ascending (empty before the first run).
[[nodiscard]] caf::expected<std::vector<int>> applied_migrations(pg_connection& conn);

}  // namespace cartmate::stores::pg
