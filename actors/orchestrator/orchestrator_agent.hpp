// orchestrator_agent.hpp — the orchestrator agent: routes each shopper turn to the conversation
// actor of its session (spawned on first use, dropped after the idle timeout). Conversations
// keep their context in a session context store, so a session resumes after an idle drop, a
// restart or on another node sharing the store, and record every turn in a history store.
// Threading: one CAF actor; conversations are actors of their own. The deps' pointers must
// outlive the agent (the node owns them); the stores are shared by all its conversations.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "adapters/llm/llm_understanding.hpp"
#include "adapters/llm/reply_phraser.hpp"
#include "adapters/nlu/language_understanding.hpp"
#include "adapters/stores/history_store.hpp"
#include "adapters/stores/memory_history_store.hpp"
#include "adapters/stores/memory_session_context_store.hpp"
#include "adapters/stores/session_context_store.hpp"
#include "adapters/stores/store_executor.hpp"
#include "protocol/product.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilience_context.hpp"

namespace cartmate::orchestrator {

struct orchestrator_deps {
  const runtime::resilience_context* resilience = nullptr;
  std::shared_ptr<const nlu::language_understanding> understanding;
  /// The model's understanding and reply phrasing (llm section); null: offline only.
  std::shared_ptr<const llm::llm_understanding> model;
  std::shared_ptr<const llm::reply_phraser> phraser;
  std::chrono::milliseconds model_timeout{2000};
  runtime::metrics_registry* metrics = nullptr;   // may be null: no turn metrics
  std::chrono::milliseconds turn_deadline{5000};
  size_t max_text_bytes = 2000;
  std::chrono::minutes idle_timeout{30};
  /// Conversation contexts by tenant + session. The default lives in memory and is shared by
  /// copies of these deps, so it outlives a restart of the agent (not of the process). Null:
  /// a context lives only as long as its conversation actor.
  stores::store_handle<stores::session_context_store> contexts{
    std::make_shared<stores::memory_session_context_store>()};
  /// Every finished turn. Null: turns are not recorded.
  stores::store_handle<stores::history_store> history{
    std::make_shared<stores::memory_history_store>()};
  /// A stored context expires this long after the session's last turn.
  std::chrono::milliseconds context_ttl{std::chrono::hours{24}};
  /// The longest a turn waits for its context before going on with the one in memory.
  std::chrono::milliseconds context_load_timeout{500};
};

/// Spawns the orchestrator agent (kind orchestrator). It answers protocol::user_turn with
/// protocol::turn_summary and streams the turn's events to the requester; turns of one
/// tenant+user+session run one at a time, in arrival order.
caf::actor spawn_orchestrator_agent(caf::actor_system& sys, orchestrator_deps deps);

/// The offline language understanding with a vocabulary built from `products`.
std::shared_ptr<const nlu::language_understanding>
make_offline_understanding(const std::vector<protocol::product>& products);

}  // namespace cartmate::orchestrator
