// hashing_embedder.cpp — feature extraction and hashing for hashing_embedder.
#include "adapters/index/hashing_embedder.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "adapters/catalog/text.hpp"

namespace cartmate::index {

namespace {

// FNV-1a seeded by feature kind, then a murmur finaliser so low bits are well mixed.
uint64_t feature_hash(uint64_t kind, std::string_view text) {
  uint64_t h = 1469598103934665603ULL ^ (kind * 0x9E3779B97F4A7C15ULL);
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

enum feature_kind : uint64_t { word = 1, pair = 2, gram = 3 };

// Feature hash -> summed weight of its occurrences.
using feature_counts = std::unordered_map<uint64_t, float>;

void add_features(std::string_view text, float weight, const embedder_options& opt,
                  feature_counts& counts) {
  auto tokens = catalog::tokenize(text);
  for (size_t i = 0; i < tokens.size(); ++i) {
    const auto& tok = tokens[i];
    counts[feature_hash(word, tok)] += weight * opt.word_weight;
    if (i + 1 < tokens.size())
      counts[feature_hash(pair, tok + ' ' + tokens[i + 1])] += weight * opt.bigram_weight;
    // Every gram of one word shares the word's char weight, so long words do not dominate.
    std::string bounded = '<' + tok + '>';
    size_t grams = 0;
    for (size_t n = 3; n <= 4; ++n)
      if (bounded.size() >= n)
        grams += bounded.size() - n + 1;
    if (grams == 0)
      continue;
    float per_gram = weight * opt.char_weight / std::sqrt(static_cast<float>(grams));
    for (size_t n = 3; n <= 4; ++n)
      for (size_t s = 0; s + n <= bounded.size(); ++s)
        counts[feature_hash(gram, std::string_view{bounded}.substr(s, n))] += per_gram;
  }
}

std::vector<float> to_unit_vector(const feature_counts& counts, size_t dim) {
  std::vector<float> v(dim, 0.f);
  for (const auto& [h, c] : counts) {
    float value = c > 1.f ? 1.f + std::log(c) : c;  // sublinear tf
    float sign = (h >> 63) ? -1.f : 1.f;
    v[h % dim] += sign * value;
  }
  double norm = 0;
  for (float x : v)
    norm += static_cast<double>(x) * x;
  if (norm > 0) {
    auto inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& x : v)
      x *= inv;
  }
  return v;
}

}  // namespace

hashing_embedder::hashing_embedder(embedder_options options) : options_(options) {
  if (options_.dim == 0)
    options_.dim = 1;
}

std::vector<float> hashing_embedder::embed(std::string_view text) const {
  feature_counts counts;
  add_features(text, 1.f, options_, counts);
  return to_unit_vector(counts, options_.dim);
}

std::vector<float> hashing_embedder::embed(const std::vector<weighted_text>& texts) const {
  feature_counts counts;
  for (const auto& [text, weight] : texts)
    add_features(text, weight, options_, counts);
  return to_unit_vector(counts, options_.dim);
}

}  // namespace cartmate::index
