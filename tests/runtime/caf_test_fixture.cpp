// caf_test_fixture.cpp — the scripted agent and the bounded run loop of the runtime tests.
#include "tests/runtime/caf_test_fixture.hpp"

#include <stdexcept>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "protocol/errors.hpp"

namespace cartmate::testing {

using namespace protocol;

caf::behavior scripted_agent(caf::stateful_actor<std::vector<caf::response_promise>>* self,
                             std::shared_ptr<agent_script> script) {
  ++script->spawned;
  auto handle = [self, script](auto answer) -> caf::result<decltype(answer)> {
    ++script->hits;
    script->hit_times.push_back(self->clock().now());
    switch (script->mode) {
      case agent_mode::answer:
        return answer;
      case agent_mode::silent:
        // Keep the promise so the request stays pending until it times out.
        self->state.push_back(self->make_response_promise());
        return caf::delegated<decltype(answer)>{};
      case agent_mode::fail:
        return make_error(errc::agent_error, "scripted failure");
      case agent_mode::not_found:
        return make_error(errc::not_found, "no such thing");
      case agent_mode::crash:
        throw std::runtime_error("scripted crash");
    }
    return answer;
  };
  return {
    [handle](const cart_get& req) {
      cart_view view;
      view.user = req.env.user;
      view.item_count = static_cast<int32_t>(req.env.attempt);
      return handle(view);
    },
    [handle](const style_signal&) { return handle(ack{"observed"}); },
  };
}

runtime_fixture::~runtime_fixture() {
  directory.clear();
  caf::anon_send_exit(timer, caf::exit_reason::user_shutdown);
  sched.run();
}

void runtime_fixture::run_until(const std::function<bool()>& done) {
  for (int i = 0; i < 10000; ++i) {
    sched.run();
    if (done())
      return;
    if (!sched.clock().has_pending_timeout())
      return;
    sched.clock().trigger_timeout();
  }
}

}  // namespace cartmate::testing
