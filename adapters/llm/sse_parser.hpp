// sse_parser.hpp — an incremental parser of server-sent events (the text/event-stream format
// that streamed chat completions use): bytes go in as they arrive, split anywhere, complete
// events come out.
// Threading: one parser per stream, used by one thread at a time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cartmate::llm {

struct sse_event {
  std::string name;   // the "event:" field; empty means "message"
  std::string data;   // "data:" lines joined with '\n'

  friend bool operator==(const sse_event& a, const sse_event& b) {
    return a.name == b.name && a.data == b.data;
  }
};

/// Follows the WHATWG rules that matter here: lines end in LF, CRLF or CR (a CRLF split across
/// two feeds counts once), "field: value" drops one space after the colon, lines starting with
/// ':' are comments, a blank line ends the event, an event without data is not dispatched, and
/// id/retry/unknown fields are ignored.
class sse_parser {
 public:
  /// Parses `bytes` and returns the events they complete, in order.
  std::vector<sse_event> feed(std::string_view bytes);

  /// The stream ended: returns the last event when it had data but no blank line after it
  /// (servers that end with "data: [DONE]\n" and close), and resets the parser.
  std::vector<sse_event> finish();

  /// Bytes held for an unfinished line or event.
  size_t buffered() const { return line_.size() + data_.size(); }

 private:
  void take_line(std::vector<sse_event>& out);

  std::string line_;         // the current line, without its terminator
  std::string name_;
  std::string data_;
  bool has_data_ = false;
  bool after_cr_ = false;    // the last byte was CR: a following LF belongs to it
};

}  // namespace cartmate::llm
