// atoms.hpp — CAF atoms for the runtime's own control messages (supervision, timers, status).
// Agent requests do not use atoms: their payload structs are distinct types.
#pragma once

#include <caf/atom.hpp>

namespace cartmate::runtime {

using restart_atom = caf::atom_constant<caf::atom("restart")>;
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using sleep_atom = caf::atom_constant<caf::atom("sleep")>;
using wake_atom = caf::atom_constant<caf::atom("wake")>;
using escalate_atom = caf::atom_constant<caf::atom("escalate")>;

// Cluster membership (runtime/cluster): the same names on every node.
using join_atom = caf::atom_constant<caf::atom("join")>;
using announce_atom = caf::atom_constant<caf::atom("announce")>;
using forward_atom = caf::atom_constant<caf::atom("forward")>;
using deliver_atom = caf::atom_constant<caf::atom("deliver")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using reconnect_atom = caf::atom_constant<caf::atom("reconnect")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;

}  // namespace cartmate::runtime
