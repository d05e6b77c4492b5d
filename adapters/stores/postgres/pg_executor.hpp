// pg_executor.hpp — runs store calls on a pg_pool's workers, where a PostgreSQL store finds the
// worker's own connection (pg_pool::worker_connection()).
// Threading: execute() only queues; safe from any thread.
#pragma once

#include <memory>

#include "adapters/stores/postgres/pg_pool.hpp"
#include "adapters/stores/store_executor.hpp"

namespace cartmate::stores::pg {

class pg_executor final : public store_executor {
 public:
  explicit pg_executor(std::shared_ptr<pg_pool> pool) : pool_(std::move(pool)) {
    // nop
  }

  bool runs_inline() const noexcept override { return false; }

  void execute(std::function<void()> job) override {
    pool_->submit([job = std::move(job)](pg_connection&) { job(); });
  }

  pg_pool& pool() { return *pool_; }

 private:
  std::shared_ptr<pg_pool> pool_;
};

}  // namespace cartmate::stores::pg
