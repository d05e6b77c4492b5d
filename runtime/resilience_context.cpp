// resilience_context.cpp — pre-resolves breakers and counters per agent kind.
#include "runtime/resilience_context.hpp"

#include "protocol/errors.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"

namespace cartmate::runtime {

std::string breaker_target(protocol::agent_kind kind) {
  return "agent:" + std::string{protocol::to_string(kind)};
}

resilience_context::resilience_context(agent_directory& directory, breaker_registry& breakers,
                                       metrics_registry& metrics, caf::actor timer,
                                       call_policy policy)
  : directory_(directory), timer_(std::move(timer)), policy_(policy) {
  for (auto kind : protocol::all_agent_kinds) {
    auto i = static_cast<size_t>(kind);
    breakers_[i] = &breakers.get(breaker_target(kind));
    labels agent{{"agent", std::string{protocol::to_string(kind)}}};
    auto with_reason = [&](const char* reason) {
      auto labels = agent;
      labels.emplace_back("reason", reason);
      return &metrics.counter_for("cartmate_agent_degraded_total",
                                  "Agent requests that ended without an answer, by reason",
                                  labels);
    };
    auto& c = counters_[i];
    c.requests = &metrics.counter_for("cartmate_agent_requests_total",
                                      "Agent requests made through the resilient path", agent);
    c.attempts = &metrics.counter_for("cartmate_agent_request_attempts_total",
                                      "Attempts sent to agents, first tries and retries", agent);
    c.retries = &metrics.counter_for("cartmate_agent_request_retries_total",
                                     "Retries after a failed or timed-out attempt", agent);
    c.timeouts = &metrics.counter_for("cartmate_agent_request_timeouts_total",
                                      "Attempts that timed out", agent);
    c.degraded_timeout = with_reason("timeout");
    c.degraded_unavailable = with_reason("unavailable");
    c.degraded_breaker_open = with_reason("breaker_open");
    c.degraded_error = with_reason("error");
    c.latency_seconds = &metrics.histogram_for("cartmate_agent_request_seconds",
                                               "Latency of resilient agent requests", agent);
  }
}

circuit_breaker& resilience_context::breaker(protocol::agent_kind kind) const {
  return *breakers_[static_cast<size_t>(kind)];
}

const call_counters& resilience_context::counters(protocol::agent_kind kind) const {
  return counters_[static_cast<size_t>(kind)];
}

void resilience_context::count_degraded(protocol::agent_kind kind, const caf::error& reason) const {
  const auto& c = counters(kind);
  auto code = protocol::errc_of(reason);
  if (code == protocol::errc::timeout)
    c.degraded_timeout->inc();
  else if (code == protocol::errc::unavailable)
    c.degraded_unavailable->inc();
  else if (code == protocol::errc::breaker_open)
    c.degraded_breaker_open->inc();
  else
    c.degraded_error->inc();
}

}  // namespace cartmate::runtime
