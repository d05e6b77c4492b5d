// llm_settings.hpp — the `llm` section of the node configuration (config/schema.json) and the
// prompt and tool files it names, read once at start-up.
// Threading: plain values and pure functions (file reads aside); safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

namespace cartmate::llm {

enum class llm_provider { offline, openai };

struct llm_settings {
  llm_provider provider = llm_provider::offline;
  std::string base_url = "http://127.0.0.1:8000/v1";
  std::string model;
  /// Name of the environment variable with the API key; its value is read by api_key().
  std::string api_key_env = "CARTMATE_LLM_API_KEY";
  std::chrono::milliseconds timeout{2000};
  int max_attempts = 2;
  std::chrono::milliseconds backoff_initial{100};
  int breaker_failure_threshold = 3;
  std::chrono::milliseconds breaker_reset{10000};
  double temperature = 0.0;
  /// Relative paths start at the working directory (the repository root when running).
  std::string system_prompt_file = "config/llm/understanding_prompt.txt";
  std::string tools_file = "config/llm/understanding_tools.json";
  bool stream_replies = false;
  std::string reply_prompt_file = "config/llm/reply_prompt.txt";
};

/// Reads settings["llm"]; absent keys keep the defaults above. Fails with invalid_argument
/// naming the key for a wrong type or a value out of range (the schema's bounds).
[[nodiscard]] caf::expected<llm_settings> read_llm_settings(const nlohmann::json& settings);

/// The value of the environment variable `settings.api_key_env`, or "" when unset.
std::string api_key(const llm_settings& settings);

/// What the prompt and tool files hold.
struct llm_prompts {
  std::string understanding_prompt;
  /// The tools array (OpenAI "tools" format), as compact JSON text.
  std::string tools_json;
  /// Names of the offered function tools, in file order.
  std::vector<std::string> tool_names;
  std::string reply_prompt;   // empty unless stream_replies
};

/// Reads the prompt files and the tool file of `settings`. Fails with invalid_argument naming
/// the file when one cannot be read or is empty, when the tools file is not a JSON array of
/// {"type":"function","function":{"name":..,"parameters":{..}}}, or when a tool is not named
/// after an intent (nlu::intent_from_string).
[[nodiscard]] caf::expected<llm_prompts> load_llm_prompts(const llm_settings& settings);

/// Checks a tools array as load_llm_prompts does and returns the tool names; `origin` names
/// the source in errors.
[[nodiscard]] caf::expected<std::vector<std::string>>
check_tools(const nlohmann::json& tools, const std::string& origin);

}  // namespace cartmate::llm
