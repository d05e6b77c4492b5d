// timer_service.cpp — holds one response promise per sleeper and answers it on wake-up.
#include "runtime/timer_service.hpp"

#include <chrono>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>

#include "runtime/atoms.hpp"

namespace cartmate::runtime {

namespace {

struct timer_state {
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, caf::response_promise> sleepers;
  static inline const char* name = "timer_service";
};

caf::behavior timer_service(caf::stateful_actor<timer_state>* self) {
  return {
    [self](sleep_atom, int64_t ms) {
      auto rp = self->make_response_promise();
      auto id = self->state.next_id++;
      self->state.sleepers.emplace(id, rp);
      self->delayed_send(self, std::chrono::milliseconds{ms < 0 ? 0 : ms}, wake_atom::value, id);
      return rp;
    },
    [self](wake_atom, uint64_t id) {
      auto i = self->state.sleepers.find(id);
      if (i == self->state.sleepers.end())
        return;
      i->second.deliver(caf::ok_atom::value);
      self->state.sleepers.erase(i);
    },
  };
}

}  // namespace

caf::actor spawn_timer_service(caf::actor_system& sys) {
  return sys.spawn(timer_service);
}

}  // namespace cartmate::runtime
