// cart_rules.hpp — what a cart write does to a cart and when it is refused, shared by every
// cart_store implementation so they cannot drift.
// Threading: pure functions.
#pragma once

#include <caf/expected.hpp>

#include "adapters/stores/cart_store.hpp"

namespace cartmate::stores {

/// The cart after `op` (version + 1), or why it is refused (errc::invalid_argument,
/// out_of_stock or not_found); `cart` is left untouched.
caf::expected<cart_snapshot> apply_cart_op(const cart_snapshot& cart, const cart_op& op,
                                           const line_facts& facts);

}  // namespace cartmate::stores
