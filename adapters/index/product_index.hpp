// product_index.hpp — product discovery over an in-memory catalog: hybrid lexical + vector search,
// structured filters, similar items, and live price/stock updates. Product vectors come from the
// built-in hashing embedder or, precomputed, from an embedding model (any dimension).
// Threading: const members are safe to call concurrently; update() needs exclusive access — the
// product-discovery agent owns the index and serialises writes through its mailbox.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/index/bm25_index.hpp"
#include "adapters/index/dense_matrix.hpp"
#include "adapters/index/hashing_embedder.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/product.hpp"

namespace cartmate::index {

struct index_options {
  embedder_options embedder;            // embedder.dim is the dimension of product vectors
  bm25_options bm25;
  float lexical_weight = 0.6f;          // share of BM25 in the fused score
  float dense_weight = 0.4f;            // share of the query-product cosine
  /// Model vectors only (build_with_vectors + a query vector): when no product contains a query
  /// word, the nearest this many products passing the filters are the matches ("sneakers" finds
  /// running shoes). 0 turns it off. Hashed vectors never decide a match (see search()).
  size_t semantic_matches = 20;
};

/// One ranked match: `index` into products(); ordered by score (descending), then tiebreak and
/// index (ascending). Browsing without a query ranks in-stock first (score 1/0) and cheaper
/// first (tiebreak = price); search and similar leave tiebreak at 0.
struct ranked_hit {
  uint32_t index = 0;
  float score = 0.f;
  int64_t tiebreak = 0;
};

/// The ranking order of ranked_hit: true when `a` comes before `b`.
bool ranks_before(const ranked_hit& a, const ranked_hit& b) noexcept;

class product_index {
public:
  /// Indexes `products` (ids must be unique). Fails on duplicate ids or a zero dimension.
  [[nodiscard]] static caf::expected<product_index> build(std::vector<protocol::product> products,
                                                          index_options options = {});

  /// Same, with default options and vectors of `dim` floats.
  [[nodiscard]] static caf::expected<product_index> build(std::vector<protocol::product> products,
                                                          size_t dim);

  /// Indexes `products` with vectors computed elsewhere (an embedding model): `vectors[i]`
  /// belongs to `products[i]`; every vector has the same, any positive, dimension, which becomes
  /// dim(); options.embedder is not used. Queries then need a vector from the same model
  /// (search_with_vector); without one they rank lexically. Fails with invalid_argument on a
  /// count or dimension mismatch, an empty or non-finite vector, or duplicate ids.
  [[nodiscard]] static caf::expected<product_index>
  build_with_vectors(std::vector<protocol::product> products,
                     std::vector<std::vector<float>> vectors, index_options options = {});

  size_t size() const noexcept {
    return products_.size();
  }

  size_t dim() const noexcept {
    return vectors_.dim();
  }

  const std::vector<protocol::product>& products() const noexcept {
    return products_;
  }

  /// The embedder product vectors were made with, for embedding text into the same space.
  /// Meaningless when has_model_vectors(): the vectors then come from a model.
  const hashing_embedder& embedder() const noexcept {
    return embedder_;
  }

  /// True when the product vectors were given to build_with_vectors (a model's), false when the
  /// hashing embedder computed them.
  bool has_model_vectors() const noexcept {
    return model_vectors_;
  }

  /// Products matching `query` and `filters`, best first, `limit` of them from `offset`.
  /// A product matches when it contains a query word, or a catalog word the query word is a typo
  /// of; the vector cosine then reorders the matches. (Hashed n-gram vectors are too noisy to
  /// decide a match on their own: measured on the Myntra catalog, a typo's nearest vectors were
  /// mostly unrelated items.) An empty query browses every product passing the filters. `style_vector` (dim() floats) blends in taste with share `style_weight` (0..1).
  /// With model vectors there is no query vector here, so matches rank by BM25 alone (what a
  /// search does while the model is down); use search_with_vector otherwise.
  /// Fails with invalid_argument on a bad style vector or an empty price range.
  [[nodiscard]] caf::expected<protocol::search_result>
  search(std::string_view query, const protocol::search_filters& filters, size_t limit,
         size_t offset = 0, const std::vector<float>* style_vector = nullptr,
         float style_weight = 0.f) const;

  /// search() with the query's vector given (from the model that made the product vectors):
  /// `query_vector` has dim() floats; empty ranks by BM25 alone. With model vectors and no
  /// lexical match, the options' semantic_matches nearest products are the matches.
  /// Fails with invalid_argument on a vector of another dimension or with non-finite values.
  [[nodiscard]] caf::expected<protocol::search_result>
  search_with_vector(std::string_view query, const std::vector<float>& query_vector,
                     const protocol::search_filters& filters, size_t limit, size_t offset = 0,
                     const std::vector<float>* style_vector = nullptr,
                     float style_weight = 0.f) const;

