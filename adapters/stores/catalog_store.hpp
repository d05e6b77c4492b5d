// catalog_store.hpp — the product catalog as stored: every product with its embedding vector,
// bulk upserts that refuse bad rows one by one, and live price/stock changes. Implementations:
// memory (embedded default), PostgreSQL (#5). Discovery builds its indexes from load_all().
// Threading: every implementation is safe for concurrent use; calls are synchronous.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "protocol/discovery_messages.hpp"
#include "protocol/product.hpp"

namespace cartmate::stores {

/// One product and its embedding (the vector discovery ranks it by). Every stored vector has
/// the catalog's dimension, fixed by the first row stored into an empty catalog.
struct catalog_row {
  protocol::product product;
  std::vector<float> embedding;
};

/// A row an upsert refused, and why; nothing of it was stored.
struct refused_row {
  size_t position = 0;   // index in the rows given to upsert()
  std::string id;
  std::string reason;    // e.g. "price is negative (-100)"
};

struct upsert_report {
  size_t stored = 0;                 // rows written (new or updated; repeats in the input count once)
  size_t duplicates = 0;             // input rows whose id came again later in the input (the later won)
  std::vector<refused_row> refused;  // in input order
};

class catalog_store {
 public:
  virtual ~catalog_store() = default;

  /// Inserts new products and replaces existing ones (same id; a replaced product keeps its
  /// place in load_all()). When an id occurs several times in `rows` the last occurrence wins.
  /// Invalid rows (see check_catalog_row) are refused and listed; the others are stored anyway.
  /// Fails only when the store itself fails (errc::unavailable, errc::agent_error) or another
  /// writer changed the catalog's dimension meanwhile (errc::conflict); rows written before the
  /// failure stay (implementations may commit in batches), and repeating the call is safe.
  [[nodiscard]] virtual caf::expected<upsert_report> upsert(const std::vector<catalog_row>& rows) = 0;

  /// Every product with its vector, in the order the products were first stored.
  [[nodiscard]] virtual caf::expected<std::vector<catalog_row>> load_all() = 0;

  /// One product with its vector; errc::not_found when unknown.
  [[nodiscard]] virtual caf::expected<catalog_row> get(const std::string& id) = 0;

  /// Sets price (minor units) and stock; a negative value leaves that field unchanged. Returns
  /// the product after the change and the old values, so alerts can compare; errc::not_found
  /// for an unknown id. The same contract as product_index::update.
  [[nodiscard]] virtual caf::expected<protocol::catalog_change>
  update_price_stock(const std::string& id, int64_t price_minor, int32_t stock) = 0;

  /// Number of products.
  [[nodiscard]] virtual caf::expected<size_t> size() = 0;

  /// The dimension of the stored vectors; 0 while the catalog is empty.
  [[nodiscard]] virtual caf::expected<size_t> embedding_dim() = 0;

  /// Removes every product (and so the fixed dimension), e.g. before ingesting vectors of
  /// another dimension.
  [[nodiscard]] virtual caf::error clear() = 0;
};

/// Why `row` cannot be stored in a catalog whose vectors have `dim` floats (0: any
/// dimension), or "" when it can: empty id or title, negative price or stock, empty currency,
/// text that is not UTF-8 or holds a NUL, an empty vector, a vector of another dimension, or a
/// NaN or infinite vector element.
std::string check_catalog_row(const catalog_row& row, size_t dim);

/// The dimension the first storable row of `rows` would fix, or 0 when no row has a vector.
size_t first_embedding_dim(const std::vector<catalog_row>& rows);

/// Checks `rows` against `dim` (0: the first storable row's dimension fixes it), refuses the
/// bad ones into `report` and returns the positions of the rows to write, one per id (the last
/// occurrence, in the order of first occurrence). Shared by every catalog store.
std::vector<size_t> plan_upsert(const std::vector<catalog_row>& rows, size_t& dim,
                                upsert_report& report);

}  // namespace cartmate::stores
