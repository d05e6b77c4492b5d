// text_sanitiser.hpp — makes a shopper's raw message safe to read: capped in size, valid UTF-8,
// no control characters. Threading: pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cartmate::orchestrator {

struct sanitised_text {
  std::string text;        // valid UTF-8, no control characters, trimmed
  bool truncated = false;  // the input was longer than the cap
  bool repaired = false;   // invalid UTF-8 was replaced by U+FFFD
};

/// Cuts `raw` to at most `max_bytes` (never inside a UTF-8 sequence), replaces each invalid
/// UTF-8 sequence with U+FFFD, turns tabs and line breaks into spaces, drops other control
/// characters and trims surrounding spaces.
sanitised_text sanitise_text(std::string_view raw, size_t max_bytes);

}  // namespace cartmate::orchestrator
