// orchestrator_agent.cpp — session routing and idle clean-up of conversation actors.
#include "actors/orchestrator/orchestrator_agent.hpp"

#include <map>
#include <string>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

#include "actors/orchestrator/conversation.hpp"
#include "adapters/nlu/offline_understanding.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "runtime/logging.hpp"

namespace cartmate::orchestrator {

namespace {

using idle_check_atom = caf::atom_constant<caf::atom("idle_chk")>;

struct conversation_entry {
  caf::actor handle;
  uint64_t generation = 0;   // bumped per turn; an idle check of an older one is stale
};

struct orchestrator_state {
  orchestrator_deps deps;
  turn_metrics metrics;
  std::map<std::string, conversation_entry> conversations;
  std::map<caf::actor_addr, std::string> keys;
  static inline const char* name = "orchestrator";
};

using orch_actor = caf::stateful_actor<orchestrator_state>;

std::string session_key(const protocol::envelope& env) {
  // A unit separator cannot occur in sanitised ids, so distinct triples never collide.
  return env.tenant + '\x1f' + env.user + '\x1f' + env.session;
}

turn_metrics lookup_metrics(runtime::metrics_registry* registry) {
  turn_metrics m;
  if (registry == nullptr)
    return m;
  m.turns = &registry->counter_for("cartmate_turns_total", "Conversation turns completed");
  m.degraded = &registry->counter_for("cartmate_turns_degraded_total",
                                      "Turns answered without some agent (degraded)");
  m.seconds = &registry->histogram_for("cartmate_turn_seconds", "Turn latency in seconds");
  const char* context_help = "Session context store problems; the conversation went on with "
                             "the context it had in memory";
  auto context_errors = [&](const char* what) {
    return &registry->counter_for("cartmate_session_context_errors_total", context_help,
                                  {{"error", what}});
  };
  m.context_load_errors = context_errors("load");
  m.context_corrupt = context_errors("corrupt");
  m.context_save_errors = context_errors("save");
  m.history_errors = &registry->counter_for("cartmate_history_errors_total",
                                            "Turns the history store did not record");
  m.registry = registry;
  return m;
}

void forget(orch_actor* self, const std::string& key) {
  auto i = self->state.conversations.find(key);
  if (i == self->state.conversations.end())
    return;
  self->state.keys.erase(i->second.handle.address());
  self->state.conversations.erase(i);
}

caf::behavior orchestrator(orch_actor* self, orchestrator_deps deps) {
  self->state.metrics = lookup_metrics(deps.metrics);
  self->state.deps = std::move(deps);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto i = self->state.keys.find(msg.source);
    if (i == self->state.keys.end())
      return;
    auto key = i->second;
    auto c = self->state.conversations.find(key);
    if (c != self->state.conversations.end() && c->second.handle.address() == msg.source)
      self->state.conversations.erase(c);
    self->state.keys.erase(i);
  });
  return {
    [self](protocol::user_turn& turn) {
      runtime::trace_scope scope{turn.env.trace_id};
      auto key = session_key(turn.env);
      auto& st = self->state;
      auto i = st.conversations.find(key);
      if (i == st.conversations.end()) {
        conversation_deps cd;
        cd.resilience = st.deps.resilience;
        cd.understanding = st.deps.understanding;
        cd.model = st.deps.model;
        cd.phraser = st.deps.phraser;
        cd.model_timeout = st.deps.model_timeout;
        cd.metrics = st.metrics;
        cd.turn_deadline = st.deps.turn_deadline;
        cd.max_text_bytes = st.deps.max_text_bytes;
        cd.parent = self->address();
        cd.contexts = st.deps.contexts;
        cd.history = st.deps.history;
        cd.context_ttl = st.deps.context_ttl;
        cd.context_load_timeout = st.deps.context_load_timeout;
        auto conv = spawn_conversation(self->system(), std::move(cd));
        self->monitor(conv);
        st.keys.emplace(conv.address(), key);
        i = st.conversations.emplace(key, conversation_entry{conv, 0}).first;
        spdlog::debug("conversation started for session {}", turn.env.session);
      }
      auto generation = ++i->second.generation;
      self->delayed_send(self, st.deps.idle_timeout, idle_check_atom::value, key, generation);
      return self->delegate(i->second.handle, std::move(turn));
    },
    [self](idle_check_atom, const std::string& key, uint64_t generation) {
      auto i = self->state.conversations.find(key);
      if (i == self->state.conversations.end() || i->second.generation != generation)
        return;
      // The conversation finishes what it has queued, then quits; a new turn gets a new one.
      self->send(i->second.handle, idle_stop_atom::value);
      forget(self, key);
    },
  };
}

}  // namespace

caf::actor spawn_orchestrator_agent(caf::actor_system& sys, orchestrator_deps deps) {
  return sys.spawn(orchestrator, std::move(deps));
}

std::shared_ptr<const nlu::language_understanding>
make_offline_understanding(const std::vector<protocol::product>& products) {
  return std::make_shared<const nlu::offline_understanding>(
    nlu::vocabulary::from_products(products));
}

}  // namespace cartmate::orchestrator
