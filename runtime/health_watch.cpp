// health_watch.cpp — the watch loop: check, record, log state changes, sleep, repeat.
// Threading: run() is the watch thread; the rest only touches mutex-guarded or atomic state.
#include "runtime/health_watch.hpp"

#include <spdlog/spdlog.h>

#include "protocol/errors.hpp"

namespace cartmate::runtime {

health_watch::health_watch(std::string name, std::function<caf::error()> check,
                           std::chrono::milliseconds interval, backoff_policy retry)
  : name_(std::move(name)), check_(std::move(check)), interval_(interval), retry_(retry) {
  thread_ = std::thread{[this] { run(); }};
}

health_watch::~health_watch() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::string health_watch::detail() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return detail_;
}

readiness_registry::probe health_watch::probe() const {
  return [this] { return probe_result{ready(), detail()}; };
}

bool health_watch::wait_first(std::chrono::milliseconds limit) const {
  std::unique_lock<std::mutex> lock{mutex_};
  wake_.wait_for(lock, limit, [this] { return checked_ || stopping_; });
  return ready();
}

void health_watch::run() {
  uint32_t failures = 0;
  for (;;) {
    auto err = check_();
    bool ok = !err;
    bool was = ready_.exchange(ok, std::memory_order_acq_rel);
    std::chrono::milliseconds pause = interval_;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      bool first = !checked_;
      checked_ = true;
      detail_ = ok ? "ok" : protocol::describe(err);
      if (ok && (first || !was))
        spdlog::info("{} is reachable{}", name_, first ? "" : " again");
      else if (!ok && (first || was))
        spdlog::warn("{} is unreachable ({}); retrying with backoff, /readyz reports it", name_,
                     detail_);
    }
    wake_.notify_all();
    if (ok) {
      failures = 0;
    } else {
      pause = backoff_delay(retry_, ++failures, random_unit());
    }
    std::unique_lock<std::mutex> lock{mutex_};
    if (wake_.wait_for(lock, pause, [this] { return stopping_; }))
      return;
  }
}

}  // namespace cartmate::runtime
