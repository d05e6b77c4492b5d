// catalog_index.hpp — the bridge between the catalog store and discovery's product_index: the
// rows to store for an indexed catalog (products with the vectors the index ranks them by), and
// an index built back from stored rows. Header-only, so cartmate_stores stays free of the index;
// include it only from targets that link cartmate_index (discovery, the CLI).
// Threading: pure functions; building blocks the caller (start-up thread, never a CAF worker).
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/index/product_index.hpp"
#include "adapters/stores/catalog_store.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores {

/// Each product of `idx` with its unit vector, in the index's order: what `cartmate ingest`
/// stores, so every node's index starts from the same rows.
inline std::vector<catalog_row> catalog_rows_of(const index::product_index& idx) {
  std::vector<catalog_row> rows;
  rows.reserve(idx.size());
  for (const auto& p : idx.products()) {
    auto v = idx.vector_of(p.id);
    rows.push_back(catalog_row{p, v ? std::move(*v) : std::vector<float>{}});
  }
  return rows;
}

/// Largest difference per vector element still taken as "the same vector": BLAS kernels of
/// another CPU may round the normalisation differently.
inline constexpr float stored_vector_tolerance = 1e-4f;

/// Builds discovery's index from rows loaded from the catalog store, with hashed vectors of
/// options.embedder.dim floats. The hashing embedder is deterministic, so the index embeds the
/// products again and the stored vectors serve as a check (model vectors cannot be recomputed:
/// discovery loads those as they are, see index_from_model_vectors): a row whose stored vector differs from the index's
/// (stored with other embedder settings, or another dimension) fails the build with
/// errc::conflict naming the product — re-ingest the catalog with this configuration.
/// errc::invalid_argument for no rows, duplicate ids or a zero dimension.
inline caf::expected<index::product_index>
build_index_from_rows(std::vector<catalog_row> rows, const index::index_options& options) {
  using protocol::errc;
  using protocol::make_error;
  if (rows.empty())
    return make_error(errc::invalid_argument, "the stored catalog has no products");
  std::vector<protocol::product> products;
  products.reserve(rows.size());
  for (const auto& r : rows)
    products.push_back(r.product);
  auto idx = index::product_index::build(std::move(products), options);
  if (!idx)
    return std::move(idx.error());
  for (const auto& r : rows) {
    auto v = idx->vector_of(r.product.id);
    if (!v)
      return std::move(v.error());
    bool same = r.embedding.size() == v->size();
    for (size_t i = 0; same && i < v->size(); ++i)
      same = std::fabs(r.embedding[i] - (*v)[i]) <= stored_vector_tolerance;
    if (!same)
      return make_error(errc::conflict,
                        "product " + r.product.id + ": its stored vector ("
                          + std::to_string(r.embedding.size())
                          + " floats) is not the one this configuration computes ("
                          + std::to_string(v->size())
                          + " floats); re-ingest the catalog with the current index settings");
  }
  return idx;
}

}  // namespace cartmate::stores
