// preferences.hpp — what a shopper told us about themselves (budget, colours to avoid, size),
// read from their stated preferences, applied to a search where their own words leave room,
// and the sentence that tells them so. Threading: pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/product.hpp"
#include "protocol/style_messages.hpp"

namespace cartmate::orchestrator {

/// The stated preferences that shape searches. Likings ("I like blue") shape the style ranking
/// instead, in the style profiler.
struct shopper_preferences {
  std::optional<int64_t> budget_minor;
  std::vector<std::string> avoid_colours;
  std::string size;

  bool empty() const { return !budget_minor && avoid_colours.empty() && size.empty(); }
};

/// Reads the keys "budget" (minor units), "avoid_colour" and "size"; others are ignored, and so
/// is a budget that is not a positive number.
shopper_preferences preferences_of(const std::vector<protocol::stated_preference>& stated);

/// What one search took from the preferences.
struct applied_preferences {
  std::optional<int64_t> budget_minor;     // became the price limit
  std::vector<std::string> left_out;       // avoided colours excluded
  std::vector<std::string> asked_anyway;   // avoided colours the shopper asked for by name
  std::string size;                        // became the size filter

  bool empty() const {
    return !budget_minor && left_out.empty() && asked_anyway.empty() && size.empty();
  }
};

/// Adds `prefs` to `filters` where the shopper's words leave room: the budget becomes the price
/// limit unless they named a limit (or a lower bound at or above the budget); an avoided colour
/// is left out unless they asked for that very colour; the size applies unless they named one.
applied_preferences apply_preferences(const shopper_preferences& prefs,
                                      protocol::search_filters& filters);

/// "Within your budget of ₹2,000, leaving out yellow." — empty when nothing was applied.
std::string applied_text(const applied_preferences& applied, const std::string& currency);

/// The catalog lists sizes for none of `products` (so a size preference could not be checked).
bool lacks_sizes(const std::vector<protocol::product>& products);

}  // namespace cartmate::orchestrator
