// chat_client.hpp — the seam between CartMate and a chat-completions model: ask once (with
// tools) or stream a reply, always within the caller's deadline, and hear back once.
// openai_chat_client speaks the OpenAI-compatible wire format over HTTP.
// Threading: complete()/stream() may be called from any thread; callbacks run on the client's
// own thread (or on the caller's, when a call fails before it starts), so they must be short
// and thread-safe: actors only caf::anon_send there.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace cartmate::llm {

struct chat_message {
  std::string role;   // "system", "user", "assistant"
  std::string content;
};

struct chat_request {
  std::vector<chat_message> messages;
  /// The "tools" array as JSON text; empty: no tools.
  std::string tools_json;
  /// "auto", "required" or "none"; empty: not sent.
  std::string tool_choice;
  std::optional<double> temperature;
  /// The answer is due by then: attempts, retries and waits all end before it.
  std::chrono::steady_clock::time_point deadline;
};

struct tool_call {
  std::string id;
  std::string name;
  /// The arguments as the model wrote them: JSON text, not yet validated.
  std::string arguments;
};

struct chat_reply {
  std::string content;
  std::vector<tool_call> tool_calls;
  std::string finish_reason;
  int attempts = 1;   // requests it took, retries included
};

/// Called once: the reply, or errc::timeout (the deadline or the attempt limit passed),
/// errc::breaker_open (fails fast while the endpoint keeps failing), errc::unavailable (cannot
/// connect, 5xx or 429 after the last attempt), errc::agent_error (a malformed answer) or
/// errc::invalid_argument (the endpoint refused the request: 4xx).
using reply_callback = std::function<void(caf::expected<chat_reply>)>;

/// One piece of streamed reply text, in order.
using delta_callback = std::function<void(const std::string& delta)>;

class chat_client {
 public:
  virtual ~chat_client() = default;

  /// Asks for one completion; returns at once.
  virtual void complete(chat_request req, reply_callback done) = 0;

  /// Asks for a streamed completion: `on_delta` gets each piece of content as it arrives, then
  /// `done` the whole reply. A failed attempt is retried only while nothing was delivered.
  virtual void stream(chat_request req, delta_callback on_delta, reply_callback done) = 0;
};

}  // namespace cartmate::llm
