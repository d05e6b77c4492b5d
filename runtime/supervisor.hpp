// supervisor.hpp — starts agents from factories in dependency order, restarts a crashed one
// (one-for-one) within a restart-intensity limit, marks it unavailable and escalates beyond it,
// and stops agents in reverse order. Supervises by monitor, never link (exit_reason::kill
// cannot be trapped and would spread through a link).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "protocol/agent_kind.hpp"

namespace cartmate::runtime {

class agent_directory;
class metrics_registry;

struct child_spec {
  protocol::agent_kind kind;
  std::vector<protocol::agent_kind> depends_on;
  /// Spawns one instance; called again for every restart.
  std::function<caf::actor(caf::actor_system&)> factory;
};

struct restart_policy {
  int max_restarts = 5;                          // at most this many restarts ...
  std::chrono::milliseconds window{10000};       // ... within this sliding window
  std::chrono::milliseconds restart_delay{10};   // pause before respawning
};

struct supervisor_deps {
  agent_directory* directory = nullptr;   // must outlive the supervisor
  metrics_registry* metrics = nullptr;    // must outlive the supervisor
  std::string node_name;
  /// Receives (escalate_atom, kind name, reason) when an agent exceeds its restart limit.
  caf::actor escalate_to;
};

/// Orders specs so that each comes after everything it depends on. Fails naming the agent
/// when a dependency is not among the specs or when dependencies form a cycle.
caf::expected<std::vector<child_spec>> dependency_order(std::vector<child_spec> specs);

/// Spawns a supervisor that starts every child in dependency order as it initialises and
/// registers each in the directory. It answers (status_atom) with the number of live children
/// (so a reply means start-up is done), and (shutdown_atom) with ok_atom once all children have
/// stopped, last started first, and then quits.
caf::expected<caf::actor> spawn_supervisor(caf::actor_system& sys, std::vector<child_spec> specs,
                                           restart_policy policy, supervisor_deps deps);

}  // namespace cartmate::runtime
