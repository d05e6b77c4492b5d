// colour_palette.hpp — the catalog's colour names with a representative sRGB value each, and the
// nearest name (CIEDE2000) for any colour: how an image's pixels become "Navy" or "Maroon".
// Threading: immutable after construction; const members are safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/style/colour_space.hpp"

namespace cartmate::style {

struct named_colour {
  std::string name;   // as the catalog spells it, e.g. "Navy"
  uint32_t rgb = 0;   // 0xRRGGBB, a typical garment of that colour
  lab lab_value;
  bool neutral = false;   // goes with anything (black, white, greys, navy, beiges)
};

class colour_palette {
public:
  /// The built-in table: the colour vocabulary of the demo catalog and the Myntra catalogs.
  static const colour_palette& standard();

  /// The standard table restricted to the names `catalog_colours` uses (matched case-insensitively,
  /// also through spellings such as "Navy Blue" for Navy, which then keeps the catalog's
  /// spelling), so image colours can be used as search filters. Falls back to standard() when
  /// the catalog names fewer than `min_colours` of them (a catalog without colours).
  static colour_palette for_catalog(const std::vector<std::string>& catalog_colours,
                                    size_t min_colours = 8);

  const std::vector<named_colour>& colours() const noexcept {
    return colours_;
  }

  /// The entry closest to `c`; a palette is never empty.
  const named_colour& nearest(const lab& c) const;

  /// The entry named `name` (case-insensitive, aliases included), or nullptr.
  const named_colour* find(std::string_view name) const;

private:
  struct entry {
    named_colour colour;
    std::vector<std::string> aliases;   // other catalog spellings of the same colour
  };

  explicit colour_palette(std::vector<entry> entries);

  std::vector<named_colour> colours_;
  std::vector<std::vector<std::string>> aliases_;   // parallel to colours_, folded

  static std::vector<entry> table();
};

/// Lower-case ASCII copy, for case-insensitive comparisons of catalog values.
std::string fold_case(std::string_view s);

}  // namespace cartmate::style
