// catalog_store.cpp — the row checks and upsert planning every catalog store shares, so memory
// and PostgreSQL refuse exactly the same rows (PostgreSQL would otherwise fail a whole batch
// on one row's bad UTF-8 or NUL byte).
#include "adapters/stores/catalog_store.hpp"

#include <cmath>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "adapters/stores/store_text.hpp"

namespace cartmate::stores {

std::string check_catalog_row(const catalog_row& row, size_t dim) {
  const auto& p = row.product;
  if (p.id.empty())
    return "the id is empty";
  if (p.title.empty())
    return "the title is empty";
  if (p.price.minor < 0)
    return "the price is negative (" + std::to_string(p.price.minor) + " minor units)";
  if (p.price.currency.empty())
    return "the currency is empty";
  if (p.stock < 0)
    return "the stock is negative (" + std::to_string(p.stock) + ")";
  const std::pair<std::string_view, const std::string*> texts[] = {
    {"id", &p.id},         {"title", &p.title},   {"brand", &p.brand},
    {"product_type", &p.product_type},           {"gender", &p.gender},
    {"colour", &p.colour}, {"description", &p.description},
    {"currency", &p.price.currency},
  };
  for (const auto& [name, value] : texts)
    if (auto why = check_storable_text(name, *value); !why.empty())
      return why;
  for (const auto& size : p.sizes)
    if (auto why = check_storable_text("a size", size); !why.empty())
      return why;
  if (row.embedding.empty())
    return "the embedding vector is empty";
  if (dim != 0 && row.embedding.size() != dim)
    return "the embedding has " + std::to_string(row.embedding.size())
           + " floats, the catalog's vectors have " + std::to_string(dim);
  for (size_t i = 0; i < row.embedding.size(); ++i)
    if (!std::isfinite(row.embedding[i]))
      return "embedding element " + std::to_string(i) + " is not a finite number";
  return {};
}

size_t first_embedding_dim(const std::vector<catalog_row>& rows) {
  for (const auto& row : rows)
    if (check_catalog_row(row, 0).empty())
      return row.embedding.size();
  return 0;
}

std::vector<size_t> plan_upsert(const std::vector<catalog_row>& rows, size_t& dim,
                                upsert_report& report) {
  if (dim == 0)
    dim = first_embedding_dim(rows);
  std::vector<size_t> order;                      // one position per id, first occurrence order
  std::unordered_map<std::string, size_t> slot;   // id -> index into order
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& id = rows[i].product.id;
    if (auto why = check_catalog_row(rows[i], dim); !why.empty()) {
      report.refused.push_back(refused_row{i, id, std::move(why)});
      continue;
    }
    auto [at, fresh] = slot.emplace(id, order.size());
    if (fresh) {
      order.push_back(i);
    } else {
      order[at->second] = i;
      ++report.duplicates;
    }
  }
  return order;
}

}  // namespace cartmate::stores
