// redis_pool.hpp — the Redis worker pool: N threads, each owning one redis_connection, running
// blocking hiredis calls off CAF's scheduler (runtime/connection_pool.hpp has the mechanics).
// Threading: as connection_pool; a Redis store called inside a job uses that worker's
// connection (redis_pool::worker_connection()).
#pragma once

#include <cstddef>
#include <utility>

#include "adapters/stores/redis/redis_connection.hpp"
#include "runtime/connection_pool.hpp"

namespace cartmate::stores::redis {

class redis_pool final : public runtime::connection_pool<redis_connection, redis_options> {
 public:
  /// `workers` threads (at least 1), each with its own connection to `opts`.
  redis_pool(redis_options opts, size_t workers)
    : connection_pool(std::move(opts), workers, "redis") {
    // nop
  }
};

}  // namespace cartmate::stores::redis
