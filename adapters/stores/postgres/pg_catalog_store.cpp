// pg_catalog_store.cpp — upserts as COPY into a session-local staging table plus one
// INSERT ... SELECT ... ON CONFLICT per batch (12k products with 256 floats each go in a few
// round trips instead of 12k statements); reads parse real[] text with from_chars.
#include "adapters/stores/postgres/pg_catalog_store.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include <pqxx/pqxx>

#include "adapters/stores/postgres/pg_arrays.hpp"
#include "adapters/stores/postgres/pg_pool.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores::pg {

namespace {

using protocol::errc;
using protocol::make_error;

// Any constant shared by every writer of the catalog; it only has to differ from other locks.
constexpr int64_t catalog_lock_id = 0x636174616c6f67;   // "catalog"

#define CARTMATE_PRODUCT_COLUMNS                                                         \
  "id, title, brand, product_type, gender, colour, description, sizes, price_minor, currency," \
  " stock, embedding"

const pg_statement statements[] = {
  {"catalog_all", "SELECT " CARTMATE_PRODUCT_COLUMNS " FROM catalog_products ORDER BY position"},
  {"catalog_one", "SELECT " CARTMATE_PRODUCT_COLUMNS " FROM catalog_products WHERE id = $1"},
  {"catalog_dim", "SELECT cardinality(embedding) FROM catalog_products LIMIT 1"},
  {"catalog_count", "SELECT count(*) FROM catalog_products"},
  {"catalog_lock_product",
   "SELECT price_minor, stock FROM catalog_products WHERE id = $1 FOR UPDATE"},
  {"catalog_set_price_stock",
   "UPDATE catalog_products SET price_minor = $2, stock = $3, updated_at = now() WHERE id = $1"
   " RETURNING " CARTMATE_PRODUCT_COLUMNS},
};

// Not prepared with the others: they need migration 0006, the rest only 0003.
constexpr const char* source_sql = "SELECT source FROM catalog_vector_source";
constexpr const char* set_source_sql =
  "INSERT INTO catalog_vector_source (only_row, source, dimensions) VALUES (true, $1, $2)"
  " ON CONFLICT (only_row) DO UPDATE SET source = EXCLUDED.source,"
  " dimensions = EXCLUDED.dimensions, updated_at = now()";

// Lives as long as the session; its rows as long as the transaction that wrote them.
constexpr const char* create_staging_sql =
  "CREATE TEMP TABLE IF NOT EXISTS catalog_staging ("
  " pos bigint, id text, title text, brand text, product_type text, gender text, colour text,"
  " description text, sizes text[], price_minor bigint, currency text, stock integer,"
  " embedding real[]) ON COMMIT DELETE ROWS";

const std::vector<std::string> staging_columns = {
  "pos", "id", "title", "brand", "product_type", "gender", "colour", "description", "sizes",
  "price_minor", "currency", "stock", "embedding"};

// New ids take positions in input order; a known id keeps its position.
constexpr const char* merge_sql =
  "INSERT INTO catalog_products (" CARTMATE_PRODUCT_COLUMNS ")"
  " SELECT " CARTMATE_PRODUCT_COLUMNS " FROM catalog_staging ORDER BY pos"
  " ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, brand = EXCLUDED.brand,"
  " product_type = EXCLUDED.product_type, gender = EXCLUDED.gender, colour = EXCLUDED.colour,"
  " description = EXCLUDED.description, sizes = EXCLUDED.sizes,"
  " price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency, stock = EXCLUDED.stock,"
  " embedding = EXCLUDED.embedding, updated_at = now()";

#undef CARTMATE_PRODUCT_COLUMNS

void prepare_all(pg_connection& pc, pqxx::connection& c) {
  for (const auto& s : statements)
    pc.ensure_prepared(c, s);
}

/// A row of catalog_all / catalog_one / catalog_set_price_stock.
caf::expected<catalog_row> row_of(const pqxx::row& row) {
  catalog_row out;
  auto& p = out.product;
  p.id = row[0].as<std::string>();
  p.title = row[1].as<std::string>();
  p.brand = row[2].as<std::string>();
  p.product_type = row[3].as<std::string>();
  p.gender = row[4].as<std::string>();
  p.colour = row[5].as<std::string>();
  p.description = row[6].as<std::string>();
  p.sizes = text_array_of(row[7]);
  p.price = protocol::money{row[8].as<int64_t>(), row[9].as<std::string>()};
  p.stock = row[10].as<int32_t>();
  auto embedding = parse_real_array(row[11].c_str());
  if (!embedding)
    return make_error(errc::agent_error, "catalog product " + p.id + ": "
                                           + protocol::describe(embedding.error()));
  out.embedding = std::move(*embedding);
  return out;
}

/// The dimension of the stored vectors, 0 when there are none.
size_t stored_dim(pqxx::transaction_base& tx) {
  auto rows = tx.exec_prepared("catalog_dim");
  return rows.empty() ? 0 : rows[0][0].as<size_t>();
}

caf::error with_progress(const caf::error& err, size_t stored, size_t total) {
  auto code = protocol::errc_of(err).value_or(errc::agent_error);
  return make_error(code, protocol::describe(err) + " (" + std::to_string(stored) + " of "
                            + std::to_string(total) + " rows were stored before; repeating the "
                                                      "upsert is safe)");
}

}  // namespace

pg_catalog_store::pg_catalog_store(pg_options opts, size_t batch_rows)
  : batch_rows_(std::max<size_t>(batch_rows, 1)), own_(std::move(opts)) {
  // nop: the connection opens on first use
}

template <class F>
auto pg_catalog_store::with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>())) {
  if (auto* worker = pg_pool::worker_connection())
    return fn(*worker);
  std::lock_guard<std::mutex> guard{own_mutex_};
  return fn(own_);
}

