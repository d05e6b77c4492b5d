// vocabulary.hpp — the catalog's own words (colours, brands, product types) plus closed-class genders
// and sizes, as phrases the offline understanding matches. Threading: immutable once built; share freely.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/product.hpp"

namespace cartmate::nlu {

enum class term_kind : uint8_t { colour, brand, product_type, gender, size };

/// What a phrase means. `value` is the catalog's spelling (e.g. "running shoe", "Men", "Blue").
struct term {
  term_kind kind = term_kind::colour;
  std::string value;
  uint32_t weight = 0;         // products carrying the value; breaks ties between types in one clause
  bool needs_marker = false;   // a brand that is also a common word ("Only"): matched after from/by/brand
};

/// Phrases keyed by their normalised form: lower-case words separated by one space.
class vocabulary {
public:
  /// An empty vocabulary: only genders and sizes are understood.
  vocabulary();

  /// Derives colours, brands and types from `products`; genders and sizes are closed classes
  /// mapped onto the catalog's spelling where it has one.
  static vocabulary from_products(const std::vector<protocol::product>& products);

  /// The terms a normalised phrase names (several when, e.g., a word is a colour and a brand).
  const std::vector<term>* find(std::string_view phrase) const;

  /// Longest phrase length in words, to bound n-gram lookups.
  size_t max_words() const { return data_->max_words; }

  /// True when some phrase starts with this word (cheap pre-check before n-gram lookups).
  bool starts_phrase(std::string_view word) const;

  size_t size(term_kind kind) const;

  /// Lower-case, letters and digits only, words separated by single spaces; "&" becomes "and",
  /// apostrophes vanish ("men's" -> "mens"). Catalog values and messages both go through it.
  static std::string normalise_phrase(std::string_view text);

  /// True for closed-class English and shop-talk words that must not be read as a brand or type.
  static bool is_common_word(std::string_view word);

private:
  struct data {
    std::deque<std::string> storage;  // owns the keys the maps view; a deque never moves them
    std::unordered_map<std::string_view, std::vector<term>> phrases;
    std::unordered_map<std::string_view, size_t> first_words;
    size_t max_words = 1;
    std::array<size_t, 5> counts{};
  };

  explicit vocabulary(std::shared_ptr<const data> d) : data_(std::move(d)) {}

  static void add(data& d, const std::string& phrase, term t);

  std::shared_ptr<const data> data_;  // shared: copies of a vocabulary are cheap and immutable
};

}  // namespace cartmate::nlu
