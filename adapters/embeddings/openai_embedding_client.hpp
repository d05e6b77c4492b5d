// openai_embedding_client.hpp — embedding_client for OpenAI-compatible endpoints (OpenAI, llama.cpp
// server --embeddings, Ollama /v1, vLLM): POST {base_url}/embeddings with batches of texts, every
// answer checked (order by index, one dimension), retries with backoff on 5xx, 429 (honouring
// Retry-After) and timeouts, and a circuit breaker so a dead endpoint fails fast.
// Threading: safe for concurrent use; see embedding_client.hpp for which calls block. The HTTP
// client it holds must outlive it (it is shared, so holding the pointer is enough).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "adapters/embeddings/embedding_client.hpp"
#include "adapters/embeddings/embedding_settings.hpp"
#include "adapters/http/http_client.hpp"
#include "runtime/backoff.hpp"
#include "runtime/circuit_breaker.hpp"

namespace cartmate::embeddings {

struct openai_embedding_options {
  std::string base_url;                      // without a trailing '/'; "/embeddings" is appended
  std::string model;
  std::string api_key;                       // empty: no Authorization header
  size_t dimensions = 0;                     // 0: the first answer's
  size_t batch_size = 64;
  std::chrono::milliseconds timeout{10000};  // one batch request
  int max_attempts = 3;                      // per batch; queries make one attempt
  runtime::backoff_policy backoff{std::chrono::milliseconds{250}, std::chrono::seconds{8}, 2.0, 0.2};
  /// Longest Retry-After honoured; a longer one is cut to this (start-up must end some time).
  std::chrono::milliseconds max_retry_after{std::chrono::seconds{30}};
  runtime::breaker_settings breaker{5, std::chrono::seconds{10}};
  /// Largest answer read: a batch of 64 vectors of 3072 floats is about 2.5 MB of JSON.
  size_t max_body_bytes = 32 * 1024 * 1024;

  /// From the configuration, the API key read from settings.api_key_env.
  static openai_embedding_options from(const embedding_settings& settings);
};

class openai_embedding_client final : public embedding_client {
 public:
  /// `http` must not be null. `breaker`, when given (e.g. from the node's registry, so /metrics
  /// shows it), must outlive the client; otherwise the client keeps its own.
  openai_embedding_client(openai_embedding_options options, std::shared_ptr<http::http_client> http,
                          runtime::circuit_breaker* breaker = nullptr);

  size_t dimensions() const override;

  caf::expected<std::vector<std::vector<float>>>
  embed_batch(const std::vector<std::string>& texts, const progress_fn& on_progress = {}) override;

  /// One attempt: a query's budget (a few hundred ms) leaves no room for backoff, and the caller
  /// has a lexical answer ready. Failures count towards the breaker.
  void embed_query(std::string text, std::chrono::steady_clock::time_point deadline,
                   vector_callback done) override;

  runtime::breaker_state breaker_state() const;

 private:
  // What answer callbacks need; shared with them so a late callback finds it alive.
  struct core;

  caf::expected<std::vector<std::vector<float>>>
  embed_one_batch(const std::vector<std::string>& texts);

  std::shared_ptr<core> core_;
  std::shared_ptr<http::http_client> http_;
};

}  // namespace cartmate::embeddings
