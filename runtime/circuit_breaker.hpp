// circuit_breaker.hpp — closed / open / half-open breaker per call target, and the registry
// that hands out one breaker per target name. Thread-safe: many actors share one breaker.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cartmate::runtime {

enum class breaker_state { closed, open, half_open };

std::string_view to_string(breaker_state state);

struct breaker_settings {
  int failure_threshold = 5;                    // consecutive failures that open it
  std::chrono::milliseconds reset_timeout{2000};  // open → half-open after this
};

/// Fails fast while a target keeps failing: after N consecutive failures it opens and
/// refuses calls; after the reset timeout it lets exactly one trial call through
/// (half-open); the trial's success closes it, its failure opens it again.
class circuit_breaker {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using transition_listener = std::function<void(breaker_state from, breaker_state to)>;

  explicit circuit_breaker(breaker_settings settings, transition_listener listener = {});

  /// True when a call may go out now. In half-open state only the first caller gets true,
  /// and it must report the outcome with record_success or record_failure.
  bool try_acquire(time_point now);
  void record_success();
  void record_failure(time_point now);

  /// Opens it now, whatever its count (the target is known to be gone, e.g. its node died).
  void trip(time_point now);
  /// Closes it now (the target is back); a no-op when already closed.
  void reset();

  breaker_state state() const;

 private:
  void transition(breaker_state to);  // requires mutex_

  const breaker_settings settings_;
  const transition_listener listener_;
  mutable std::mutex mutex_;
  // Readable without the mutex so the common case (closed, no failures) takes no lock;
  // every change happens under the mutex.
  std::atomic<breaker_state> state_{breaker_state::closed};
  std::atomic<int> consecutive_failures_{0};
  time_point opened_at_{};
  bool trial_in_flight_ = false;
};

/// One breaker per target name ("agent:cart", "retailer:amazon"), created on first use.
/// Breakers live as long as the registry, so callers may keep the reference.
class breaker_registry {
 public:
  using listener_type =
    std::function<void(const std::string& target, breaker_state from, breaker_state to)>;

  explicit breaker_registry(breaker_settings defaults, listener_type listener = {});

  circuit_breaker& get(const std::string& target);
  std::vector<std::pair<std::string, breaker_state>> states() const;

 private:
  const breaker_settings defaults_;
  const listener_type listener_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<circuit_breaker>, std::less<>> breakers_;
};

}  // namespace cartmate::runtime
