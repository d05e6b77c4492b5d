// search_explanation.hpp — the one-line "why these results" text of a search or similar-items
// answer, and money as a shopper reads it ("₹3,000", "₹1,24,999.50"). Threading: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/discovery_messages.hpp"

namespace cartmate::discovery {

/// `minor` units of `currency` for display: a symbol for INR, USD, EUR and GBP (else the code
/// and a space), lakh/crore grouping for INR, thousands grouping otherwise, and two decimals
/// only when the amount has a fractional part.
std::string format_money(int64_t minor, std::string_view currency);

/// E.g. "12 matches for 'black running shoes' under ₹3,000 (showing 1–10)". `shown` is the
/// number of products on this page; prices in the filters are read in `currency`.
std::string explain_search(const protocol::search_request& req, uint32_t total_matches,
                           size_t shown, std::string_view currency);

/// E.g. "8 items similar to 'Roadster Black Sneakers' in blue", `shown` being the page size
/// (every other product is "similar" to some degree, so the total says nothing).
std::string explain_similar(std::string_view title, const protocol::search_filters& filters,
                            size_t shown, std::string_view currency);

}  // namespace cartmate::discovery
