// deal_analysis.hpp — where the deal verdict is decided: offers sorted and summarised (best,
// minimum, median) against our price, with a verdict and the reasons a shopper can read.
// Threading: pure functions on values; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/price_messages.hpp"

namespace cartmate::actors::price {

struct deal_thresholds {
  /// Our price up to this fraction above the offers' median still counts as "fair".
  double fair_above_median = 0.05;
};

struct deal_inputs {
  std::string product_id;
  std::optional<protocol::money> our_price;      // nothing when the catalog could not tell
  std::vector<protocol::offer> offers;           // already in the catalog currency
  std::vector<std::string> failed_retailers;     // "name (why)"
  size_t retailers_asked = 0;                    // answered or not
  std::vector<std::string> notes;                // extra reasons, e.g. why our price is missing
};

/// The comparison: offers sorted by price (then retailer), best_offer the cheapest one in
/// stock, min and median over the offers in stock (over all offers when none is), and the
/// verdict "good deal" (ours is the lowest), "fair" (at most fair_above_median above the
/// median) or "overpriced"; an empty verdict when there is nothing to compare.
protocol::price_comparison analyse_deal(deal_inputs in, const deal_thresholds& thresholds = {});

/// "INR 1,299.00": an amount for a reason line.
std::string format_price(const protocol::money& m);

}  // namespace cartmate::actors::price
