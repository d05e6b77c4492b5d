// connection_pool.hpp — N worker threads, each owning one Connection (a libpqxx or hiredis
// session), that run blocking jobs so that no CAF scheduler thread ever waits on a server.
// Results go back to actors as messages (submit_reply, or actors/common/store_call.hpp).
// Threading: submit(), submit_reply() and stop() are safe from any thread, CAF workers included
// (they only queue). A job runs on one worker and uses only that worker's connection, which a
// store called inside the job finds through worker_connection().
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "protocol/errors.hpp"

namespace cartmate::runtime {

template <class Connection, class Options>
class connection_pool {
 public:
  using job = std::function<void(Connection&)>;

  /// Starts `workers` threads (at least 1), each with its own Connection(opts). Connections
  /// open lazily on the first job, so a server that is down does not delay start-up. `name`
  /// labels the pool's log lines.
  connection_pool(Options opts, size_t workers, std::string name) : name_(std::move(name)) {
    workers = std::max<size_t>(workers, 1);
    workers_.reserve(workers);
    for (size_t i = 0; i < workers; ++i)
      workers_.emplace_back([this, opts] { work(opts); });
  }

  /// stop().
  ~connection_pool() { stop(); }

  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  /// Runs every job already queued (they fail fast when the server is down), then joins the
  /// workers; later jobs are dropped. Idempotent. Call it once the actors that submit jobs have
  /// stopped (node::at_stop), so the workers are never joined on a CAF thread when the last
  /// owner goes away there.
  void stop() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_)
      if (t.joinable() && t.get_id() != std::this_thread::get_id())
        t.join();
  }

  /// Queues `fn(Connection&)` for the next free worker. An exception escaping `fn` is caught
  /// and logged on the worker; prefer returning errors as values.
  template <class F>
  void submit(F fn) {
    job j{std::move(fn)};
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

  /// Runs `fn(Connection&) -> caf::expected<T>` on a worker and sends the outcome to `to` with
  /// caf::anon_send as `(tag, request_id, T)` or `(tag, request_id, caf::error)`.
  template <class Tag, class F>
  void submit_reply(caf::actor to, Tag tag, uint64_t request_id, F fn) {
    submit([to = std::move(to), tag, request_id, fn = std::move(fn)](Connection& c) mutable {
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
  size_t queued() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return jobs_.size();
  }

  /// The connection of the pool worker running on this thread, or nullptr on any other thread.
  static Connection* worker_connection() noexcept { return current_; }

 private:
  void work(Options opts) {
    Connection conn{std::move(opts)};
    current_ = &conn;
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
        spdlog::error("{} pool: a job threw: {}", name_, e.what());
      } catch (...) {
        spdlog::error("{} pool: a job threw a non-standard exception", name_);
      }
    }
    current_ = nullptr;
  }

  static inline thread_local Connection* current_ = nullptr;

  std::string name_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace cartmate::runtime
