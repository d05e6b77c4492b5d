// resilience_context.hpp — the node-wide pieces a resilient request needs (directory, breakers,
// timer, counters, default policy). Created once by the node before any agent starts; shared
// read-only by every actor; everything it points to is thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/error.hpp>

#include "protocol/agent_kind.hpp"
#include "runtime/backoff.hpp"

namespace cartmate::runtime {

class agent_directory;
class breaker_registry;
class circuit_breaker;
class counter;
class histogram;
class metrics_registry;

struct call_policy {
  std::chrono::milliseconds attempt_timeout{800};
  int max_attempts = 3;
  backoff_policy backoff;
  /// Used when a request's envelope carries no deadline.
  std::chrono::milliseconds default_deadline{3000};
};

/// Counters of one target agent kind, looked up once so the hot path only touches atomics.
struct call_counters {
  counter* requests = nullptr;
  counter* attempts = nullptr;
  counter* retries = nullptr;
  counter* timeouts = nullptr;
  counter* degraded_timeout = nullptr;
  counter* degraded_unavailable = nullptr;
  counter* degraded_breaker_open = nullptr;
  counter* degraded_error = nullptr;
  histogram* latency_seconds = nullptr;
};

class resilience_context {
 public:
  resilience_context(agent_directory& directory, breaker_registry& breakers,
                     metrics_registry& metrics, caf::actor timer, call_policy policy);

  agent_directory& directory() const { return directory_; }
  circuit_breaker& breaker(protocol::agent_kind kind) const;
  const call_counters& counters(protocol::agent_kind kind) const;
  const caf::actor& timer() const { return timer_; }
  const call_policy& policy() const { return policy_; }

  /// Counts a finished call that failed for `reason` (a degradation) against `kind`.
  void count_degraded(protocol::agent_kind kind, const caf::error& reason) const;

 private:
  static constexpr size_t kind_count = std::size(protocol::all_agent_kinds);

  agent_directory& directory_;
  caf::actor timer_;
  call_policy policy_;
  std::array<circuit_breaker*, kind_count> breakers_{};
  std::array<call_counters, kind_count> counters_{};
};

/// Name of the breaker guarding calls to an agent kind, e.g. "agent:cart".
std::string breaker_target(protocol::agent_kind kind);

}  // namespace cartmate::runtime
