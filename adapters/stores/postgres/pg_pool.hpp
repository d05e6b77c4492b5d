// pg_pool.hpp — the PostgreSQL worker pool: N threads, each owning one pg_connection, running
// blocking database jobs off CAF's scheduler (runtime/connection_pool.hpp has the mechanics).
// Threading: as connection_pool; a PostgreSQL store called inside a job uses that worker's
// connection (pg_pool::worker_connection()).
#pragma once

#include <cstddef>
#include <utility>

#include "adapters/stores/postgres/pg_connection.hpp"
#include "runtime/connection_pool.hpp"

namespace cartmate::stores::pg {

class pg_pool final : public runtime::connection_pool<pg_connection, pg_options> {
 public:
  /// `workers` threads (at least 1), each with its own connection to `opts.conninfo`.
  pg_pool(pg_options opts, size_t workers)
    : connection_pool(std::move(opts), workers, "postgres") {
    // nop
  }
};

}  // namespace cartmate::stores::pg
