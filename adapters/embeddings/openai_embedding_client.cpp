// openai_embedding_client.cpp — batches, retries, the breaker and answer checks; see the header.
// Blocking batches wait on a future the HTTP client's callback fulfils; queries hand the answer
// straight to their callback on the HTTP client's thread.
#include "adapters/embeddings/openai_embedding_client.hpp"

#include <algorithm>
#include <future>
#include <thread>
#include <utility>

#include <caf/message.hpp>
#include <spdlog/spdlog.h>

#include "adapters/embeddings/openai_wire.hpp"
#include "adapters/http/retry_after.hpp"
#include "protocol/errors.hpp"

namespace cartmate::embeddings {

namespace {

using protocol::errc;
using protocol::make_error;
using vectors = std::vector<std::vector<float>>;

// One answer judged: the vectors, or why not, whether another attempt may help, and how long
// the server asked to wait first.
struct verdict {
  caf::expected<vectors> result{vectors{}};
  bool retry = false;
  std::optional<std::chrono::milliseconds> retry_after;
};

std::string status_text(long status, const std::string& body) {
  auto message = error_message_of(body);
  return "answered HTTP " + std::to_string(status) + (message.empty() ? "" : ": " + message);
}

// An error's text without its code, for wrapping it in another message of the same code.
std::string detail(const caf::error& err) {
  if (protocol::errc_of(err) && err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return protocol::describe(err);
}

}  // namespace

struct openai_embedding_client::core {
  openai_embedding_options options;
  std::string url;
  std::unique_ptr<runtime::circuit_breaker> own_breaker;
  runtime::circuit_breaker* breaker = nullptr;
  std::atomic<size_t> dim{0};

  // Fixes the dimension on the first answer when none is configured; later answers must agree.
  caf::error settle_dim(const vectors& vs) {
    if (vs.empty())
      return {};
    size_t got = vs.front().size();
    size_t expected = 0;
    if (dim.compare_exchange_strong(expected, got) || expected == got)
      return {};
    return make_error(errc::conflict, "the model answered a " + std::to_string(got)
                                        + "-dimensional vector where " + std::to_string(expected)
                                        + " dimensions are expected; check embeddings.model");
  }

  verdict judge(const caf::expected<http::http_response>& answer, size_t count) {
    verdict v;
    auto now = std::chrono::steady_clock::now();
    if (!answer) {
      // Timeouts and refused connections: the endpoint may be back on the next attempt.
      breaker->record_failure(now);
      v.result = make_error(protocol::errc_of(answer.error()).value_or(errc::unavailable),
                            url + ": " + detail(answer.error()));
      v.retry = protocol::errc_of(answer.error()) != errc::invalid_argument;
      return v;
    }
    const auto& r = *answer;
    if (r.status >= 200 && r.status < 300) {
      auto parsed = parse_embeddings_response(r.body, count, dim.load());
      if (parsed) {
        if (auto err = settle_dim(*parsed))
          parsed = std::move(err);
      }
      if (!parsed) {
        // A server that answers garbage is as unusable as one that does not answer.
        breaker->record_failure(now);
        v.result = make_error(protocol::errc_of(parsed.error()).value_or(errc::agent_error),
                              url + ": " + detail(parsed.error()));
        return v;
      }
      breaker->record_success();
      v.result = std::move(*parsed);
      return v;
    }
    if (r.status == 429 || r.status == 408 || r.status >= 500) {
      breaker->record_failure(now);
      v.retry = true;
      if (auto ra = r.header("retry-after"))
        v.retry_after = http::parse_retry_after(*ra);
      v.result = make_error(errc::unavailable, url + " " + status_text(r.status, r.body));
      return v;
    }
    // Other 4xx: the endpoint is up but refuses this request; repeating it will not help.
    breaker->record_success();
    std::string hint;
    if (r.status == 401 || r.status == 403)
      hint = " (is the API key in the variable named by embeddings.api_key_env right?)";
    else if (r.status == 404)
      hint = " (does embeddings.base_url end with /v1, and is embeddings.model served there?)";
    v.result = make_error(errc::agent_error, url + " " + status_text(r.status, r.body) + hint);
    return v;
  }

