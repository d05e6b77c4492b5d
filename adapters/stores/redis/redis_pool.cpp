// redis_pool.cpp — the worker loop: take a job, run it on this thread's connection, repeat.
#include "adapters/stores/redis/redis_pool.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace cartmate::stores::redis {

namespace {

thread_local redis_connection* this_worker_connection = nullptr;

}  // namespace

redis_pool::redis_pool(redis_options opts, size_t workers) {
  workers = std::max<size_t>(workers, 1);
  workers_.reserve(workers);
  for (size_t i = 0; i < workers; ++i)
    workers_.emplace_back([this, opts] { work(opts); });
}

redis_pool::~redis_pool() {
  stop();
}

void redis_pool::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_)
    if (t.joinable() && t.get_id() != std::this_thread::get_id())
      t.join();
}

size_t redis_pool::queued() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return jobs_.size();
}

redis_connection* redis_pool::worker_connection() noexcept {
  return this_worker_connection;
}

void redis_pool::enqueue(job j) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (!stopping_) {
      jobs_.push_back(std::move(j));
      j = nullptr;
    }
  }
  if (j)
    return;   // stopped: nobody is left to answer; j is destroyed outside the lock
  wake_.notify_one();
}

void redis_pool::work(redis_options opts) {
  redis_connection conn{std::move(opts)};
  this_worker_connection = &conn;
  for (;;) {
    job next;
    {
      std::unique_lock<std::mutex> guard{mutex_};
      wake_.wait(guard, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty())
        break;   // stopping and drained
      next = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      next(conn);
    } catch (const std::exception& e) {
      spdlog::error("redis pool: a job threw: {}", e.what());
    } catch (...) {
      spdlog::error("redis pool: a job threw a non-standard exception");
    }
  }
  this_worker_connection = nullptr;
}

}  // namespace cartmate::stores::redis
