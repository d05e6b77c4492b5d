// circuit_breaker.cpp — breaker state machine. Transitions happen under the breaker's mutex and
// the listener runs there too, so it must only record (metrics, logs), never call back in.
#include "runtime/circuit_breaker.hpp"

namespace cartmate::runtime {

std::string_view to_string(breaker_state state) {
  switch (state) {
    case breaker_state::closed: return "closed";
    case breaker_state::open: return "open";
    case breaker_state::half_open: return "half_open";
  }
  return "unknown";
}

circuit_breaker::circuit_breaker(breaker_settings settings, transition_listener listener)
  : settings_(settings), listener_(std::move(listener)) {
  // nop
}

bool circuit_breaker::try_acquire(time_point now) {
  if (state_.load(std::memory_order_acquire) == breaker_state::closed)
    return true;
  std::lock_guard<std::mutex> guard{mutex_};
  switch (state_.load()) {
    case breaker_state::closed:
      return true;
    case breaker_state::open:
      if (now - opened_at_ < settings_.reset_timeout)
        return false;
      transition(breaker_state::half_open);
      trial_in_flight_ = true;
      return true;
    case breaker_state::half_open:
      if (trial_in_flight_)
        return false;
      trial_in_flight_ = true;
      return true;
  }
  return false;
}

void circuit_breaker::record_success() {
  if (state_.load(std::memory_order_acquire) == breaker_state::closed
      && consecutive_failures_.load(std::memory_order_relaxed) == 0)
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  consecutive_failures_ = 0;
  trial_in_flight_ = false;
  if (state_ != breaker_state::closed)
    transition(breaker_state::closed);
}

void circuit_breaker::record_failure(time_point now) {
  std::lock_guard<std::mutex> guard{mutex_};
  trial_in_flight_ = false;
  if (state_ == breaker_state::half_open) {
    opened_at_ = now;
    transition(breaker_state::open);
    return;
  }
  if (state_ == breaker_state::open)
    return;  // a late failure of a call made before opening; the timer keeps running
  if (++consecutive_failures_ >= settings_.failure_threshold) {
    opened_at_ = now;
    transition(breaker_state::open);
  }
}

void circuit_breaker::trip(time_point now) {
  std::lock_guard<std::mutex> guard{mutex_};
  trial_in_flight_ = false;
  opened_at_ = now;
  if (state_ != breaker_state::open)
    transition(breaker_state::open);
}

void circuit_breaker::reset() {
  std::lock_guard<std::mutex> guard{mutex_};
  consecutive_failures_ = 0;
  trial_in_flight_ = false;
  if (state_ != breaker_state::closed)
    transition(breaker_state::closed);
}

breaker_state circuit_breaker::state() const {
  return state_.load(std::memory_order_acquire);
}

void circuit_breaker::transition(breaker_state to) {
  auto from = state_.load();
  state_.store(to, std::memory_order_release);
  if (listener_)
    listener_(from, to);
}

breaker_registry::breaker_registry(breaker_settings defaults, listener_type listener)
  : defaults_(defaults), listener_(std::move(listener)) {
  // nop
}

circuit_breaker& breaker_registry::get(const std::string& target) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = breakers_.find(target);
  if (i != breakers_.end())
    return *i->second;
  circuit_breaker::transition_listener on_transition;
  if (listener_)
    on_transition = [this, target](breaker_state from, breaker_state to) {
      listener_(target, from, to);
    };
  auto [pos, added] = breakers_.emplace(
    target, std::make_unique<circuit_breaker>(defaults_, std::move(on_transition)));
  return *pos->second;
}

std::vector<std::pair<std::string, breaker_state>> breaker_registry::states() const {
  std::vector<std::pair<std::string, breaker_state>> out;
  std::lock_guard<std::mutex> guard{mutex_};
  for (const auto& [name, breaker] : breakers_)
    out.emplace_back(name, breaker->state());
  return out;
}

}  // namespace cartmate::runtime
