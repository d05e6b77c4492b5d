// embedding_settings.hpp — the `embeddings` section of the node configuration: which embedder
// makes product and query vectors (the built-in hashing one, or an OpenAI-compatible endpoint)
// and how that endpoint is called. Threading: plain values and pure functions.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

namespace cartmate::embeddings {

enum class embedding_provider { hashing, openai };

struct embedding_settings {
  embedding_provider provider = embedding_provider::hashing;
  std::string base_url = "http://127.0.0.1:8000/v1";   // "/embeddings" is appended
  std::string model;
  std::string api_key_env = "CARTMATE_EMBEDDINGS_API_KEY";
  size_t dimensions = 0;                                // 0: the first answer's
  size_t batch_size = 64;
  std::chrono::milliseconds timeout{10000};             // one batch request
  std::chrono::milliseconds query_timeout{300};         // one search query
  int max_attempts = 3;

  /// True when vectors come from a model endpoint rather than the hashing embedder.
  bool uses_model() const noexcept {
    return provider == embedding_provider::openai;
  }

  /// What made a catalog's vectors, as recorded next to them: "openai:<model>" or "hashing".
  /// A catalog is only served with the embedder that made it.
  std::string vector_source() const;
};

/// Reads settings["embeddings"] (a validated settings tree); absent keys keep the defaults.
/// Fails with invalid_argument on a key of the wrong type or range, an unknown provider, or
/// provider openai without a base_url or model.
[[nodiscard]] caf::expected<embedding_settings>
read_embedding_settings(const nlohmann::json& settings);

/// The API key from the environment variable `settings.api_key_env`; empty when unset.
std::string api_key_from_env(const embedding_settings& settings);

}  // namespace cartmate::embeddings
