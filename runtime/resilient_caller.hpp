// resilient_caller.hpp — typed agent requests with a per-attempt timeout inside the request's
// deadline, retries with exponential backoff and jitter (only for requests whose
// request_traits say they are repeatable), a circuit breaker per target kind, and fail-fast on
// the target's death. The callback gets the answer or a typed degradation reason
// (errc::timeout, unavailable, breaker_open, agent_error).
// Threading: one resilient_caller per actor, kept in the actor's state and used only from that
// actor's handlers. The actor must route its down messages to on_down() (install() does that).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/actor_clock.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/sec.hpp>
#include <caf/system_messages.hpp>

#include "protocol/agent_kind.hpp"
#include "protocol/errors.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/atoms.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilience_context.hpp"

namespace cartmate::runtime {

/// Maps CAF's transport errors onto CartMate's degradation codes; other errors pass through.
caf::error classify_attempt_error(const caf::error& err);

/// Wall-clock now in milliseconds since the epoch, the unit of envelope deadlines.
int64_t wall_clock_ms();

class resilient_caller {
 public:
  explicit resilient_caller(const resilience_context& ctx) : ctx_(&ctx) {
    // nop
  }

  resilient_caller(const resilient_caller&) = delete;
  resilient_caller& operator=(const resilient_caller&) = delete;

  /// Routes `self`'s down messages here. `other`, when given, then sees every down message
  /// too: the caller only fails its own attempts and leaves the rest to the actor.
  template <class Self>
  void install(Self* self, std::function<void(caf::down_msg&)> other = {}) {
    other_down_ = std::move(other);
    self->set_down_handler([this](caf::down_msg& msg) { on_down(msg); });
  }

  /// Sends `req` to a live agent of request_traits<Request>::target and calls
  /// `done(caf::expected<response_t<Request>>)` exactly once, inside the request's deadline.
  template <class Request, class Self, class Done>
  void request(Self* self, Request req, Done done, std::string routing_key = {});

  /// Fails every attempt in flight to the actor that went down; repeatable ones are retried.
  void on_down(caf::down_msg& msg);

  const resilience_context& context() const { return *ctx_; }

 private:
  struct call_base {
    virtual ~call_base() = default;
    virtual void target_down(uint64_t token) = 0;
  };

  template <class Request, class Self, class Done>
  struct call;

  // In-flight attempts are few per actor and deaths are rare: a flat vector beats a map of
  // maps on the hot path (one push and one swap-erase per attempt, no allocation).
  struct in_flight_entry {
    caf::actor_addr target;
    uint64_t token;
    std::shared_ptr<call_base> call;
  };

  void track(const caf::actor_addr& target, uint64_t token, std::shared_ptr<call_base> c) {
    in_flight_.push_back(in_flight_entry{target, token, std::move(c)});
  }

  void untrack(uint64_t token) {
    for (size_t i = 0; i < in_flight_.size(); ++i) {
      if (in_flight_[i].token == token) {
        if (i + 1 != in_flight_.size())
          in_flight_[i] = std::move(in_flight_.back());
        in_flight_.pop_back();
        return;
      }
    }
  }

  template <class Self>
  void watch(Self* self, const caf::actor& target) {
    if (monitored_.insert(target.address()).second)
      self->monitor(target);
  }

