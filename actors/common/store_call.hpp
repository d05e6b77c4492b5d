// store_call.hpp — calls a store from inside an actor without blocking its scheduler thread:
// inline when the store's executor allows it, else on the executor with the result handed back
// to the actor as a message, so `then` always runs in the actor's own context. answer_from_store
// builds a request's answer from one such call (with a response promise only when needed).
// Threading: call only from the actor's handlers; `fn` may run on another thread and must not
// touch actor state; `then` runs in the actor (it may capture `self`).
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/result.hpp>
#include <caf/send.hpp>
#include <caf/typed_response_promise.hpp>

#include "adapters/stores/store_executor.hpp"
#include "protocol/errors.hpp"
#include "runtime/logging.hpp"

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

/// Delivers an expected value or its error through a response promise.
template <class T>
void deliver(caf::typed_response_promise<T>& rp, caf::expected<T> x) {
  if (x)
    rp.deliver(std::move(*x));
  else
    rp.deliver(std::move(x.error()));
}

/// Runs `job(store)`. Stores return errors as values; anything thrown anyway still becomes an
/// answer (errc::agent_error naming `what`), so a request never waits for one that cannot come.
template <class Store, class Job>
auto run_store_job(Job& job, Store& store, const char* what) -> decltype(job(store)) {
  try {
    return job(store);
  } catch (const std::exception& e) {
    return protocol::make_error(protocol::errc::agent_error, std::string{what} + " failed: " + e.what());
  }
}

/// call_store for a store handle: `job(Store&)` runs where the handle's executor says and
/// `then(result)` in the actor (at once for a memory store). `job` must not touch the actor.
template <class Self, class Store, class Job, class Then>
void with_store(Self* self, const stores::store_handle<Store>& handle, const char* what, Job job,
                Then then) {
  if (handle.executor->runs_inline()) {
    // The job runs before call_store returns: it may borrow the store and itself.
    call_store(self, *handle.executor,
               [&job, &store = *handle.store, what] { return run_store_job(job, store, what); },
               std::move(then));
    return;
  }
  call_store(self, *handle.executor,
             [store = handle.store, job = std::move(job), what]() mutable {
               return run_store_job(job, *store, what);
             },
             std::move(then));
}

/// Answers a request from one store call: `finish(result) -> caf::expected<T>` makes the answer
/// in the actor. A memory store answers within the handler, without a response promise.
template <class T, class Self, class Store, class Job, class Finish>
caf::result<T> answer_from_store(Self* self, const stores::store_handle<Store>& handle,
                                 const char* what, const std::string& trace_id, Job job,
                                 Finish finish) {
  if (handle.executor->runs_inline()) {
    std::optional<caf::expected<T>> out;
    with_store(self, handle, what, std::move(job),
               [&out, &finish](auto result) { out.emplace(finish(std::move(result))); });
    return std::move(*out);
  }
  auto rp = self->template make_response_promise<T>();
  with_store(self, handle, what, std::move(job),
             [rp, trace_id, finish = std::move(finish)](auto result) mutable {
               runtime::trace_scope trace{trace_id};
               deliver(rp, finish(std::move(result)));
             });
  return rp;
}

}  // namespace cartmate::actors
