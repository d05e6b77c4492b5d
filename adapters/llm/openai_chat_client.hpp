// openai_chat_client.hpp — chat_client for OpenAI-compatible endpoints (llama.cpp server,
// Ollama's /v1, vLLM, hosted APIs): POST {base_url}/chat/completions over an http_client,
// retries of 5xx, 429 (honouring Retry-After) and timeouts with backoff inside the caller's
// deadline, and one circuit breaker for the endpoint.
// Threading: safe from any thread. Callbacks run on the HTTP client's thread, on the retry
// timer's thread, or (for calls refused at once) on the caller's. Destroying the client fails
// the calls still waiting for a retry with errc::unavailable; the http_client should be owned
// elsewhere too, so it is never released from one of its own callbacks.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "adapters/http/http_client.hpp"
#include "adapters/llm/chat_client.hpp"
#include "adapters/llm/llm_settings.hpp"
#include "runtime/backoff.hpp"
#include "runtime/circuit_breaker.hpp"

namespace cartmate::llm {

struct openai_options {
  std::string base_url = "http://127.0.0.1:8000/v1";   // "/chat/completions" is appended
  std::string model;
  std::string api_key;   // empty: no Authorization header
  /// Limit of one attempt; the caller's deadline cuts it shorter.
  std::chrono::milliseconds timeout{2000};
  int max_attempts = 2;
  runtime::backoff_policy backoff{std::chrono::milliseconds{100}, std::chrono::milliseconds{5000},
                                  2.0, 0.2};
  runtime::breaker_settings breaker{3, std::chrono::milliseconds{10000}};
  size_t max_body_bytes = 1024 * 1024;
};

/// The options `settings` describe; the API key is read from its environment variable now.
openai_options openai_options_from(const llm_settings& settings);

class openai_chat_client final : public chat_client {
 public:
  openai_chat_client(openai_options options, std::shared_ptr<http::http_client> http,
                     runtime::circuit_breaker::transition_listener on_breaker = {});
  ~openai_chat_client() override;

  openai_chat_client(const openai_chat_client&) = delete;
  openai_chat_client& operator=(const openai_chat_client&) = delete;

  void complete(chat_request req, reply_callback done) override;
  void stream(chat_request req, delta_callback on_delta, reply_callback done) override;

  runtime::breaker_state breaker_state() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace cartmate::llm
