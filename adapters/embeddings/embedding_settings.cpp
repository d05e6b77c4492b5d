// embedding_settings.cpp — the `embeddings` section, leniently defaulted; see the header.
#include "adapters/embeddings/embedding_settings.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "config/section_reader.hpp"
#include "protocol/errors.hpp"

namespace cartmate::embeddings {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

std::string embedding_settings::vector_source() const {
  return uses_model() ? "openai:" + model : "hashing";
}

caf::expected<embedding_settings> read_embedding_settings(const json& settings) {
  embedding_settings out;
  config::section_reader section{settings, "embeddings"};
  std::string provider = "hashing";
  int64_t dims = 0;
  int64_t batch = static_cast<int64_t>(out.batch_size);
  int64_t timeout = out.timeout.count();
  int64_t query_timeout = out.query_timeout.count();
  int64_t attempts = out.max_attempts;
  for (auto err : {section.text("provider", provider),
                   section.text("base_url", out.base_url),
                   section.text("model", out.model),
                   section.text("api_key_env", out.api_key_env),
                   section.integer("dimensions", 0, 16384, dims),
                   section.integer("batch_size", 1, 2048, batch),
                   section.integer("timeout_ms", 1, 600000, timeout),
                   section.integer("query_timeout_ms", 1, 60000, query_timeout),
                   section.integer("max_attempts", 1, 10, attempts)})
    if (err)
      return err;
  if (provider == "hashing")
    out.provider = embedding_provider::hashing;
  else if (provider == "openai")
    out.provider = embedding_provider::openai;
  else
    return make_error(errc::invalid_argument,
                      "embeddings.provider is hashing or openai, not '" + provider + "'");
  while (!out.base_url.empty() && out.base_url.back() == '/')
    out.base_url.pop_back();
  if (out.uses_model() && out.base_url.empty())
    return make_error(errc::invalid_argument,
                      "embeddings.base_url must be set when embeddings.provider is openai");
  // The model name is recorded with stored vectors, so a catalog is never served with another.
  if (out.uses_model() && out.model.empty())
    return make_error(errc::invalid_argument,
                      "embeddings.model must name the model when embeddings.provider is openai");
  out.dimensions = static_cast<size_t>(dims);
  out.batch_size = static_cast<size_t>(batch);
  out.timeout = std::chrono::milliseconds{timeout};
  out.query_timeout = std::chrono::milliseconds{query_timeout};
  out.max_attempts = static_cast<int>(attempts);
  return out;
}

std::string api_key_from_env(const embedding_settings& settings) {
  if (settings.api_key_env.empty())
    return {};
  const char* value = std::getenv(settings.api_key_env.c_str());
  return value == nullptr ? std::string{} : std::string{value};
}

}  // namespace cartmate::embeddings
