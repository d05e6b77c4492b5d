// model_deps.hpp — start-up wiring of the `llm` section for the orchestrator: with provider
// openai, one libcurl HTTP client, one OpenAI-compatible chat client (its breaker shared by
// understanding and phrasing), the understanding and, with stream_replies, the reply phraser.
// Threading: called once at start-up; what it returns is thread-safe.
#pragma once

#include <chrono>
#include <memory>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include "adapters/http/http_client.hpp"
#include "adapters/llm/llm_understanding.hpp"
#include "adapters/llm/reply_phraser.hpp"
#include "runtime/metrics_registry.hpp"

namespace cartmate::orchestrator {

struct model_deps {
  /// The HTTP client the chat client uses; the node stops it at shutdown. Null when offline.
  std::shared_ptr<http::http_client> http;
  std::shared_ptr<const llm::llm_understanding> understanding;   // null: offline only
  std::shared_ptr<const llm::reply_phraser> phraser;             // null: built-in replies
  std::chrono::milliseconds timeout{2000};
};

/// Reads settings["llm"] and its prompt and tool files. All null for provider offline (the
/// default). Fails with invalid_argument for a bad key or an unreadable or invalid file, so a
/// misconfigured model stops start-up instead of failing every turn. `metrics` (optional)
/// counts breaker transitions (cartmate_llm_breaker_transitions_total{to}).
[[nodiscard]] caf::expected<model_deps> load_model_deps(const nlohmann::json& settings,
                                                        runtime::metrics_registry* metrics);

/// Stops `deps.http` when it is the libcurl client (fails its transfers in flight).
void stop_model_http(const model_deps& deps);

}  // namespace cartmate::orchestrator
