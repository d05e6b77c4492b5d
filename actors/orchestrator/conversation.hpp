// conversation.hpp — one shopper session's conversation: runs one turn at a time (later turns
// queue in arrival order), plans each message, delegates the steps to the agents and streams
// events to the turn's requester. It keeps its context in the session context store (read before
// each turn, written after it) and records every turn in the history store, both off its
// scheduler thread unless the store runs inline.
// Threading: one CAF actor per session; all state is its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "adapters/llm/llm_understanding.hpp"
#include "adapters/llm/reply_phraser.hpp"
#include "adapters/nlu/language_understanding.hpp"
#include "adapters/stores/history_store.hpp"
#include "adapters/stores/session_context_store.hpp"
#include "adapters/stores/store_executor.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilience_context.hpp"

namespace cartmate::orchestrator {

/// Asks a conversation to quit once its queued turns are done (idle timeout).
using idle_stop_atom = caf::atom_constant<caf::atom("idle_stop")>;

/// Turn metrics, looked up once by the orchestrator; any may be null (no metrics).
struct turn_metrics {
  runtime::counter* turns = nullptr;
  runtime::counter* degraded = nullptr;
  runtime::histogram* seconds = nullptr;
  // Persistence problems, each answered by carrying on with the context in memory.
  runtime::counter* context_load_errors = nullptr;     // the store failed or was too slow
  runtime::counter* context_corrupt = nullptr;         // a stored blob could not be read
  runtime::counter* context_save_errors = nullptr;
  runtime::counter* history_errors = nullptr;          // a turn record was not stored
  /// For the model's labelled counters (cartmate_llm_*), looked up when first counted.
  runtime::metrics_registry* registry = nullptr;
};

struct conversation_deps {
  const runtime::resilience_context* resilience = nullptr;       // outlives the actor
  std::shared_ptr<const nlu::language_understanding> understanding;
  /// Asked first when set (llm.provider openai); `understanding` answers when it fails, is
  /// invalid or late, or when the turn has too little time left to ask.
  std::shared_ptr<const llm::llm_understanding> model;
  /// Phrases the final reply, streamed as partial events (llm.stream_replies); null: the
  /// built-in reply text.
  std::shared_ptr<const llm::reply_phraser> phraser;
  /// llm.timeout_ms: the most a model call may take of a turn.
  std::chrono::milliseconds model_timeout{2000};
  turn_metrics metrics;
  std::chrono::milliseconds turn_deadline{5000};
  size_t max_text_bytes = 2000;
  /// The conversation quits when this actor goes down (its orchestrator), so none outlives it.
  caf::actor_addr parent;
  /// Null store: the context lives only as long as the actor.
  stores::store_handle<stores::session_context_store> contexts{nullptr};
  /// Null store: turns are not recorded.
  stores::store_handle<stores::history_store> history{nullptr};
  std::chrono::milliseconds context_ttl{std::chrono::hours{24}};
  /// A turn waits at most this long for its context; a slow store must not eat its deadline.
  std::chrono::milliseconds context_load_timeout{500};
};

/// Spawns a conversation actor. It answers protocol::user_turn with protocol::turn_summary
/// (at the end of the turn) and sends the turn's events to the requester before that.
caf::actor spawn_conversation(caf::actor_system& sys, conversation_deps deps);

}  // namespace cartmate::orchestrator
