// llm_settings.cpp — the `llm` section and its files; see the header.
#include "adapters/llm/llm_settings.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/nlu/language_understanding.hpp"
#include "config/section_reader.hpp"
#include "protocol/errors.hpp"

namespace cartmate::llm {

namespace {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

caf::error bad(const std::string& key, const std::string& what) {
  return make_error(errc::invalid_argument, "llm." + key + " " + what);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return std::nullopt;
  return text.str();
}

caf::expected<std::string> read_prompt(const std::string& key, const std::string& path) {
  auto text = read_file(path);
  if (!text)
    return make_error(errc::invalid_argument,
                      "llm." + key + ": cannot read '" + path + "' (relative paths start at the "
                        "working directory)");
  if (text->find_first_not_of(" \t\r\n") == std::string::npos)
    return make_error(errc::invalid_argument, "llm." + key + ": '" + path + "' is empty");
  return std::move(*text);
}

}  // namespace

caf::expected<llm_settings> read_llm_settings(const json& settings) {
  llm_settings out;
  config::section_reader s{settings, "llm"};
  std::string provider = "offline";
  int64_t timeout = out.timeout.count();
  int64_t attempts = out.max_attempts;
  int64_t backoff = out.backoff_initial.count();
  int64_t threshold = out.breaker_failure_threshold;
  int64_t reset = out.breaker_reset.count();
  constexpr int64_t big = int64_t{1} << 40;
  for (auto err : {s.text("provider", provider, true),
                   s.text("base_url", out.base_url),
                   s.text("model", out.model),
                   s.text("api_key_env", out.api_key_env),
                   s.integer("timeout_ms", 50, 120000, timeout),
                   s.integer("max_attempts", 1, 10, attempts),
                   s.integer("backoff_initial_ms", 1, big, backoff),
                   s.integer("breaker_failure_threshold", 1, 1000000, threshold),
                   s.integer("breaker_reset_ms", 1, big, reset),
                   s.text("system_prompt_file", out.system_prompt_file, true),
                   s.text("tools_file", out.tools_file, true),
                   s.text("reply_prompt_file", out.reply_prompt_file, true),
                   s.number("temperature", 0.0, 2.0, out.temperature),
                   s.boolean("stream_replies", out.stream_replies)})
    if (err)
      return err;
  if (provider == "offline")
    out.provider = llm_provider::offline;
  else if (provider == "openai")
    out.provider = llm_provider::openai;
  else
    return bad("provider", "must be \"offline\" or \"openai\" (got \"" + provider + "\")");
  if (out.provider == llm_provider::openai) {
    if (out.base_url.rfind("http://", 0) != 0 && out.base_url.rfind("https://", 0) != 0)
      return bad("base_url", "must start with http:// or https:// (got \"" + out.base_url + "\")");
  }
  out.timeout = std::chrono::milliseconds{timeout};
  out.max_attempts = static_cast<int>(attempts);
  out.backoff_initial = std::chrono::milliseconds{backoff};
  out.breaker_failure_threshold = static_cast<int>(threshold);
  out.breaker_reset = std::chrono::milliseconds{reset};
  return out;
}

std::string api_key(const llm_settings& settings) {
  if (settings.api_key_env.empty())
    return {};
  const char* v = std::getenv(settings.api_key_env.c_str());
  return v != nullptr ? std::string{v} : std::string{};
}

caf::expected<std::vector<std::string>> check_tools(const json& tools, const std::string& origin) {
  auto fail = [&](const std::string& what) {
    return make_error(errc::invalid_argument, origin + ": " + what);
  };
  if (!tools.is_array() || tools.empty())
    return fail("must be a non-empty JSON array of tools");
  std::vector<std::string> names;
  for (size_t i = 0; i < tools.size(); ++i) {
    const auto& t = tools[i];
    auto where = "tool " + std::to_string(i);
    if (!t.is_object() || t.value("type", "") != "function" || !t.contains("function")
        || !t["function"].is_object())
      return fail(where + " must be {\"type\":\"function\",\"function\":{...}}");
    const auto& f = t["function"];
    if (!f.contains("name") || !f["name"].is_string())
      return fail(where + " has no name");
    auto name = f["name"].get<std::string>();
    if (!nlu::intent_from_string(name) || name == "unknown")
      return fail("tool '" + name + "' is not one of CartMate's intents");
    if (!f.contains("parameters") || !f["parameters"].is_object())
      return fail("tool '" + name + "' has no parameters object");
    names.push_back(std::move(name));
  }
  return names;
}

caf::expected<llm_prompts> load_llm_prompts(const llm_settings& settings) {
  llm_prompts out;
  auto prompt = read_prompt("system_prompt_file", settings.system_prompt_file);
  if (!prompt)
    return std::move(prompt.error());
  out.understanding_prompt = std::move(*prompt);
  auto tools_text = read_prompt("tools_file", settings.tools_file);
  if (!tools_text)
    return std::move(tools_text.error());
  auto tools = json::parse(*tools_text, nullptr, false);
  if (tools.is_discarded())
    return make_error(errc::invalid_argument,
                      "llm.tools_file: '" + settings.tools_file + "' is not valid JSON");
  auto names = check_tools(tools, "llm.tools_file '" + settings.tools_file + "'");
  if (!names)
    return std::move(names.error());
  out.tool_names = std::move(*names);
  out.tools_json = tools.dump();
  if (settings.stream_replies) {
    auto reply = read_prompt("reply_prompt_file", settings.reply_prompt_file);
    if (!reply)
      return std::move(reply.error());
    out.reply_prompt = std::move(*reply);
  }
  return out;
}

}  // namespace cartmate::llm
