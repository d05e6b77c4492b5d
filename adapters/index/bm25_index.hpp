// bm25_index.hpp — lexical relevance of products to a query (BM25F over title, type, brand,
// colour and description). Threading: built once; score() is const and safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/product.hpp"

namespace cartmate::index {

struct bm25_options {
  float k1 = 1.2f;
  float b = 0.75f;
  // Title and type name the item; brand and colour are short but exact; descriptions are long
  // and noisy (scraped run-on text), so a word there counts for less.
  float title_weight = 3.0f;
  float type_weight = 3.0f;
  float brand_weight = 2.0f;
  float colour_weight = 1.5f;
  float description_weight = 1.0f;
  // A query word the catalog never uses ("sneekers") stands for its likeliest correction,
  // discounted by this factor per edit.
  float fuzzy_discount = 0.7f;
};

/// BM25F: a term's frequencies in the fields are length-normalised per field, weighted and
/// summed before the one saturation k1 applies, so a word repeated across fields is not counted
/// as independent evidence (Robertson & Zaragoza, "The Probabilistic Relevance Framework").
class bm25_index {
public:
  explicit bm25_index(bm25_options options = {});

  /// Indexes `products`; document i is products[i]. Replaces any earlier build.
  void build(const std::vector<protocol::product>& products);

  size_t size() const noexcept {
    return doc_count_;
  }

  /// The catalog word a query word not in the catalog is taken as a typo of: same first letter,
  /// the smallest edit distance (insert, delete, substitute, swap; at most 1, or 2 from 8
  /// letters on), the most documents among equals. Empty for known words and hopeless ones.
  std::vector<std::string> corrections(std::string_view word) const;

  /// Adds each matching document's score to `scores` (size() entries, zero-initialised by the
  /// caller) and appends documents scored for the first time to `touched`. Returns the number of
  /// query terms known to the index (0: nothing matched).
  size_t score(std::string_view query, std::vector<float>& scores,
               std::vector<uint32_t>& touched) const;

private:
  struct posting {
    uint32_t doc;
    float tf;  // weighted, length-normalised pseudo frequency
  };

  bm25_options options_;
  size_t doc_count_ = 0;
  std::vector<uint32_t> fuzzy_matches(std::string_view word, size_t& distance) const;

  std::unordered_map<std::string, uint32_t> terms_;
  std::vector<std::string> term_text_;
  std::vector<std::vector<posting>> postings_;
  std::vector<float> idf_;
};

}  // namespace cartmate::index