  const resilience_context* ctx_;
  uint64_t next_token_ = 1;
  std::set<caf::actor_addr> monitored_;
  std::vector<in_flight_entry> in_flight_;
  std::function<void(caf::down_msg&)> other_down_;
};

// Done is stored as its own type (no std::function) so the hot path allocates only the call.
template <class Request, class Self, class Done>
struct resilient_caller::call : resilient_caller::call_base,
                                std::enable_shared_from_this<call<Request, Self, Done>> {
  using traits = protocol::request_traits<Request>;
  using response = typename traits::response;
  using clock = caf::actor_clock;

  explicit call(Done on_done) : done(std::move(on_done)) {
    // nop
  }

  // Always hands Done a caf::expected, so generic callbacks see one type.
  void answer(caf::expected<response> result) { done(std::move(result)); }

  resilient_caller* owner = nullptr;
  Self* self = nullptr;
  Request req;
  Done done;
  std::string routing_key;
  clock::time_point started;
  clock::time_point deadline;
  uint32_t attempts = 0;
  uint64_t token = 0;            // the attempt in flight; 0 when none
  caf::actor_addr target;
  caf::error last_error;
  bool finished = false;

  const resilience_context& ctx() const { return *owner->ctx_; }
  const call_counters& counters() const { return ctx().counters(traits::target); }

  void attempt() { attempt(self->clock().now()); }

  void attempt(clock::time_point now) {
    if (now >= deadline)
      return finish_error(last_error ? last_error
                                     : protocol::make_error(protocol::errc::timeout,
                                                            "deadline reached before an answer"));
    auto handle = ctx().directory().lookup(traits::target, routing_key);
    if (!handle) {
      // Counts as an attempt: an agent that is restarting is back after a backoff or two,
      // one that is not hosted anywhere must not hold the turn until its deadline.
      ++attempts;
      last_error = std::move(handle.error());
      return retry_or_finish(now);
    }
    auto& breaker = ctx().breaker(traits::target);
    if (!breaker.try_acquire(now))
      return finish_error(protocol::make_error(
        protocol::errc::breaker_open,
        "circuit open for " + std::string{protocol::to_string(traits::target)}));
    ++attempts;
    req.env.attempt = attempts;
    token = owner->next_token_++;
    auto me = this->shared_from_this();
    auto my_token = token;
    auto timeout = std::min<clock::duration_type>(ctx().policy().attempt_timeout, deadline - now);
    // Send first, book-keep after: the target starts while this actor is still busy, which
    // matters on a scheduler whose idle workers fall asleep quickly.
    self->request(*handle, timeout, req)
      .then([me, my_token](response& value) { me->on_answer(my_token, std::move(value)); },
            [me, my_token](caf::error& err) { me->on_attempt_error(my_token, err); });
    counters().attempts->inc();
    target = handle->address();
    owner->watch(self, *handle);
    owner->track(target, token, std::move(me));
  }

  bool current(uint64_t t) const { return !finished && t == token && t != 0; }

  void settle_attempt() {
    owner->untrack(token);
    token = 0;
  }

  void on_answer(uint64_t t, response&& value) {
    if (!current(t))
      return;
    finished = true;
    auto end = self->clock().now();
    // The caller's next request (often sent from inside `answer`) goes out before the
    // book-keeping below, for the same reason as in attempt().
    answer(std::move(value));
    settle_attempt();
    ctx().breaker(traits::target).record_success();
    counters().latency_seconds->observe(std::chrono::duration<double>(end - started).count());
  }

  void on_attempt_error(uint64_t t, const caf::error& raw) {
    if (!current(t))
      return;
    settle_attempt();
    auto now = self->clock().now();
    auto err = classify_attempt_error(raw);
    if (!protocol::is_degradation(err)) {
      // The agent is healthy and answered "no": not a reason to retry or to open the breaker.
      ctx().breaker(traits::target).record_success();
      finished = true;
      observe_latency();
      answer(std::move(err));
      return;
    }
    ctx().breaker(traits::target).record_failure(now);
    if (raw == caf::sec::request_timeout)
      counters().timeouts->inc();
    last_error = std::move(err);
    retry_or_finish(now);
  }

  void target_down(uint64_t t) override {
    if (!current(t))
      return;
    on_attempt_error(t, protocol::make_error(protocol::errc::unavailable,
                                             std::string{protocol::to_string(traits::target)}
                                               + " went down during the request"));
  }

  void retry_or_finish(clock::time_point now) {
    if (!traits::repeatable || attempts >= static_cast<uint32_t>(ctx().policy().max_attempts))
      return finish_error(last_error);
    auto delay = backoff_delay(ctx().policy().backoff, std::max<uint32_t>(attempts, 1),
                               random_unit());
    // Not enough time left for another attempt: answer now rather than at the deadline.
    if (now + delay >= deadline)
      return finish_error(last_error);
    counters().retries->inc();
    auto me = this->shared_from_this();
    self->request(ctx().timer(), caf::infinite, sleep_atom::value,
                  static_cast<int64_t>(delay.count()))
      .then([me](caf::ok_atom) { me->attempt(); }, [me](caf::error&) { me->attempt(); });
  }

  void finish_error(caf::error err) {
    if (finished)
      return;
    finished = true;
    if (protocol::is_degradation(err))
      ctx().count_degraded(traits::target, err);
    observe_latency();
    answer(std::move(err));
  }

  void observe_latency() {
    auto elapsed = std::chrono::duration<double>(self->clock().now() - started);
    counters().latency_seconds->observe(elapsed.count());
  }
};

template <class Request, class Self, class Done>
void resilient_caller::request(Self* self, Request req, Done done, std::string routing_key) {
  using call_type = call<Request, Self, Done>;
  auto c = std::make_shared<call_type>(std::move(done));
  c->owner = this;
  c->self = self;
  auto now = self->clock().now();
  c->started = now;
  // Envelope deadlines are wall-clock so they mean the same on every node; from here on the
  // actor clock (virtual under the test scheduler) measures the remaining time.
  std::chrono::milliseconds remaining = ctx_->policy().default_deadline;
  auto wall_now = wall_clock_ms();
  if (req.env.deadline_ms > 0)
    remaining = std::chrono::milliseconds{req.env.deadline_ms - wall_now};
  else
    req.env.deadline_ms = wall_now + remaining.count();
  c->deadline = now + remaining;
  c->req = std::move(req);
  c->routing_key = std::move(routing_key);
  ctx_->counters(protocol::request_traits<Request>::target).requests->inc();
  c->attempt(now);
}

}  // namespace cartmate::runtime
