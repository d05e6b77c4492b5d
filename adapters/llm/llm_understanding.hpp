// llm_understanding.hpp — intent and slot extraction by a chat model through tool calling: the
// request (system prompt and tools from config/llm/), and the strict mapping of the model's
// tool calls into an nlu::understanding. Anything the mapping does not accept is an error, so
// the caller falls back to the offline understanding.
// Threading: immutable after construction; understand() is safe from any thread and calls back
// on the chat client's thread (keep the callback short: actors only caf::anon_send there).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/llm/chat_client.hpp"
#include "adapters/llm/llm_settings.hpp"
#include "adapters/nlu/language_understanding.hpp"

namespace cartmate::llm {

/// A plan never has more steps than this; a longer list of tool calls is rejected.
inline constexpr size_t max_plan_steps = 8;

/// The chat request for one message: the system prompt, the dialogue hints and the message as
/// the user turn, the tools with tool_choice "auto".
chat_request understanding_request(const llm_prompts& prompts, std::string_view text,
                                   const nlu::dialogue_hints& hints, double temperature,
                                   std::chrono::steady_clock::time_point deadline);

/// One tool call as a plan step: the tool's name is the intent, its arguments the slots.
/// errc::invalid_argument naming the problem for an unknown tool, arguments that are not a JSON
/// object, an unknown argument, a value of the wrong type or out of range (negative money,
/// min above max, percent outside 1..99, ordinal index 0, ...).
[[nodiscard]] caf::expected<nlu::step> step_from_tool_call(const tool_call& call,
                                                           const std::vector<std::string>& offered);

/// Every tool call of `reply`, in order, as one plan. errc::invalid_argument when there is no
/// tool call, more than max_plan_steps, or any call fails step_from_tool_call.
[[nodiscard]] caf::expected<nlu::understanding>
understanding_from_reply(const chat_reply& reply, const std::vector<std::string>& offered);

class llm_understanding {
 public:
  using done_fn = std::function<void(caf::expected<nlu::understanding>)>;

  llm_understanding(std::shared_ptr<chat_client> client, llm_prompts prompts, double temperature);

  /// Asks the model about `text`; `done` gets the validated plan or the error (the client's,
  /// or the mapping's invalid_argument).
  void understand(std::string_view text, const nlu::dialogue_hints& hints,
                  std::chrono::steady_clock::time_point deadline, done_fn done) const;

  const llm_prompts& prompts() const { return prompts_; }

 private:
  std::shared_ptr<chat_client> client_;
  llm_prompts prompts_;
  double temperature_;
};

}  // namespace cartmate::llm
