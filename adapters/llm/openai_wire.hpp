// openai_wire.hpp — the OpenAI chat-completions wire format: the request body, the answer of a
// plain completion, and the decoder of a streamed one (server-sent events of chunks). Pure, so
// the formats are tested without a server.
// Threading: free functions are pure; a chat_stream_decoder belongs to one stream.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/llm/chat_client.hpp"
#include "adapters/llm/sse_parser.hpp"

namespace cartmate::llm {

/// {"model":..,"messages":[..],"temperature":..,"tools":[..],"tool_choice":..,"stream":..}.
/// Fails with invalid_argument when req.tools_json is not a JSON array.
[[nodiscard]] caf::expected<std::string>
chat_request_body(const std::string& model, const chat_request& req, bool stream);

/// The first choice of a chat.completion answer. errc::agent_error for a body that is not
/// JSON, has no choices, a choice without a message, a tool call without a function name, or
/// an "error" object.
[[nodiscard]] caf::expected<chat_reply> parse_chat_completion(std::string_view body);

/// The "error.message" (or the start of the body) of an error answer, for logs and errors.
std::string error_summary(std::string_view body);

/// Reassembles a streamed completion from the bytes of its server-sent events, split anywhere:
/// content deltas come out as they complete; tool-call fragments are joined by their index.
class chat_stream_decoder {
 public:
  /// Consumes `bytes`; returns the content pieces they complete (possibly none), or
  /// errc::agent_error for an event that is not a chunk (the stream is then broken).
  [[nodiscard]] caf::expected<std::vector<std::string>> feed(std::string_view bytes);

  /// The stream ended: the whole reply, or errc::agent_error when it held no chunk at all.
  [[nodiscard]] caf::expected<chat_reply> finish();

  bool done_seen() const { return done_; }

 private:
  caf::error take(const sse_event& ev, std::vector<std::string>& deltas);

  sse_parser parser_;
  chat_reply reply_;
  std::map<int, tool_call> tools_;
  bool done_ = false;
  int chunks_ = 0;
};

}  // namespace cartmate::llm
