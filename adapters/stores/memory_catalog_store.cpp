// memory_catalog_store.cpp — rows in first-stored order with an id map, under one mutex.
#include "adapters/stores/memory_catalog_store.hpp"

#include "protocol/errors.hpp"

namespace cartmate::stores {

using protocol::errc;
using protocol::make_error;

caf::expected<upsert_report> memory_catalog_store::upsert(const std::vector<catalog_row>& rows) {
  std::lock_guard<std::mutex> guard{mutex_};
  upsert_report report;
  auto dim = dim_;
  for (auto i : plan_upsert(rows, dim, report)) {
    const auto& row = rows[i];
    auto [at, fresh] = by_id_.emplace(row.product.id, rows_.size());
    if (fresh)
      rows_.push_back(row);
    else
      rows_[at->second] = row;
    ++report.stored;
  }
  if (!rows_.empty())
    dim_ = dim;
  return report;
}

caf::expected<std::vector<catalog_row>> memory_catalog_store::load_all() {
  std::lock_guard<std::mutex> guard{mutex_};
  return rows_;
}

caf::expected<catalog_row> memory_catalog_store::get(const std::string& id) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = by_id_.find(id);
  if (i == by_id_.end())
    return make_error(errc::not_found, "no product " + id + " in the catalog");
  return rows_[i->second];
}

caf::expected<protocol::catalog_change>
memory_catalog_store::update_price_stock(const std::string& id, int64_t price_minor,
                                         int32_t stock) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = by_id_.find(id);
  if (i == by_id_.end())
    return make_error(errc::not_found, "no product " + id + " in the catalog");
  auto& p = rows_[i->second].product;
  protocol::catalog_change change;
  change.old_price_minor = p.price.minor;
  change.old_stock = p.stock;
  if (price_minor >= 0)
    p.price.minor = price_minor;
  if (stock >= 0)
    p.stock = stock;
  change.after = p;
  return change;
}

caf::expected<size_t> memory_catalog_store::size() {
  std::lock_guard<std::mutex> guard{mutex_};
  return rows_.size();
}

caf::expected<size_t> memory_catalog_store::embedding_dim() {
  std::lock_guard<std::mutex> guard{mutex_};
  return dim_;
}

caf::error memory_catalog_store::clear() {
  std::lock_guard<std::mutex> guard{mutex_};
  rows_.clear();
  by_id_.clear();
  dim_ = 0;
  return {};
}

}  // namespace cartmate::stores
