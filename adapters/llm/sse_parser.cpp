// sse_parser.cpp — line splitting and field handling for server-sent events; see the header.
#include "adapters/llm/sse_parser.hpp"

namespace cartmate::llm {

std::vector<sse_event> sse_parser::feed(std::string_view bytes) {
  std::vector<sse_event> out;
  for (char c : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n')
        continue;   // the LF of a CRLF whose CR ended the line already
    }
    if (c == '\r') {
      after_cr_ = true;
      take_line(out);
    } else if (c == '\n') {
      take_line(out);
    } else {
      line_ += c;
    }
  }
  return out;
}

std::vector<sse_event> sse_parser::finish() {
  std::vector<sse_event> out;
  if (!line_.empty())
    take_line(out);
  take_line(out);   // a blank line: dispatches what is pending
  *this = sse_parser{};
  return out;
}

void sse_parser::take_line(std::vector<sse_event>& out) {
  if (line_.empty()) {
    if (has_data_)
      out.push_back(sse_event{std::move(name_), std::move(data_)});
    name_.clear();
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line_.front() == ':') {
    line_.clear();
    return;   // a comment (keep-alive)
  }
  std::string_view line{line_};
  auto colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_)
      data_ += '\n';
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    name_ = std::string{value};
  }
  line_.clear();
}

}  // namespace cartmate::llm