caf::expected<upsert_report> pg_catalog_store::upsert(const std::vector<catalog_row>& rows) {
  return with_connection([&](pg_connection& pc) -> caf::expected<upsert_report> {
    auto dim = pc.run([&](pqxx::connection& c) -> caf::expected<size_t> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      return stored_dim(tx);
    }, pg_retry::once_if_stale);
    if (!dim)
      return std::move(dim.error());
    upsert_report report;
    auto planned = plan_upsert(rows, *dim, report);
    for (size_t first = 0; first < planned.size(); first += batch_rows_) {
      auto last = std::min(first + batch_rows_, planned.size());
      // Repeating a batch is safe: it writes the same values again.
      auto batch = pc.run([&](pqxx::connection& c) -> caf::expected<size_t> {
        prepare_all(pc, c);
        pqxx::work tx{c};
        tx.exec("SET LOCAL client_min_messages = warning");   // "already exists, skipping"
        tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(catalog_lock_id) + ")");
        if (auto now = stored_dim(tx); now != 0 && now != *dim)
          return make_error(errc::conflict, "another writer stored vectors of "
                                              + std::to_string(now) + " floats meanwhile; these have "
                                              + std::to_string(*dim));
        tx.exec(create_staging_sql);
        pqxx::stream_to copy{tx, "catalog_staging", staging_columns};
        for (auto k = first; k < last; ++k) {
          const auto& p = rows[planned[k]].product;
          copy << std::make_tuple(static_cast<int64_t>(k), p.id, p.title, p.brand,
                                  p.product_type, p.gender, p.colour, p.description,
                                  text_array_literal(p.sizes), p.price.minor, p.price.currency,
                                  p.stock, real_array_literal(rows[planned[k]].embedding));
        }
        copy.complete();
        tx.exec(merge_sql);
        tx.commit();
        return last - first;
      }, pg_retry::once_if_stale);
      if (!batch)
        return with_progress(batch.error(), report.stored, planned.size());
      report.stored += *batch;
    }
    return report;
  });
}

caf::expected<std::vector<catalog_row>> pg_catalog_store::load_all() {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<std::vector<catalog_row>> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      auto rows = tx.exec_prepared("catalog_all");
      std::vector<catalog_row> out;
      out.reserve(rows.size());
      for (const auto& row : rows) {
        auto r = row_of(row);
        if (!r)
          return std::move(r.error());
        out.push_back(std::move(*r));
      }
      return out;
    }, pg_retry::once_if_stale);
  });
}

caf::expected<catalog_row> pg_catalog_store::get(const std::string& id) {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<catalog_row> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      auto rows = tx.exec_prepared("catalog_one", id);
      if (rows.empty())
        return make_error(errc::not_found, "no product " + id + " in the catalog");
      return row_of(rows[0]);
    }, pg_retry::once_if_stale);
  });
}

caf::expected<protocol::catalog_change>
pg_catalog_store::update_price_stock(const std::string& id, int64_t price_minor, int32_t stock) {
  // Absolute values: repeating the update after a lost answer changes nothing more.
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<protocol::catalog_change> {
      prepare_all(pc, c);
      pqxx::work tx{c};
      auto before = tx.exec_prepared("catalog_lock_product", id);
      if (before.empty())
        return make_error(errc::not_found, "no product " + id + " in the catalog");
      protocol::catalog_change change;
      change.old_price_minor = before[0][0].as<int64_t>();
      change.old_stock = before[0][1].as<int32_t>();
      auto after = tx.exec_prepared("catalog_set_price_stock", id,
                                    price_minor >= 0 ? price_minor : change.old_price_minor,
                                    stock >= 0 ? stock : change.old_stock);
      auto row = row_of(after[0]);
      if (!row)
        return std::move(row.error());
      tx.commit();
      change.after = std::move(row->product);
      return change;
    }, pg_retry::once_if_stale);
  });
}

caf::expected<size_t> pg_catalog_store::size() {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<size_t> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      return tx.exec_prepared("catalog_count")[0][0].as<size_t>();
    }, pg_retry::once_if_stale);
  });
}

caf::expected<size_t> pg_catalog_store::embedding_dim() {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<size_t> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      return stored_dim(tx);
    }, pg_retry::once_if_stale);
  });
}

caf::error pg_catalog_store::clear() {
  auto done = with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<bool> {
      pqxx::work tx{c};
      tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(catalog_lock_id) + ")");
      tx.exec("DELETE FROM catalog_products");
      // The vectors' source goes with them (the table exists from migration 0006 on).
      tx.exec("DO $$ BEGIN IF to_regclass('catalog_vector_source') IS NOT NULL THEN"
              " DELETE FROM catalog_vector_source; END IF; END $$");
      tx.commit();
      return true;
    }, pg_retry::once_if_stale);
  });
  return done ? caf::error{} : std::move(done.error());
}

caf::expected<std::string> pg_catalog_store::vector_source() {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<std::string> {
      pqxx::read_transaction tx{c};
      auto rows = tx.exec(source_sql);
      return rows.empty() ? std::string{} : rows[0][0].as<std::string>();
    }, pg_retry::once_if_stale);
  });
}

caf::error pg_catalog_store::vector_source(const std::string& source, size_t dim) {
  if (source.empty() || dim == 0)
    return make_error(errc::invalid_argument, "a vector source needs a name and a dimension");
  auto done = with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<bool> {
      pqxx::work tx{c};
      tx.exec_params(set_source_sql, source, static_cast<int64_t>(dim));
      tx.commit();
      return true;
    }, pg_retry::once_if_stale);
  });
  return done ? caf::error{} : std::move(done.error());
}

}  // namespace cartmate::stores::pg
