// store_call.hpp — calls a store from inside an actor without blocking its scheduler thread:
// inline when the store's executor allows it, else on the executor with the result handed back
// to the actor as a message, so `then` always runs in the actor's own context.
// Threading: call only from the actor's handlers; `fn` may run on another thread and must not
// touch actor state; `then` runs in the actor (it may capture `self`).
#pragma once

#include <functional>
#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/send.hpp>

#include "adapters/stores/store_executor.hpp"

namespace cartmate::actors {

/// A closure posted back to an actor by a store job; the actor's behavior runs it.
struct store_continuation {
  std::function<void()> run;
};

}  // namespace cartmate::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cartmate::actors::store_continuation)

namespace cartmate::actors {

/// The handler an actor using call_store adds to its behavior.
inline auto store_continuation_handler() {
  return [](store_continuation& c) { c.run(); };
}

/// Runs `fn()` (a store call returning a value, usually caf::expected) where `executor` says,
/// then `then(result)` in `self`'s context. When `self` is gone by then, the result is dropped.
template <class Self, class Fn, class Then>
void call_store(Self* self, stores::store_executor& executor, Fn fn, Then then) {
  if (executor.runs_inline()) {
    then(fn());
    return;
  }
  auto me = caf::actor_cast<caf::actor>(self);
  // std::function needs copyable closures: the callbacks travel in shared_ptrs.
  auto shared_fn = std::make_shared<Fn>(std::move(fn));
  auto shared_then = std::make_shared<Then>(std::move(then));
  executor.execute([me, shared_fn, shared_then] {
    using result_t = decltype((*shared_fn)());
    auto result = std::make_shared<result_t>((*shared_fn)());
    caf::anon_send(me, store_continuation{[shared_then, result] { (*shared_then)(std::move(*result)); }});
  });
}

}  // namespace cartmate::actors
