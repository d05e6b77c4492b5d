// timer_service.hpp — a node-wide actor that answers (sleep_atom, milliseconds) after that
// long. Lets any event-based actor wait without adding a timer message to its own interface:
// `self->request(timer, caf::infinite, sleep_atom::value, ms).then(...)`. Runs on CAF's clock,
// so the deterministic test scheduler controls it with virtual time.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace cartmate::runtime {

caf::actor spawn_timer_service(caf::actor_system& sys);

}  // namespace cartmate::runtime
