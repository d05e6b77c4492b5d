// redis_pool.hpp — N worker threads, each owning one redis_connection, that run blocking Redis
// jobs so that no CAF scheduler thread ever waits on the network. Results go back to actors as
// messages. Mirrors pg_pool.
// Threading: submit() and submit_reply() are safe from any thread, including CAF workers (they
// only queue). A job runs on one worker and must use only that worker's connection.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/send.hpp>

#include "adapters/stores/redis/redis_connection.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores::redis {

class redis_pool {
 public:
  using job = std::function<void(redis_connection&)>;

  /// Starts `workers` threads (at least 1), each with its own connection to `opts`.
  /// Connections open lazily on the first job, so a server that is down does not delay start-up.
  redis_pool(redis_options opts, size_t workers);

  /// Runs every job already queued (they fail fast when the server is down), then joins.
  ~redis_pool();

  /// Runs every job already queued, then joins the workers; later jobs are dropped. Idempotent.
  /// Call it once the actors that submit jobs have stopped (node::at_stop), so the workers are
  /// never joined on a CAF thread when the last owner goes away there.
  void stop();

  redis_pool(const redis_pool&) = delete;
  redis_pool& operator=(const redis_pool&) = delete;

  /// Queues `fn(redis_connection&)` for the next free worker. An exception escaping `fn` is
  /// caught and logged on the worker; prefer returning errors as values.
  template <class F>
  void submit(F fn) {
    enqueue(job{std::move(fn)});
  }

  /// Runs `fn(redis_connection&) -> caf::expected<T>` on a worker and sends the outcome to `to`
  /// with caf::anon_send as `(tag, request_id, T)` or `(tag, request_id, caf::error)`.
  template <class Tag, class F>
  void submit_reply(caf::actor to, Tag tag, uint64_t request_id, F fn) {
    submit([to = std::move(to), tag, request_id, fn = std::move(fn)](redis_connection& c) mutable {
      auto result = [&] {
        try {
          return fn(c);
        } catch (const std::exception& e) {
          using result_t = decltype(fn(c));
          return result_t{protocol::make_error(protocol::errc::agent_error, e.what())};
        }
      }();
      if (result)
        caf::anon_send(to, tag, request_id, std::move(*result));
      else
        caf::anon_send(to, tag, request_id, std::move(result.error()));
    });
  }

  /// Number of worker threads.
  size_t size() const noexcept { return workers_.size(); }

  /// Jobs waiting for a worker.
  size_t queued() const;

  /// The connection of the pool worker running on this thread, or nullptr on any other thread.
  /// Lets a store called from inside a job use the worker's connection.
  static redis_connection* worker_connection() noexcept;

 private:
  void enqueue(job j);
  void work(redis_options opts);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace cartmate::stores::redis