  /// Every match of search() with its score, unordered; search() is the top of this list.
  [[nodiscard]] caf::expected<std::vector<ranked_hit>>
  rank_all(std::string_view query, const protocol::search_filters& filters,
           const std::vector<float>* style_vector = nullptr, float style_weight = 0.f) const;

  /// Every match of search_with_vector() with its score, unordered.
  [[nodiscard]] caf::expected<std::vector<ranked_hit>>
  rank_all_with_vector(std::string_view query, const std::vector<float>& query_vector,
                       const protocol::search_filters& filters,
                       const std::vector<float>* style_vector = nullptr,
                       float style_weight = 0.f) const;

  /// Products whose vectors are closest to the product `product_id`'s, the product itself
  /// excluded. Fails with not_found for an unknown id.
  [[nodiscard]] caf::expected<protocol::search_result>
  similar(std::string_view product_id, const protocol::search_filters& filters, size_t limit) const;

  /// The product with `id`, or nullptr. Valid until the next update().
  const protocol::product* find(std::string_view id) const;

  /// A copy of the product with `id`; not_found when there is none.
  [[nodiscard]] caf::expected<protocol::product> get(std::string_view id) const;

  /// The product's unit vector (dim() floats), e.g. for a style profile; not_found when unknown.
  [[nodiscard]] caf::expected<std::vector<float>> vector_of(std::string_view id) const;

  /// Sets price and stock; a negative value leaves that field unchanged. Returns the product
  /// after the change with the old values, so alerts can compare. not_found when unknown.
  [[nodiscard]] caf::expected<protocol::catalog_change> update(std::string_view id,
                                                               int64_t price_minor, int32_t stock);

private:
  // Interned attribute values, so filters compare integers per product, not strings.
  struct dictionary {
    std::vector<std::string> values;
    std::unordered_map<std::string, uint32_t> ids;
    std::vector<std::vector<std::string>> tokens;  // tokenize(values[i]), for filter matching
    uint32_t intern(const std::string& value);
  };

  // Per-product filter keys, kept small and contiguous: every browse and similar() checks all
  // of them. Price and stock mirror products_ (update() writes both).
  struct attributes {
    int64_t price = 0;
    int32_t stock = 0;
    uint32_t brand = 0;
    uint32_t gender = 0;
    uint32_t colour = 0;  // 0: the row had no colour
    uint32_t type = 0;
  };

  struct compiled_filter;

  product_index(std::vector<protocol::product> products, index_options options, size_t dim);

  static caf::expected<std::unordered_map<std::string, uint32_t>>
  check_build(const std::vector<protocol::product>& products, const index_options& options);
  void index_products(const std::vector<std::vector<float>>* vectors);
  caf::expected<std::vector<ranked_hit>>
  rank(std::string_view query, const std::vector<float>* query_unit,
       const protocol::search_filters& filters, const std::vector<float>* style_vector,
       float style_weight) const;
  void semantic_hits(const std::vector<float>& query_unit, const compiled_filter& f,
                     const std::vector<float>* style_unit, float style_weight,
                     std::vector<ranked_hit>& hits) const;
  caf::expected<compiled_filter> compile(const protocol::search_filters& f) const;
  bool passes(uint32_t i, const compiled_filter& f) const;
  std::vector<uint32_t> candidates(const compiled_filter& f, uint32_t skip) const;
  void cosines(const std::vector<float>& q, const std::vector<uint32_t>& rows,
               std::vector<float>& out) const;
  protocol::search_result page(std::vector<ranked_hit> hits, size_t limit, size_t offset) const;
  std::vector<uint32_t> word_ids(std::string_view text) const;

  index_options options_;
  std::vector<protocol::product> products_;
  std::unordered_map<std::string, uint32_t> by_id_;
  hashing_embedder embedder_;
  bool model_vectors_ = false;
  bm25_index bm25_;
  dense_matrix vectors_;
  dictionary brands_;
  dictionary genders_;
  dictionary colours_;
  dictionary types_;
  dictionary words_;
  std::vector<attributes> attrs_;
  std::vector<std::vector<uint32_t>> title_words_;  // title without the leading brand, as word ids
  std::vector<std::vector<std::string>> sizes_;     // folded
};

}  // namespace cartmate::index
