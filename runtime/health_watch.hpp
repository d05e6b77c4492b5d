// health_watch.hpp — keeps asking whether an external server is usable (PostgreSQL, Redis) on a
// thread of its own: at once, then every `interval` while it answers, with backoff while it
// does not. Logs each change of state once, so an outage is one clear line, not a flood.
// Threading: ready() and detail() are safe from any thread; the check runs on the watch's own
// thread only (it may block); the destructor stops and joins it (bounded by one check).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <caf/error.hpp>

#include "runtime/backoff.hpp"
#include "runtime/readiness.hpp"

namespace cartmate::runtime {

class health_watch {
 public:
  /// `check` returns no error when the server is usable; it may block up to its own timeout.
  health_watch(std::string name, std::function<caf::error()> check,
               std::chrono::milliseconds interval, backoff_policy retry);
  ~health_watch();

  health_watch(const health_watch&) = delete;
  health_watch& operator=(const health_watch&) = delete;

  bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }

  /// "ok", or the last failure's description.
  std::string detail() const;

  /// A probe for readiness_registry; it reads this watch, which must outlive the registry's use.
  readiness_registry::probe probe() const;

  /// Blocks until the first check has finished or `limit` has passed; whether it is ready.
  bool wait_first(std::chrono::milliseconds limit) const;

 private:
  void run();

  std::string name_;
  std::function<caf::error()> check_;
  std::chrono::milliseconds interval_;
  backoff_policy retry_;
  std::atomic<bool> ready_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;
  std::string detail_ = "not checked yet";
  bool checked_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cartmate::runtime
