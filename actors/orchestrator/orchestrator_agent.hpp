// orchestrator_agent.hpp — the orchestrator agent: routes each shopper turn to the conversation
// actor of its session (spawned on first use, dropped after the idle timeout).
// Threading: one CAF actor; conversations are actors of their own. The deps' pointers must
// outlive the agent (the node owns them).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "adapters/nlu/language_understanding.hpp"
#include "protocol/product.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilience_context.hpp"

namespace cartmate::orchestrator {

struct orchestrator_deps {
  const runtime::resilience_context* resilience = nullptr;
  std::shared_ptr<const nlu::language_understanding> understanding;
  runtime::metrics_registry* metrics = nullptr;   // may be null: no turn metrics
  std::chrono::milliseconds turn_deadline{5000};
  size_t max_text_bytes = 2000;
  std::chrono::minutes idle_timeout{30};
};

/// Spawns the orchestrator agent (kind orchestrator). It answers protocol::user_turn with
/// protocol::turn_summary and streams the turn's events to the requester; turns of one
/// tenant+user+session run one at a time, in arrival order.
caf::actor spawn_orchestrator_agent(caf::actor_system& sys, orchestrator_deps deps);

/// The offline language understanding with a vocabulary built from `products`.
std::shared_ptr<const nlu::language_understanding>
make_offline_understanding(const std::vector<protocol::product>& products);

}  // namespace cartmate::orchestrator
