// openai_chat_client.cpp — one call = attempts until success, a final error, the attempt limit
// or the deadline. Waits between attempts run on a small timer thread, never on the HTTP
// thread (which serves every transfer) and never on a CAF thread.
#include "adapters/llm/openai_chat_client.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <caf/message.hpp>

#include "adapters/http/retry_after.hpp"
#include "adapters/llm/openai_wire.hpp"
#include "protocol/errors.hpp"

namespace cartmate::llm {

namespace {

using protocol::errc;
using protocol::make_error;
using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Runs tasks at their due time on one detached thread that owns its own state, so the owner
/// never joins it (a task may drop the last reference to the owner). stop() runs the tasks
/// still waiting at once with cancelled = true.
class delay_timer {
 public:
  using task = std::function<void(bool cancelled)>;

  delay_timer() : state_(std::make_shared<state>()) {
    std::thread{[s = state_] { s->run(); }}.detach();
  }

  ~delay_timer() { stop(); }

  void schedule(clock_type::time_point due, task t) {
    {
      std::lock_guard<std::mutex> guard{state_->mutex};
      if (!state_->stopping) {
        state_->tasks.emplace(due, std::move(t));
        state_->wake.notify_one();
        return;
      }
    }
    t(true);
  }

  void stop() {
    std::lock_guard<std::mutex> guard{state_->mutex};
    state_->stopping = true;
    state_->wake.notify_one();
  }

 private:
  struct state {
    std::mutex mutex;
    std::condition_variable wake;
    std::multimap<clock_type::time_point, task> tasks;
    bool stopping = false;

    void run() {
      std::unique_lock<std::mutex> lock{mutex};
      for (;;) {
        if (stopping)
          break;
        if (tasks.empty()) {
          wake.wait(lock);
          continue;
        }
        auto due = tasks.begin()->first;
        if (clock_type::now() < due) {
          wake.wait_until(lock, due);
          continue;
        }
        auto t = std::move(tasks.begin()->second);
        tasks.erase(tasks.begin());
        lock.unlock();
        t(false);
        lock.lock();
      }
      auto rest = std::move(tasks);
      tasks.clear();
      lock.unlock();
      for (auto& [due, t] : rest)
        t(true);
    }
  };

  std::shared_ptr<state> state_;
};

milliseconds ceil_ms(clock_type::duration d) {
  return std::chrono::ceil<milliseconds>(d);
}

std::string trimmed_base(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

std::string with_detail(const caf::error& err, const std::string& more) {
  const auto& ctx = err.context();
  std::string detail = ctx.match_elements<std::string>() ? ctx.get_as<std::string>(0) : "";
  return detail.empty() ? more : detail + " (" + more + ")";
}

caf::error retagged(const caf::error& err, const std::string& more) {
  return make_error(protocol::errc_of(err).value_or(errc::unavailable), with_detail(err, more));
}

}  // namespace

openai_options openai_options_from(const llm_settings& settings) {
  openai_options out;
  out.base_url = settings.base_url;
  out.model = settings.model;
  out.api_key = api_key(settings);
  out.timeout = settings.timeout;
  out.max_attempts = settings.max_attempts;
  out.backoff.initial = settings.backoff_initial;
  out.backoff.max = std::max(settings.backoff_initial, out.backoff.max);
  out.breaker.failure_threshold = settings.breaker_failure_threshold;
  out.breaker.reset_timeout = settings.breaker_reset;
  return out;
}

struct openai_chat_client::impl : std::enable_shared_from_this<impl> {
  openai_options options;
  std::shared_ptr<http::http_client> http;
  runtime::circuit_breaker breaker;
  delay_timer timer;
  std::string url;

  struct call {
    chat_request req;
    std::string body;
    bool streaming = false;
    delta_callback on_delta;
    reply_callback done;
    int attempts = 0;
    bool delivered_any = false;   // a delta went out: a retry would repeat it
    chat_stream_decoder decoder;
    caf::error stream_error;      // why on_chunk aborted the transfer
  };
  using call_ptr = std::shared_ptr<call>;

  impl(openai_options opts, std::shared_ptr<http::http_client> client,
       runtime::circuit_breaker::transition_listener on_breaker)
    : options(std::move(opts)),
      http(std::move(client)),
      breaker(options.breaker, std::move(on_breaker)),
      url(trimmed_base(options.base_url) + "/chat/completions") {
    // nop
  }

  void start(call_ptr c) {
    auto body = chat_request_body(options.model, c->req, c->streaming);
    if (!body)
      return c->done(std::move(body.error()));
    c->body = std::move(*body);
    attempt(std::move(c));
  }

