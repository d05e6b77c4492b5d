// clash_note.cpp — hue-distance rule between strong colours; see the header.
#include "adapters/style/clash_note.hpp"

#include <cmath>

namespace cartmate::style {

namespace {

// Below this CIELAB chroma a colour reads as muted and goes with most things.
constexpr float strong_chroma = 30.f;

bool strong(const named_colour& c) {
  return !c.neutral && chroma(c.lab_value) >= strong_chroma;
}

float hue_gap(const named_colour& x, const named_colour& y) {
  float d = std::fabs(hue_degrees(x.lab_value) - hue_degrees(y.lab_value));
  return d > 180.f ? 360.f - d : d;
}

}  // namespace

std::optional<std::string> clash_note(const std::vector<std::string>& chosen_colours,
                                      const protocol::product& product,
                                      const colour_palette& palette) {
  const auto* mine = palette.find(product.colour);
  if (mine == nullptr || !strong(*mine))
    return std::nullopt;
  for (const auto& name : chosen_colours) {
    const auto* other = palette.find(name);
    if (other == nullptr || other == mine || !strong(*other))
      continue;
    float gap = hue_gap(*mine, *other);
    if (gap >= 30.f && gap <= 150.f)
      return "The " + fold_case(mine->name) + " of " + product.title + " may clash with the "
             + fold_case(other->name) + " already in your cart.";
  }
  return std::nullopt;
}

}  // namespace cartmate::style
