// openai_wire.hpp — the OpenAI /embeddings wire format (also spoken by llama.cpp server, Ollama's
// /v1 API and vLLM): the request body, the checks every answer passes, error bodies.
// Threading: pure functions.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

namespace cartmate::embeddings {

/// {"model": model, "input": [texts...], "encoding_format": "float"}.
std::string embeddings_request_body(const std::string& model, const std::vector<std::string>& texts);

/// The vectors of a 2xx answer, ordered by data[i].index. Checks: valid JSON with a `data` array
/// of `count` objects, each with a distinct `index` in 0..count-1 (position when absent) and an
/// `embedding` array of finite numbers; every vector of one dimension, equal to `dim` unless it
/// is 0. errc::agent_error for a malformed answer, errc::conflict for a wrong dimension (the
/// message names both numbers).
[[nodiscard]] caf::expected<std::vector<std::vector<float>>>
parse_embeddings_response(std::string_view body, size_t count, size_t dim);

/// The `error.message` of an OpenAI-style error body (or a plain string `error`, as some servers
/// send), else the start of the body; for error messages.
std::string error_message_of(std::string_view body);

}  // namespace cartmate::embeddings
