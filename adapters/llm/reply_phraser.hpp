// reply_phraser.hpp — lets a chat model phrase a turn's final reply from the facts of the
// built-in reply, streamed piece by piece (config/llm/reply_prompt.txt says how).
// Threading: immutable after construction; phrase() is safe from any thread and calls back on
// the chat client's thread (keep callbacks short: actors only caf::anon_send there).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "adapters/llm/chat_client.hpp"

namespace cartmate::llm {

/// The streamed request: the reply prompt as system message; the shopper's message and the
/// built-in reply (the facts) as the user turn.
chat_request phrasing_request(const std::string& reply_prompt, const std::string& shopper_text,
                              const std::string& built_in_reply, double temperature,
                              std::chrono::steady_clock::time_point deadline);

class reply_phraser {
 public:
  using done_fn = std::function<void(caf::expected<std::string>)>;

  reply_phraser(std::shared_ptr<chat_client> client, std::string reply_prompt, double temperature);

  /// Streams the phrased reply: `on_delta` per piece, then `done` with the whole text
  /// (errc::agent_error when the model answered with no text).
  void phrase(const std::string& shopper_text, const std::string& built_in_reply,
              std::chrono::steady_clock::time_point deadline, delta_callback on_delta,
              done_fn done) const;

 private:
  std::shared_ptr<chat_client> client_;
  std::string reply_prompt_;
  double temperature_;
};

}  // namespace cartmate::llm
