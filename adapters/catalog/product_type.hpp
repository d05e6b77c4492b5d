// product_type.hpp — the product type of a catalog row: given by the row, or read off its title.
// Threading: pure functions; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

namespace cartmate::catalog {

/// Lower-case singular type read off a shop title, whose last words name the item:
/// "Puma Men Black Running Shoes" -> "running shoe", "Women Pink Kurta with Palazzos" -> "kurta",
/// "Police Men Frozen Eau De Toilette 100 ml" -> "eau de toilette". Model codes, quantities and
/// audience words at the end are skipped; a qualifier joins the head when it changes the kind
/// of item ("formal shirt", "shoulder bag", "jewellery set"). Empty when nothing is left.
/// scripts/make_demo_catalog.py implements the same rule for the demo catalog.
[[nodiscard]] std::string derive_product_type(std::string_view title);

/// A type given by a row, in the same form as derive_product_type() ("Running Shoes" ->
/// "running shoe", "Tshirts" -> "t-shirt").
[[nodiscard]] std::string normalize_product_type(std::string_view type);

}  // namespace cartmate::catalog
