// text_sanitiser.cpp — UTF-8 repair and capping of incoming messages.
#include "actors/orchestrator/text_sanitiser.hpp"

#include <cstdint>

namespace cartmate::orchestrator {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid (overlong
// forms, surrogates and code points above U+10FFFF included).
size_t valid_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  if (b0 < 0x80)
    return 1;
  size_t len = 0;
  uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size())
    return 0;
  for (size_t k = 1; k < len; ++k) {
    uint8_t b = byte(i + k);
    if ((b & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF
      || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

bool is_space_control(uint8_t b) {
  return b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f';
}

void trim(std::string& s) {
  auto first = s.find_first_not_of(' ');
  if (first == std::string::npos) {
    s.clear();
    return;
  }
  auto last = s.find_last_not_of(' ');
  s = s.substr(first, last - first + 1);
}

}  // namespace

sanitised_text sanitise_text(std::string_view raw, size_t max_bytes) {
  sanitised_text out;
  out.text.reserve(std::min(raw.size(), max_bytes));
  size_t i = 0;
  while (i < raw.size()) {
    auto len = valid_sequence_length(raw, i);
    std::string_view piece = len == 0 ? replacement : raw.substr(i, len);
    if (len == 0)
      out.repaired = true;
    if (out.text.size() + piece.size() > max_bytes) {
      out.truncated = true;
      break;
    }
    auto b = static_cast<uint8_t>(piece[0]);
    if (len == 1 && is_space_control(b))
      out.text += ' ';
    else if (len == 1 && (b < 0x20 || b == 0x7F))
      ;  // other control characters carry no meaning in a chat message
    else if (len == 2 && b == 0xC2 && static_cast<uint8_t>(piece[1]) < 0xA0)
      ;  // C1 controls (U+0080..U+009F)
    else
      out.text.append(piece);
    i += len == 0 ? 1 : len;
  }
  trim(out.text);
  return out;
}

}  // namespace cartmate::orchestrator
