// memory_catalog_store.hpp — the catalog with its vectors in memory: the embedded default and
// the test double of the catalog contract. Forgets everything at exit.
// Threading: safe for concurrent use (one mutex; calls never block on I/O).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/stores/catalog_store.hpp"

namespace cartmate::stores {

class memory_catalog_store final : public catalog_store {
 public:
  memory_catalog_store() = default;

  caf::expected<upsert_report> upsert(const std::vector<catalog_row>& rows) override;
  caf::expected<std::vector<catalog_row>> load_all() override;
  caf::expected<catalog_row> get(const std::string& id) override;
  caf::expected<protocol::catalog_change>
  update_price_stock(const std::string& id, int64_t price_minor, int32_t stock) override;
  caf::expected<size_t> size() override;
  caf::expected<size_t> embedding_dim() override;
  caf::error clear() override;

 private:
  std::mutex mutex_;
  std::vector<catalog_row> rows_;                   // first-stored order
  std::unordered_map<std::string, size_t> by_id_;   // id -> index into rows_
  size_t dim_ = 0;                                  // 0 while empty
};

}  // namespace cartmate::stores
