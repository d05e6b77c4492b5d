// conversation_context.hpp — what a conversation remembers between turns (the list on screen,
// the focused item, the current search, a pending checkout) and the pure rules that read it:
// reference resolution and refinement. Threading: plain values, owned by one conversation actor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
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
  /// A "yes" to that checkout got no answer (the cart was unreachable): the order may exist.
  bool confirm_uncertain = false;
  /// Products shown or described in this conversation, by id: what a cart line alone (id,
  /// title, price) does not say about its product. Bounded by max_seen, oldest out first.
  std::map<std::string, protocol::product> seen;
  std::deque<std::string> seen_order;
  std::string currency = "INR";   // of the catalog, learnt from the products seen
  /// Turns started in this session, across actors and nodes: the history's seq of the latest.
  uint64_t turns = 0;
  /// Envelope turn id of the latest turn; a turn that brings none gets the next one.
  uint64_t last_turn_id = 0;
};

/// Products `conversation_context::seen` keeps at most.
inline constexpr size_t max_seen = 500;

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

/// Cart lines as products, so references can point into a cart that was shown. Lines carry only
/// id, title and price; type, colour, brand and gender come from `ctx.seen` when the product
/// was shown in this conversation.
std::vector<protocol::product> products_of(const protocol::cart_view& cart,
                                           const conversation_context& ctx);

/// Keeps `products` in `ctx.seen` (bounded: the oldest are forgotten first).
void remember_products(conversation_context& ctx, const std::vector<protocol::product>& products);

/// Which lines of `cart` a remove or change-quantity step means. A step that names attributes
/// ("the kurta", "the red one") picks among the cart's lines, whatever is on screen; other
/// references ("the second one", "it", "them") resolve against the screen and must be in the
/// cart. Several matching lines where the step names attributes: `ambiguous`, with the
/// candidates in `items`, so the caller can ask which one.
resolution resolve_in_cart(const nlu::slot_values& slots, const conversation_context& ctx,
                           const protocol::cart_view& cart);

}  // namespace cartmate::orchestrator
