// hashing_embedder.hpp — text to a fixed-size vector without a model: feature-hashed words, word
// pairs and character n-grams. Threading: immutable after construction; embed() is safe to call
// from any number of threads at once.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace cartmate::index {

struct embedder_options {
  size_t dim = 256;
  float word_weight = 1.0f;     // unigrams: what the text is about
  float bigram_weight = 0.7f;   // word pairs: "running shoe" is more than "running" + "shoe"
  float char_weight = 0.35f;    // 3/4-grams of "<word>": typos, inflections, compounds
};

/// One piece of text and how much it counts (e.g. a product's title against its description).
using weighted_text = std::pair<std::string_view, float>;

/// Signed feature hashing (Weinberger et al.): each feature adds ±value at hash(feature) mod dim,
/// the sign from another hash bit, so collisions cancel on average instead of piling up.
/// Counts are dampened (1 + ln tf) and the vector is L2-normalised, so cosine is a dot product.
class hashing_embedder {
public:
  explicit hashing_embedder(embedder_options options = {});

  size_t dim() const noexcept {
    return options_.dim;
  }

  const embedder_options& options() const noexcept {
    return options_;
  }

  /// The unit vector of `text`; all zeros when it has no words.
  std::vector<float> embed(std::string_view text) const;

  /// The unit vector of several texts, each feature counted with its text's weight.
  std::vector<float> embed(const std::vector<weighted_text>& texts) const;

private:
  embedder_options options_;
};

}  // namespace cartmate::index
