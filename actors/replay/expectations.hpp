// expectations.hpp — what one replayed turn produced, and the check of a script's expectations
// against it. Checks look at real outcomes (the products shown, the cart the cart agent holds,
// the order history), never at the orchestrator's own claims alone.
// Threading: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "actors/replay/replay_script.hpp"
#include "protocol/cart_messages.hpp"
#include "protocol/orchestrator_messages.hpp"

namespace cartmate::replay {

/// Everything that arrived for one turn, in arrival order per kind.
struct turn_outcome {
  std::optional<protocol::turn_summary> summary;
  caf::error failure;                     // the turn request itself failed
  std::vector<protocol::products_event> products;
  std::vector<protocol::cart_event> carts;
  std::vector<protocol::final_event> finals;
  std::vector<protocol::error_event> errors;
  std::vector<protocol::delegation_event> delegations;
  std::vector<protocol::comparison_event> comparisons;
  size_t foreign_events = 0;              // events of another turn, ignored
  // Fetched from the cart agent after the turn, when an expectation needs them.
  std::optional<protocol::cart_view> fetched_cart;
  std::optional<protocol::order_history> orders;
  std::string fetch_failure;

  /// The cart after the turn: the last cart_event, else the fetched one.
  const protocol::cart_view* cart_after() const;

  /// Every product shown during the turn, in order.
  std::vector<protocol::product> shown_products() const;

  /// The reply text: the summary's, else the last final_event's.
  std::string reply() const;
};

struct check_result {
  std::string name;     // "intent", "products.max_price", ...
  bool passed = false;
  std::string detail;   // what was expected and what was seen
};

/// Checks `expect` against `outcome`. `previous_products` are the products of the last earlier
/// turn that showed any (for "new" and "cheaper_than_previous"). A failed turn request fails a
/// "turn completed" check whatever else is expected.
std::vector<check_result> check_turn(const turn_expectations& expect, const turn_outcome& outcome,
                                     const std::vector<protocol::product>& previous_products);

/// True when the product meets `p`'s per-product constraints (not the count ones), else false
/// with the reason in `why`.
bool product_matches(const product_expectation& p, const protocol::product& x, std::string& why);

}  // namespace cartmate::replay
