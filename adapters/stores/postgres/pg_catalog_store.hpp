// pg_catalog_store.hpp — the catalog with its vectors on PostgreSQL (real[] per product): bulk
// upserts streamed with COPY into a staging table and merged in one statement per batch, each
// batch one transaction; the same row checks as memory_catalog_store. Needs migrations 0003 and
// 0006 (what made the vectors).
// Threading: safe for concurrent use. Every method BLOCKS the calling thread on PostgreSQL: call
// it from a pg_pool job (it then uses that worker's connection) or from a thread of your own
// (the CLI's ingest, the start-up load), never from a CAF scheduler thread. A down server gives
// errc::unavailable, never an exception.
#pragma once

#include <cstddef>
#include <mutex>

#include "adapters/stores/catalog_store.hpp"
#include "adapters/stores/postgres/pg_connection.hpp"

namespace cartmate::stores::pg {

class pg_catalog_store final : public catalog_store {
 public:
  /// Rows per upsert transaction; a failure loses at most the batch it happens in.
  static constexpr size_t default_batch_rows = 2000;

  /// Inside a pg_pool job the worker's connection is used; calls from other threads share one
  /// connection of this store, one call at a time.
  explicit pg_catalog_store(pg_options opts, size_t batch_rows = default_batch_rows);

  caf::expected<upsert_report> upsert(const std::vector<catalog_row>& rows) override;
  caf::expected<std::vector<catalog_row>> load_all() override;
  caf::expected<catalog_row> get(const std::string& id) override;
  caf::expected<protocol::catalog_change>
  update_price_stock(const std::string& id, int64_t price_minor, int32_t stock) override;
  caf::expected<size_t> size() override;
  caf::expected<size_t> embedding_dim() override;
  caf::error clear() override;

  /// What made the stored vectors, as recorded by vector_source(source, dim): e.g. "hashing" or
  /// "openai:nomic-embed-text"; "" when nothing is recorded (an empty catalog, or one ingested
  /// before migration 0006).
  [[nodiscard]] caf::expected<std::string> vector_source();

  /// Records what made the stored vectors and their dimension (after an ingest). clear()
  /// forgets it.
  [[nodiscard]] caf::error vector_source(const std::string& source, size_t dim);

 private:
  template <class F>
  auto with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>()));

  const size_t batch_rows_;
  std::mutex own_mutex_;
  pg_connection own_;
};

}  // namespace cartmate::stores::pg
