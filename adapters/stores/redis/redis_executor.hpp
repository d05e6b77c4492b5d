// redis_executor.hpp — runs store calls on a redis_pool's workers; a Redis store called there
// uses the worker's own connection (redis_pool::worker_connection()).
// Threading: execute() only queues; safe from any thread.
#pragma once

#include <memory>

#include "adapters/stores/redis/redis_pool.hpp"
#include "adapters/stores/store_executor.hpp"

namespace cartmate::stores::redis {

class redis_executor final : public store_executor {
 public:
  explicit redis_executor(std::shared_ptr<redis_pool> pool) : pool_(std::move(pool)) {
    // nop
  }

  bool runs_inline() const noexcept override { return false; }

  void execute(std::function<void()> job) override {
    pool_->submit([job = std::move(job)](redis_connection&) { job(); });
  }

 private:
  std::shared_ptr<redis_pool> pool_;
};

}  // namespace cartmate::stores::redis
