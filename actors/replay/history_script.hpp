// history_script.hpp — a recorded conversation (history_store turns) as a replay script, so
// `cartmate history SESSION` prints what happened in a form `cartmate replay` runs and checks.
// Threading: pure functions.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/stores/history_store.hpp"

namespace cartmate::replay {

struct history_script_options {
  /// The header's "conversation"; empty: "history-" + the session id.
  std::string conversation;
  /// Characters of the recorded reply quoted in each turn's "note" (0: none).
  size_t reply_in_note = 160;
};

/// JSON Lines in the format of examples/conversations/README.md: a header naming the tenant,
/// the user and the session, then one line per turn with the recorded input and expectations
/// of what happened: the intents, the agents that worked on it, "degraded" (true or false),
/// products.min (how many were shown) when products were shown, cart.items when the cart's
/// size was recorded, confirmation_asked when one was asked, order_placed when an order was.
/// Intent or agent names the replay parser does not know are left out (the note lists them).
/// Turns that cannot be replayed (image uploads, message turns without text) become '#'
/// comment lines. `turns` are one session's, in seq order. errc::invalid_argument when
/// `turns` is empty, mixes sessions, or holds no replayable turn.
[[nodiscard]] caf::expected<std::string>
history_to_script(const std::vector<stores::turn_record>& turns,
                  const history_script_options& options = {});

}  // namespace cartmate::replay
