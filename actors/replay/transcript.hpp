// transcript.hpp — the human-readable transcript of a turn: the user line, the assistant's reply,
// the products shown as short lines, the cart, and the checks with PASS/FAIL.
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/replay/expectations.hpp"
#include "actors/replay/replay_script.hpp"

namespace cartmate::replay {

struct transcript_style {
  size_t max_products = 5;   // products listed per turn; the rest are counted
  bool show_checks = true;   // false: only failed checks are listed
  bool show_meta = true;     // intents, agents and latency of the turn
  bool echo_user = true;     // repeat the user's line (off in the interactive chat)
};

/// "1,299 INR" (whole units grouped; paise shown only when present).
std::string format_money(int64_t minor, const std::string& currency);

/// The block of one turn, each line ending in '\n'.
std::string format_turn(size_t number, const script_turn& turn, const turn_outcome& outcome,
                        const std::vector<check_result>& checks, int64_t latency_us,
                        const transcript_style& style = {});

}  // namespace cartmate::replay