  http::http_request request(const std::vector<std::string>& texts,
                             std::chrono::milliseconds timeout) const {
    http::http_request req;
    req.method = http::http_method::post;
    req.url = url;
    req.headers["Content-Type"] = "application/json";
    if (!options.api_key.empty())
      req.headers["Authorization"] = "Bearer " + options.api_key;
    req.body = embeddings_request_body(options.model, texts);
    req.timeout = timeout;
    req.max_body_bytes = options.max_body_bytes;
    return req;
  }
};

openai_embedding_options openai_embedding_options::from(const embedding_settings& settings) {
  openai_embedding_options out;
  out.base_url = settings.base_url;
  out.model = settings.model;
  out.api_key = api_key_from_env(settings);
  out.dimensions = settings.dimensions;
  out.batch_size = settings.batch_size;
  out.timeout = settings.timeout;
  out.max_attempts = settings.max_attempts;
  return out;
}

openai_embedding_client::openai_embedding_client(openai_embedding_options options,
                                                 std::shared_ptr<http::http_client> http,
                                                 runtime::circuit_breaker* breaker)
  : core_(std::make_shared<core>()), http_(std::move(http)) {
  auto& c = *core_;
  c.options = std::move(options);
  c.options.batch_size = std::max<size_t>(c.options.batch_size, 1);
  c.options.max_attempts = std::max(c.options.max_attempts, 1);
  auto base = c.options.base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  c.url = base + "/embeddings";
  if (breaker == nullptr) {
    c.own_breaker = std::make_unique<runtime::circuit_breaker>(c.options.breaker);
    breaker = c.own_breaker.get();
  }
  c.breaker = breaker;
  c.dim = c.options.dimensions;
}

size_t openai_embedding_client::dimensions() const {
  return core_->dim.load();
}

runtime::breaker_state openai_embedding_client::breaker_state() const {
  return core_->breaker->state();
}

caf::expected<vectors>
openai_embedding_client::embed_one_batch(const std::vector<std::string>& texts) {
  auto& c = *core_;
  caf::error last;
  int made = 0;
  for (int attempt = 1; attempt <= c.options.max_attempts; ++attempt) {
    if (!c.breaker->try_acquire(std::chrono::steady_clock::now()))
      return make_error(errc::breaker_open, c.url + " failed repeatedly; its circuit breaker is open"
                                              + (last ? " (last: " + protocol::describe(last) + ")"
                                                      : std::string{}));
    std::promise<caf::expected<http::http_response>> promise;
    auto answer = promise.get_future();
    http_->send(c.request(texts, c.options.timeout),
                [&promise](caf::expected<http::http_response> r) { promise.set_value(std::move(r)); });
    ++made;
    auto v = c.judge(answer.get(), texts.size());
    if (v.result)
      return std::move(*v.result);
    last = std::move(v.result.error());
    if (!v.retry || attempt == c.options.max_attempts)
      break;
    auto pause = v.retry_after
                   ? std::min(*v.retry_after, c.options.max_retry_after)
                   : runtime::backoff_delay(c.options.backoff, static_cast<uint32_t>(attempt),
                                            runtime::random_unit());
    spdlog::warn("embeddings: {} (attempt {} of {}); retrying in {} ms", protocol::describe(last),
                 attempt, c.options.max_attempts, pause.count());
    std::this_thread::sleep_for(pause);
  }
  auto code = protocol::errc_of(last).value_or(errc::unavailable);
  return make_error(code, detail(last) + (made > 1 ? " (gave up after " + std::to_string(made)
                                                     + " attempts)"
                                                   : std::string{}));
}

caf::expected<vectors> openai_embedding_client::embed_batch(const std::vector<std::string>& texts,
                                                            const progress_fn& on_progress) {
  vectors out;
  out.reserve(texts.size());
  const auto batch = core_->options.batch_size;
  for (size_t first = 0; first < texts.size(); first += batch) {
    auto last = std::min(texts.size(), first + batch);
    std::vector<std::string> part(texts.begin() + static_cast<std::ptrdiff_t>(first),
                                  texts.begin() + static_cast<std::ptrdiff_t>(last));
    auto got = embed_one_batch(part);
    if (!got) {
      auto code = protocol::errc_of(got.error()).value_or(errc::unavailable);
      return make_error(code, "embedding texts " + std::to_string(first + 1) + "-"
                                + std::to_string(last) + " of " + std::to_string(texts.size())
                                + ": " + detail(got.error()));
    }
    for (auto& v : *got)
      out.push_back(std::move(v));
    if (on_progress)
      on_progress(out.size(), texts.size());
  }
  return out;
}

void openai_embedding_client::embed_query(std::string text,
                                          std::chrono::steady_clock::time_point deadline,
                                          vector_callback done) {
  auto now = std::chrono::steady_clock::now();
  auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
  if (budget.count() <= 0) {
    done(make_error(errc::timeout, "no time left to embed the query"));
    return;
  }
  auto c = core_;
  if (!c->breaker->try_acquire(now)) {
    done(make_error(errc::breaker_open, c->url + " failed repeatedly; its circuit breaker is open"));
    return;
  }
  http_->send(c->request({std::move(text)}, budget),
              [c, done = std::move(done)](caf::expected<http::http_response> answer) {
                auto v = c->judge(answer, 1);
                if (!v.result)
                  return done(std::move(v.result.error()));
                done(std::move(v.result->front()));
              });
}

}  // namespace cartmate::embeddings
