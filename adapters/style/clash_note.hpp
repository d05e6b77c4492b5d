// clash_note.hpp — a cheap colour-coherence check for the cart: does a product's colour clash
// with colours already chosen? For the orchestrator's "this may clash with ..." remark.
// Threading: pure function; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/style/colour_palette.hpp"
#include "protocol/product.hpp"

namespace cartmate::style {

/// A note when `product`'s colour clashes with one of `chosen_colours` (catalog colour names,
/// e.g. the cart's), else nothing. Neutrals (black, white, greys, navy, beiges) go with
/// anything, as do colours of similar hue and near-complementary pairs; two strong colours
/// 30 to 150 degrees of hue apart (red and pink, orange and purple) are taken to clash.
/// Unknown colour names never clash.
std::optional<std::string> clash_note(const std::vector<std::string>& chosen_colours,
                                      const protocol::product& product,
                                      const colour_palette& palette = colour_palette::standard());

}  // namespace cartmate::style
