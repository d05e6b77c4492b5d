// bm25_index.cpp — BM25F indexing and scoring.
#include "adapters/index/bm25_index.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "adapters/catalog/text.hpp"

namespace cartmate::index {

namespace {

// Optimal-string-alignment distance, giving up (returning limit + 1) past `limit`.
size_t edit_distance(std::string_view a, std::string_view b, size_t limit) {
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit)
    return limit + 1;
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit)
      return limit + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

enum field : size_t { title, type, brand, colour, description, field_count };

std::array<std::string_view, field_count> fields_of(const protocol::product& p) {
  return {p.title, p.product_type, p.brand, p.colour, p.description};
}

}  // namespace

bm25_index::bm25_index(bm25_options options) : options_(options) {
  // nop
}

void bm25_index::build(const std::vector<protocol::product>& products) {
  doc_count_ = products.size();
  terms_.clear();
  term_text_.clear();
  postings_.clear();
  idf_.clear();
  const std::array<float, field_count> weight = {options_.title_weight, options_.type_weight,
                                                 options_.brand_weight, options_.colour_weight,
                                                 options_.description_weight};
  // Tokenise once; average field lengths are needed before any document can be weighted.
  std::vector<std::array<std::vector<std::string>, field_count>> tokens(products.size());
  std::array<double, field_count> avg_len{};
  for (size_t d = 0; d < products.size(); ++d) {
    auto texts = fields_of(products[d]);
    for (size_t f = 0; f < field_count; ++f) {
      tokens[d][f] = catalog::tokenize(texts[f]);
      avg_len[f] += static_cast<double>(tokens[d][f].size());
    }
  }
  for (auto& a : avg_len)
    a = products.empty() ? 1.0 : std::max(1.0, a / static_cast<double>(products.size()));

  std::unordered_map<uint32_t, float> doc_tf;
  for (size_t d = 0; d < products.size(); ++d) {
    doc_tf.clear();
    for (size_t f = 0; f < field_count; ++f) {
      const auto& toks = tokens[d][f];
      if (toks.empty())
        continue;
      float norm = 1.f - options_.b
                   + options_.b * static_cast<float>(toks.size() / avg_len[f]);
      float add = weight[f] / norm;
      for (const auto& t : toks) {
        auto [it, fresh] = terms_.try_emplace(t, static_cast<uint32_t>(postings_.size()));
        if (fresh) {
          postings_.emplace_back();
          term_text_.push_back(t);
        }
        doc_tf[it->second] += add;
      }
    }
    for (const auto& [term, tf] : doc_tf)
      postings_[term].push_back({static_cast<uint32_t>(d), tf});
  }
  idf_.resize(postings_.size());
  auto n = static_cast<double>(doc_count_);
  for (size_t t = 0; t < postings_.size(); ++t) {
    auto df = static_cast<double>(postings_[t].size());
    idf_[t] = static_cast<float>(std::log(1.0 + (n - df + 0.5) / (df + 0.5)));
  }
}

std::vector<uint32_t> bm25_index::fuzzy_matches(std::string_view word, size_t& distance) const {
  std::vector<uint32_t> best;
  distance = 0;
  // Short words have too many neighbours one edit away to guess from; digits are codes.
  if (word.size() < 4 || std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return best;
  size_t limit = word.size() >= 8 ? 2 : 1;
  size_t best_df = 0;
  for (uint32_t t = 0; t < term_text_.size(); ++t) {
    const auto& cand = term_text_[t];
    if (cand.empty() || cand[0] != word[0])
      continue;
    auto d = edit_distance(word, cand, limit);
    if (d > limit)
      continue;
    // Like a spelling corrector: the closest word, and among equals the most common one.
    if (d < limit || postings_[t].size() > best_df) {
      best.assign(1, t);
      best_df = postings_[t].size();
      limit = d;
    }
  }
  distance = best.empty() ? 0 : limit;
  return best;
}

std::vector<std::string> bm25_index::corrections(std::string_view word) const {
  std::vector<std::string> out;
  if (terms_.count(std::string{word}))
    return out;
  size_t distance = 0;
  for (auto t : fuzzy_matches(word, distance))
    out.push_back(term_text_[t]);
  return out;
}

size_t bm25_index::score(std::string_view query, std::vector<float>& scores,
                         std::vector<uint32_t>& touched) const {
  auto tokens = catalog::tokenize(query);
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  size_t known = 0;
  const float k1 = options_.k1;
  auto add_term = [&](uint32_t term, float weight) {
    float idf = idf_[term] * weight;
    for (const auto& p : postings_[term]) {
      if (scores[p.doc] == 0.f)
        touched.push_back(p.doc);
      scores[p.doc] += idf * p.tf * (k1 + 1.f) / (p.tf + k1);
    }
  };
  for (const auto& tok : tokens) {
    if (auto it = terms_.find(tok); it != terms_.end()) {
      ++known;
      add_term(it->second, 1.f);
      continue;
    }
    size_t distance = 0;
    auto near = fuzzy_matches(tok, distance);
    if (near.empty())
      continue;
    ++known;
    float weight = std::pow(options_.fuzzy_discount, static_cast<float>(distance));
    for (auto term : near)
      add_term(term, weight);
  }
  return known;
}

}  // namespace cartmate::index
