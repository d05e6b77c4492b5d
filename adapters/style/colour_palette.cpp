// colour_palette.cpp — the colour table and nearest-name lookup; see the header.
// The RGB values are typical of garments sold under each name (measured by eye against
// product photos), not web colour primaries: "Blue" clothing is rarely #0000FF.
#include "adapters/style/colour_palette.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>

namespace cartmate::style {

std::string fold_case(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<colour_palette::entry> colour_palette::table() {
  auto e = [](const char* name, uint32_t rgb, bool neutral,
              std::vector<std::string> aliases = {}) {
    return entry{named_colour{name, rgb, srgb_to_lab(rgb), neutral}, std::move(aliases)};
  };
  return {
    e("Black", 0x141414, true),
    e("White", 0xF8F8F6, true),
    e("Off White", 0xEFEBDF, true),
    e("Cream", 0xF6EBC8, true),
    e("Grey", 0x8C8C8C, true, {"Grey Melange", "Gray"}),
    e("Charcoal", 0x3E4247, true),
    e("Silver", 0xC3C4C8, true, {"Steel", "Platinum"}),
    e("Navy", 0x1C2A4E, true, {"Navy Blue"}),
    e("Blue", 0x2F5DB5, false),
    e("Teal", 0x0E7C7B, false),
    e("Turquoise Blue", 0x2FB5C4, false, {"Turquoise"}),
    e("Green", 0x2E8B3A, false, {"Sea Green"}),
    e("Olive", 0x6B7030, false),
    e("Red", 0xC8202A, false),
    e("Maroon", 0x6E1423, false),
    e("Burgundy", 0x870A30, false),
    e("Rust", 0xB5471B, false),
    e("Orange", 0xF28C28, false),
    e("Peach", 0xFFC8A6, false),
    e("Yellow", 0xF5D90A, false),
    e("Mustard", 0xD19E14, false),
    e("Gold", 0xC9A94A, false),
    e("Bronze", 0xA8743A, false, {"Copper"}),
    e("Brown", 0x74492A, false, {"Coffee Brown", "Mushroom Brown"}),
    e("Tan", 0xC69C6D, true),
    e("Beige", 0xE3D3B0, true, {"Nude", "Skin"}),
    e("Khaki", 0xB9A77A, true),
    e("Pink", 0xF2A3BE, false),
    e("Rose", 0xD45D79, false),
    e("Magenta", 0xC2187E, false),
    e("Purple", 0x62307F, false),
    e("Lavender", 0xB9A6DA, false),
    e("Mauve", 0xA9809C, false),
  };
}

colour_palette::colour_palette(std::vector<entry> entries) {
  for (auto& e : entries) {
    std::vector<std::string> folded;
    for (const auto& a : e.aliases)
      folded.push_back(fold_case(a));
    colours_.push_back(std::move(e.colour));
    aliases_.push_back(std::move(folded));
  }
}

const colour_palette& colour_palette::standard() {
  static const colour_palette instance{table()};
  return instance;
}

colour_palette colour_palette::for_catalog(const std::vector<std::string>& catalog_colours,
                                           size_t min_colours) {
  std::map<std::string, std::string> spelled;   // folded -> the catalog's spelling
  for (const auto& c : catalog_colours)
    if (!c.empty())
      spelled.emplace(fold_case(c), c);
  std::vector<entry> kept;
  for (auto& e : table()) {
    std::vector<std::string> names{e.colour.name};
    names.insert(names.end(), e.aliases.begin(), e.aliases.end());
    for (const auto& n : names) {
      auto i = spelled.find(fold_case(n));
      if (i == spelled.end())
        continue;
      if (n != e.colour.name)
        e.aliases.push_back(e.colour.name);   // "Navy" still finds "Navy Blue"
      e.colour.name = i->second;
      kept.push_back(std::move(e));
      break;
    }
  }
  if (kept.size() < min_colours)
    return standard();
  return colour_palette{std::move(kept)};
}

const named_colour& colour_palette::nearest(const lab& c) const {
  size_t best = 0;
  float best_d = std::numeric_limits<float>::max();
  for (size_t i = 0; i < colours_.size(); ++i) {
    float d = delta_e_2000(c, colours_[i].lab_value);
    if (d < best_d) {
      best_d = d;
      best = i;
    }
  }
  return colours_[best];
}

const named_colour* colour_palette::find(std::string_view name) const {
  auto folded = fold_case(name);
  for (size_t i = 0; i < colours_.size(); ++i) {
    if (fold_case(colours_[i].name) == folded)
      return &colours_[i];
    const auto& al = aliases_[i];
    if (std::find(al.begin(), al.end(), folded) != al.end())
      return &colours_[i];
  }
  return nullptr;
}

}  // namespace cartmate::style
