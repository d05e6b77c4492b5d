// model_deps.cpp — the llm section into a chat client, understanding and phraser; see the header.
#include "actors/orchestrator/model_deps.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/http/curl_http_client.hpp"
#include "adapters/llm/llm_settings.hpp"
#include "adapters/llm/openai_chat_client.hpp"

namespace cartmate::orchestrator {

caf::expected<model_deps> load_model_deps(const nlohmann::json& settings,
                                          runtime::metrics_registry* metrics) {
  model_deps out;
  auto s = llm::read_llm_settings(settings);
  if (!s)
    return std::move(s.error());
  if (s->provider == llm::llm_provider::offline)
    return out;
  auto prompts = llm::load_llm_prompts(*s);
  if (!prompts)
    return std::move(prompts.error());
  auto http = std::make_shared<http::curl_http_client>();
  auto options = llm::openai_options_from(*s);
  bool keyed = !options.api_key.empty();
  auto on_breaker = [metrics](runtime::breaker_state from, runtime::breaker_state to) {
    spdlog::warn("llm endpoint circuit breaker: {} -> {}", runtime::to_string(from),
                 runtime::to_string(to));
    if (metrics != nullptr)
      metrics
        ->counter_for("cartmate_llm_breaker_transitions_total",
                      "Circuit breaker transitions of the model endpoint",
                      {{"to", std::string{runtime::to_string(to)}}})
        .inc();
  };
  auto chat = std::make_shared<llm::openai_chat_client>(std::move(options), http, on_breaker);
  out.http = http;
  out.timeout = s->timeout;
  if (s->stream_replies)
    out.phraser = std::make_shared<const llm::reply_phraser>(chat, prompts->reply_prompt,
                                                             s->temperature);
  out.understanding = std::make_shared<const llm::llm_understanding>(chat, std::move(*prompts),
                                                                     s->temperature);
  spdlog::info("llm: model '{}' at {} ({}), timeout {} ms, {} attempts{}", s->model, s->base_url,
               keyed ? "API key from " + s->api_key_env : std::string{"no API key"},
               s->timeout.count(), s->max_attempts,
               s->stream_replies ? ", replies streamed" : "");
  return out;
}

void stop_model_http(const model_deps& deps) {
  if (auto* curl = dynamic_cast<http::curl_http_client*>(deps.http.get()))
    curl->stop();
}

}  // namespace cartmate::orchestrator
