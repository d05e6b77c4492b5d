// replay_script.hpp — a scripted conversation (JSON Lines, one conversation per file, format in
// examples/conversations/README.md): each turn a user input plus the expectations to check.
// Threading: plain values and free functions; parse on any thread, share the result read-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/orchestrator_messages.hpp"

namespace cartmate::replay {

/// Constraints every product shown during a turn must meet, plus how many there must be.
/// String constraints list accepted values (any one matches, case-insensitively).
struct product_expectation {
  std::optional<size_t> min;
  std::optional<size_t> max;
  std::optional<int64_t> min_price_minor;
  std::optional<int64_t> max_price_minor;
  std::vector<std::string> colour;
  std::vector<std::string> product_type;   // matches whole words of the product's type
  std::vector<std::string> gender;
  std::vector<std::string> brand;
  std::vector<std::string> title_contains; // every product's title contains one of these
  bool in_stock = false;                   // every product has stock > 0
  bool new_results = false;                // none was shown in the previous turn that showed products
  bool cheaper_than_previous = false;      // each costs less than the dearest previously shown
};

/// The cart after the turn: from the turn's last cart_event, else from a cart_get.
struct cart_expectation {
  std::optional<int32_t> items;      // total units
  std::optional<size_t> lines;
  std::optional<bool> empty;
  std::vector<std::string> contains; // each must be in some line's title (case-insensitive)
  std::optional<int32_t> quantity_of_first;  // units on the first line
};

struct turn_expectations {
  std::vector<std::string> intents;   // each appears in the summary's intents, in this order
  std::vector<std::string> agents;    // each worked on the turn (summary or delegation events)
  std::vector<std::string> no_agents; // none of these worked on the turn
  std::optional<product_expectation> products;
  std::optional<cart_expectation> cart;
  std::optional<bool> confirmation_asked;
  std::optional<bool> order_placed;   // true is verified against the cart agent's order history
  std::optional<bool> degraded;
  std::optional<bool> error;          // an error_event was sent
  std::vector<std::string> reply_contains;      // each in the reply (case-insensitive)
  std::vector<std::string> reply_not_contains;

  bool empty() const;
};

struct script_turn {
  size_t line = 0;                    // 1-based line in the script file
  std::string text;
  protocol::turn_input input = protocol::turn_input::message;
  std::string product_ref;            // like/dislike: what is liked ("the second one")
  std::string image_path;             // image turns: the file as the script names it
  std::vector<uint8_t> image;         // image turns: its bytes, read when the script is parsed
  turn_expectations expect;
};

struct conversation_script {
  std::string name;
  std::string file;
  std::string tenant = "default";
  std::string user = "shopper";
  std::string currency = "INR";       // unit of the prices in expectations
  std::vector<script_turn> turns;
};

/// Parses script text. Fails with errc::invalid_argument as "FILE:LINE: reason" on the first
/// malformed line (bad JSON, unknown key, wrong type, unknown intent or agent name, an image
/// file that cannot be read). An image turn's path is relative to the directory of `file_name`.
[[nodiscard]] caf::expected<conversation_script> parse_script(std::string_view text,
                                                              const std::string& file_name);

/// Reads and parses the file at `path`; the default name is the file's stem.
[[nodiscard]] caf::expected<conversation_script> load_script(const std::string& path);

/// The bytes of an image file for an image turn: `path` as given when absolute, else relative
/// to the directory of `script_file`. Fails with invalid_argument naming the file when it cannot
/// be read or is empty.
[[nodiscard]] caf::expected<std::vector<uint8_t>> read_image_file(const std::string& path,
                                                                  const std::string& script_file);

/// "message", "confirm", ... as scripts spell them.
std::optional<protocol::turn_input> turn_input_from_string(std::string_view name);
std::string_view to_string(protocol::turn_input input);

}  // namespace cartmate::replay