  void attempt(call_ptr c) {
    auto now = clock_type::now();
    if (now >= c->req.deadline)
      return c->done(make_error(errc::timeout, c->attempts == 0
                                                 ? "the deadline passed before the request"
                                                 : "the deadline passed after "
                                                     + std::to_string(c->attempts) + " attempts"));
    if (!breaker.try_acquire(now))
      return c->done(make_error(errc::breaker_open, "circuit open for the model endpoint"));
    ++c->attempts;
    http::http_request req;
    req.method = http::http_method::post;
    req.url = url;
    req.body = c->body;
    req.headers["Content-Type"] = "application/json";
    if (c->streaming)
      req.headers["Accept"] = "text/event-stream";
    if (!options.api_key.empty())
      req.headers["Authorization"] = "Bearer " + options.api_key;
    auto left = ceil_ms(c->req.deadline - now);
    req.timeout = std::max(milliseconds{1}, std::min(options.timeout, left));
    req.max_body_bytes = options.max_body_bytes;
    if (c->streaming) {
      c->decoder = chat_stream_decoder{};
      req.on_chunk = [c](std::string_view bytes) {
        auto deltas = c->decoder.feed(bytes);
        if (!deltas) {
          c->stream_error = std::move(deltas.error());
          return false;
        }
        for (auto& d : *deltas) {
          c->delivered_any = true;
          if (c->on_delta)
            c->on_delta(d);
        }
        return true;
      };
    }
    std::weak_ptr<impl> weak = shared_from_this();
    http->send(std::move(req), [weak, c](caf::expected<http::http_response> res) {
      if (auto self = weak.lock())
        self->on_response(c, std::move(res));
      else
        c->done(make_error(errc::unavailable, "the model client has stopped"));
    });
  }

  void on_response(const call_ptr& c, caf::expected<http::http_response> res) {
    if (c->stream_error) {
      breaker.record_failure(clock_type::now());
      return c->done(std::move(c->stream_error));
    }
    if (!res) {
      breaker.record_failure(clock_type::now());
      auto code = protocol::errc_of(res.error());
      bool retry = code == errc::timeout || code == errc::unavailable;
      return retry_or_fail(c, std::move(res.error()), std::nullopt, retry);
    }
    auto status = res->status;
    if (status >= 200 && status < 300) {
      auto reply = c->streaming ? c->decoder.finish() : parse_chat_completion(res->body);
      if (!reply) {
        breaker.record_failure(clock_type::now());
        return c->done(std::move(reply.error()));
      }
      breaker.record_success();
      reply->attempts = c->attempts;
      return c->done(std::move(*reply));
    }
    breaker.record_failure(clock_type::now());
    auto what = "model endpoint answered " + std::to_string(status) + ": "
                + error_summary(res->body);
    if (status == 429) {
      std::optional<milliseconds> wait;
      if (auto h = res->header("retry-after"))
        wait = http::parse_retry_after(*h);
      return retry_or_fail(c, make_error(errc::unavailable, "rate limited: " + what), wait, true);
    }
    if (status >= 500)
      return retry_or_fail(c, make_error(errc::unavailable, what), std::nullopt, true);
    if (status >= 400)
      return c->done(make_error(errc::invalid_argument, what));
    return c->done(make_error(errc::agent_error, "unexpected answer: " + what));
  }

  void retry_or_fail(const call_ptr& c, caf::error err, std::optional<milliseconds> retry_after,
                     bool retryable) {
    if (!retryable || c->delivered_any)
      return c->done(std::move(err));
    if (c->attempts >= options.max_attempts)
      return c->done(retagged(err, "after " + std::to_string(c->attempts) + " attempts"));
    auto delay = runtime::backoff_delay(options.backoff, static_cast<uint32_t>(c->attempts),
                                        runtime::random_unit());
    if (retry_after)
      delay = std::max(delay, *retry_after);
    auto due = clock_type::now() + delay;
    if (due >= c->req.deadline)
      return c->done(retagged(err, "no retry: waiting " + std::to_string(delay.count())
                                     + " ms would pass the deadline"));
    std::weak_ptr<impl> weak = shared_from_this();
    timer.schedule(due, [weak, c](bool cancelled) {
      auto self = weak.lock();
      if (cancelled || !self)
        return c->done(make_error(errc::unavailable, "the model client has stopped"));
      self->attempt(c);
    });
  }
};

openai_chat_client::openai_chat_client(openai_options options,
                                       std::shared_ptr<http::http_client> http,
                                       runtime::circuit_breaker::transition_listener on_breaker)
  : impl_(std::make_shared<impl>(std::move(options), std::move(http), std::move(on_breaker))) {
  // nop
}

openai_chat_client::~openai_chat_client() {
  impl_->timer.stop();
}

void openai_chat_client::complete(chat_request req, reply_callback done) {
  auto c = std::make_shared<impl::call>();
  c->req = std::move(req);
  c->done = std::move(done);
  impl_->start(std::move(c));
}

void openai_chat_client::stream(chat_request req, delta_callback on_delta, reply_callback done) {
  auto c = std::make_shared<impl::call>();
  c->req = std::move(req);
  c->streaming = true;
  c->on_delta = std::move(on_delta);
  c->done = std::move(done);
  impl_->start(std::move(c));
}

runtime::breaker_state openai_chat_client::breaker_state() const {
  return impl_->breaker.state();
}

}  // namespace cartmate::llm
