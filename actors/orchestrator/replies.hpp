// replies.hpp — the assistant's wording: product lists, carts, order summaries, help and the
// honest "not available right now" answers. Threading: pure functions, safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "protocol/agent_kind.hpp"
#include "protocol/alert_messages.hpp"
#include "protocol/cart_messages.hpp"
#include "protocol/price_messages.hpp"
#include "protocol/product.hpp"
#include "protocol/style_messages.hpp"

namespace cartmate::orchestrator {

/// "₹1,299" or "₹1,299.50"; other currencies as "USD 12.50".
std::string format_money(const protocol::money& m);

/// "₹1,299" from minor units in the catalog's currency (used for filters, which carry none).
std::string format_amount(int64_t minor, const std::string& currency);

/// Numbered lines "1. Title — ₹1,299 (Black)", numbering from `first_number`.
std::string product_list(const std::vector<protocol::product>& products, size_t first_number = 1);

/// "black running shoe under ₹3,000": what a search looked for, for headings and replies.
std::string describe_search(const std::string& query, const protocol::search_filters& filters,
                            const std::string& currency);

std::string product_details(const protocol::product& p);
std::string cart_text(const protocol::cart_view& cart);
std::string checkout_text(const protocol::checkout_summary& summary);
std::string order_placed_text(const protocol::order& o);
std::string orders_text(const protocol::order_history& history);
/// Offers, the verdict with its reasons, and the retailers that could not be asked, by name
/// and why.
std::string comparison_text(const protocol::price_comparison& c, const std::string& title);
std::string alert_text(const protocol::alert& a, const std::string& title,
                       const std::string& currency);
std::string alerts_text(const protocol::alert_list& list);
/// One stated preference in words: "your budget is ₹2,000", "you wear size M", "you don't
/// like yellow (I leave it out of searches)".
std::string stated_text(const protocol::stated_preference& s, const std::string& currency);

/// What the shopper told us (budget in `currency`, size, colours they avoid, ...) and what we
/// learned from their signals (colours, kinds of items and brands they like, their price range).
std::string profile_text(const protocol::style_profile& profile, const std::string& currency);

/// What the assistant can do, as a short list.
std::string capabilities_text();
std::string greeting_text();

/// The plain sentence for an agent that is down, slow or switched off, e.g.
/// "Price comparison isn't available right now."
std::string unavailable_text(protocol::agent_kind kind);

}  // namespace cartmate::orchestrator
