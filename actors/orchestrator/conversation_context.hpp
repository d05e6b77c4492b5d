// conversation_context.hpp — what a conversation remembers between turns (the list on screen,
// the focused item, the current search, a pending checkout) and the pure rules that read it:
// reference resolution and refinement. Threading: plain values, owned by one conversation actor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/nlu/language_understanding.hpp"
#include "protocol/cart_messages.hpp"
#include "protocol/product.hpp"

namespace cartmate::orchestrator {

/// Results shown per search page; references ("the fifth one") count within it.
inline constexpr uint32_t page_size = 5;

/// Quantities outside [1, max_quantity] are refused before the cart sees them.
inline constexpr int32_t max_quantity = 99;

/// The search whose results are on screen; refinements and "show more" start from it.
struct search_state {
  bool active = false;
  std::string query;
  protocol::search_filters filters;
  uint32_t offset = 0;   // offset of the page on screen
  uint32_t total = 0;    // matches the agent reported
};

enum class list_kind : uint8_t { none, search_results, cart };

struct conversation_context {
  std::vector<protocol::product> shown;  // the last list shown, in display order
  list_kind shown_kind = list_kind::none;
  std::optional<protocol::product> focused;  // "it", "that one"
  search_state search;
  std::string pending_checkout_id;           // non-empty while a confirmation is asked
};

/// What a reference points at, or why it points at nothing.
struct resolution {
  std::vector<protocol::product> items;
  std::string problem;      // a reply for the shopper when items is empty
  bool ambiguous = false;   // several candidates where one was meant: ask which
};

/// Resolves the step's reference (or the focused item when none) against the list on screen.
resolution resolve_reference(const nlu::slot_values& slots, const conversation_context& ctx);

/// The filters a new search with these slots asks for.
protocol::search_filters filters_from(const nlu::slot_values& slots);

/// Applies a refinement to `search`: slots the step names override, everything else stays;
/// "cheaper" / "pricier" move the price bounds past the items on screen. Resets the offset.
void refine_search(search_state& search, const nlu::slot_values& slots,
                   const std::vector<protocol::product>& shown);

/// A quantity the shopper typed that the language understanding cannot take ("add 0 of it",
/// "add 1000000000 of them"): a number right after add / quantity / qty / "make it" / "set it
/// to", or right before of / pieces / units / items / more, outside 1..1000. Saturates at
/// INT64_MAX. Nothing when the message names no such number.
std::optional<int64_t> unreadable_quantity(const std::string& text);

/// "cart lines as products", so references can point into a cart that was shown.
std::vector<protocol::product> products_of(const protocol::cart_view& cart);

}  // namespace cartmate::orchestrator
