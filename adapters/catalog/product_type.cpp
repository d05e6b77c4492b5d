// product_type.cpp — the title rule; keep the word lists in step with scripts/make_demo_catalog.py.
#include "adapters/catalog/product_type.hpp"

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "adapters/catalog/text.hpp"

namespace cartmate::catalog {

namespace {

using word_list = std::vector<std::string_view>;

// Trailing words that are not the product: units after a quantity.
const word_list units = {"ml", "l", "g", "gm", "gms", "kg", "mg", "cm", "mm", "m",
                             "oz", "pc", "pcs", "pieces", "piece", "each"};
const word_list audience = {"men", "women", "boys", "girls", "kids", "unisex", "man",
                                "woman", "boy", "girl", "infant", "infants"};
// Heads that say little alone, so the word before them belongs to the type.
const word_list generic_heads = {"set", "kit", "pack", "combo", "material", "square",
                                     "runner", "cover", "holder", "stand", "toe", "case",
                                     "bag", "wear", "lamp"};
// Qualifiers that make a different kind of item of the head ("running shoe", "formal shirt").
const word_list use_qualifiers = {
  "casual", "formal", "sports", "sport", "track", "analogue", "digital", "smart", "party",
  "ethnic", "denim", "bomber", "puffer", "biker", "maxi", "midi", "mini", "crop", "polo",
  "cargo", "boxer", "trolley", "laptop", "tote", "sling", "shoulder", "handheld", "pocket",
  "table", "cushion", "pillow", "door", "window", "coffee", "dress", "peep", "flip", "bath",
  "hand", "face", "night", "lounge", "swim", "rain", "sheath", "shirt", "wrap", "nehru",
  "jewellery", "jewelry", "gift", "tissue", "key"};
// Descriptive words that never join the type, even before a generic head.
const word_list descriptors = {
  "solid", "printed", "striped", "checked", "embroidered", "embellished", "woven", "textured",
  "self-design", "colourblocked", "colorblocked", "washed", "handcrafted", "handmade",
  "designer", "regular", "slim", "fit", "pieces", "&", "and", "of", "the", "black", "white",
  "blue", "red", "green", "grey", "gray", "brown", "yellow", "pink", "beige", "gold", "maroon",
  "orange", "silver", "purple", "burgundy", "navy", "khaki", "lavender", "mustard", "magenta",
  "charcoal", "rose", "peach", "olive", "cream", "multicoloured", "multicolored", "off-white",
  "teal", "turquoise", "coral", "rust", "gold-toned", "silver-toned"};

struct respelling {
  std::string_view from;
  std::string_view to;
};
const std::vector<respelling> canonical_spellings = {
  {"tshirt", "t-shirt"}, {"tshirts", "t-shirts"}, {"tee", "t-shirt"}, {"tees", "t-shirts"},
  {"jewelry", "jewellery"}, {"organizer", "organiser"}};

bool in(const word_list& words, std::string_view w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

std::string canonical(std::string word) {
  for (const auto& r : canonical_spellings)
    if (r.from == word)
      return std::string{r.to};
  return word;
}

std::string ascii_lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i]))
      ++i;
    size_t start = i;
    while (i < s.size() && !is_space(s[i]))
      ++i;
    if (i > start)
      out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::string clean_word(std::string_view raw) {
  constexpr std::string_view strip = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";  // Python's string.punctuation
  auto first = raw.find_first_not_of(strip);
  if (first == std::string_view::npos)
    return {};
  auto last = raw.find_last_not_of(strip);
  return ascii_lower(raw.substr(first, last - first + 1));
}

bool has_alnum(std::string_view w) {
  return std::any_of(w.begin(), w.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u >= 0x80;
  });
}

bool has_digit(std::string_view w) {
  return std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string derive_product_type(std::string_view title) {
  std::string text = " " + std::string{title} + " ";
  // The item comes before a variant name (" - Ruby Red"), an accessory (" with Dupatta") or an
  // audience (" for Men"); a one-word head is a brand such as "Krafted With Happiness".
  for (std::string_view sep : {" - ", " with ", " for "}) {
    auto cut = ascii_lower(text).find(sep);
    if (cut != std::string::npos && split_ws(std::string_view{text}.substr(0, cut)).size() >= 2)
      text = text.substr(0, cut) + " ";
  }
  std::vector<std::string> words;
  for (auto raw : split_ws(text))
    if (auto w = canonical(clean_word(raw)); !w.empty())
      words.push_back(std::move(w));
  while (!words.empty()) {
    const auto& last = words.back();
    bool unit_after_number = in(units, last) && words.size() > 1 && has_digit(words[words.size() - 2]);
    if (!has_alnum(last) || has_digit(last) || in(audience, last) || unit_after_number) {
      words.pop_back();
      continue;
    }
    break;
  }
  if (words.empty())
    return {};
  auto head = singular(words.back());
  if (words.size() >= 2) {
    const auto& prev = words[words.size() - 2];
    if ((prev == "de" || prev == "du") && words.size() >= 3)
      return words[words.size() - 3] + " " + prev + " " + head;
    bool joins = in(generic_heads, head) || in(use_qualifiers, prev)
                 || (prev.size() > 4 && prev.compare(prev.size() - 3, 3, "ing") == 0);
    if (joins && !in(descriptors, prev) && !has_digit(prev) && !in(audience, prev))
      return singular(prev) + " " + head;
  }
  return head;
}

std::string normalize_product_type(std::string_view type) {
  std::string out;
  for (auto raw : split_ws(type)) {
    auto w = clean_word(raw);
    if (w.empty())
      continue;
    if (!out.empty())
      out += ' ';
    out += singular(canonical(std::move(w)));
  }
  return out;
}

}  // namespace cartmate::catalog
