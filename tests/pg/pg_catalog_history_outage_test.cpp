// pg_catalog_history_outage_test.cpp — the catalog and history stores on a real server: the
// 11,991-product Myntra catalog goes in with its vectors and builds the same index back; and with
// PostgreSQL stopped mid-run, upserts and appends fail as values, then succeed on retry once the
// server is back, with every product and turn present exactly once.
#include <chrono>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/catalog/catalog_loader.hpp"
#include "adapters/stores/catalog_index.hpp"
#include "adapters/stores/postgres/migrations.hpp"
#include "adapters/stores/postgres/pg_catalog_store.hpp"
#include "adapters/stores/postgres/pg_history_store.hpp"
#include "protocol/errors.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::stores::pg {
namespace {

using protocol::errc;

std::vector<std::string> ids_of(const protocol::search_result& r) {
  std::vector<std::string> out;
  for (const auto& p : r.products)
    out.push_back(p.id);
  return out;
}

TEST(pg_catalog_ingest, the_myntra_catalog_round_trips_and_builds_the_same_index) {
  CARTMATE_REQUIRE_PG_BINARIES();
  auto conninfo = testing::migrated_database();
  ASSERT_FALSE(conninfo.empty());
  auto report = catalog::load_catalog_file(std::string{CARTMATE_SHARED_DATA_DIR}
                                           + "/catalog/myntra_products_catalog.shared.jsonl");
  ASSERT_TRUE(report) << protocol::describe(report.error());
  ASSERT_GT(report->products.size(), 10000u);
  index::index_options options;
  options.embedder.dim = 256;
  auto original = index::product_index::build(report->products, options);
  ASSERT_TRUE(original);
  auto rows = catalog_rows_of(*original);

  pg_catalog_store store{testing::quick_options(conninfo)};
  auto started = std::chrono::steady_clock::now();
  auto stored = store.upsert(rows);
  auto upserted = std::chrono::steady_clock::now();
  ASSERT_TRUE(stored) << protocol::describe(stored.error());
  EXPECT_EQ(stored->stored, rows.size());
  EXPECT_TRUE(stored->refused.empty());
  auto loaded = store.load_all();
  auto read = std::chrono::steady_clock::now();
  ASSERT_TRUE(loaded) << protocol::describe(loaded.error());
  ASSERT_EQ(loaded->size(), rows.size());
  using ms = std::chrono::milliseconds;
  std::cout << "upsert of " << rows.size() << " products with 256 floats: "
            << std::chrono::duration_cast<ms>(upserted - started).count() << " ms, load_all: "
            << std::chrono::duration_cast<ms>(read - upserted).count() << " ms (not asserted)\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ((*loaded)[i].product.id, rows[i].product.id) << "position " << i;
    ASSERT_EQ((*loaded)[i].embedding, rows[i].embedding) << rows[i].product.id;
  }

  auto rebuilt = build_index_from_rows(std::move(*loaded), options);
  ASSERT_TRUE(rebuilt) << protocol::describe(rebuilt.error());
  for (const char* query : {"blue kurta", "running shoes for men", "black dress", "watch"}) {
    auto a = original->search(query, {}, 20);
    auto b = rebuilt->search(query, {}, 20);
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(a->products.empty()) << query;
    EXPECT_EQ(ids_of(*a), ids_of(*b)) << query;
  }

  // A second ingest of the same file updates in place: still one row per product.
  auto again = store.upsert(rows);
  ASSERT_TRUE(again);
  EXPECT_EQ(*store.size(), rows.size());
}

catalog_row product_row(int i) {
  catalog_row r;
  r.product.id = "p" + std::to_string(i);
  r.product.title = "Kurta " + std::to_string(i);
  r.product.price = protocol::money{1000 + i, "INR"};
  r.product.stock = i;
  r.embedding = {static_cast<float>(i), 0.5f, -0.25f};
  return r;
}

turn_record turn_of(uint64_t seq) {
  turn_record t;
  t.tenant = "default";
  t.user = "alice";
  t.session_id = "s1";
  t.seq = seq;
  t.at_ms = 1000 + static_cast<int64_t>(seq);
  t.user_text = "turn " + std::to_string(seq);
  t.intents = {"search"};
  return t;
}

TEST(pg_catalog_history_outage, writes_fail_as_values_while_down_and_land_once_after) {
  CARTMATE_REQUIRE_PG_BINARIES();
  // Its own server: stopping the shared one would disturb other tests of this process.
  testing::pg_test_server server;
  ASSERT_TRUE(server.setup("cartmate")) << server.last_error();
  {
    pg_connection conn{testing::quick_options(server.conninfo())};
    auto migrations = embedded_migrations();
    ASSERT_TRUE(migrations);
    ASSERT_TRUE(apply_migrations(conn, *migrations));
  }
  pg_catalog_store catalog{testing::quick_options(server.conninfo()), 4};
  pg_history_store history{testing::quick_options(server.conninfo())};
  std::vector<catalog_row> first;
  for (int i = 0; i < 10; ++i)
    first.push_back(product_row(i));
  ASSERT_TRUE(catalog.upsert(first));
  ASSERT_FALSE(history.append(turn_of(0)));

  ASSERT_TRUE(server.stop()) << server.last_error();
  std::vector<catalog_row> all = first;
  for (int i = 10; i < 20; ++i)
    all.push_back(product_row(i));
  auto down = catalog.upsert(all);
  ASSERT_FALSE(down);
  EXPECT_EQ(protocol::errc_of(down.error()), errc::unavailable) << protocol::describe(down.error());
  auto append_down = history.append(turn_of(1));
  ASSERT_TRUE(append_down);
  EXPECT_EQ(protocol::errc_of(append_down), errc::unavailable);
  auto read_down = catalog.load_all();
  ASSERT_FALSE(read_down);
  EXPECT_EQ(protocol::errc_of(read_down.error()), errc::unavailable);

  ASSERT_TRUE(server.start()) << server.last_error();
  // Retried until the store has reconnected (bounded, so a broken reconnect fails the test).
  caf::expected<upsert_report> up = protocol::make_error(errc::unavailable, "not tried");
  for (int attempt = 0; attempt < 400 && !up; ++attempt) {
    up = catalog.upsert(all);
    if (!up)
      std::this_thread::sleep_for(std::chrono::milliseconds{25});
  }
  ASSERT_TRUE(up) << protocol::describe(up.error());
  caf::error appended = protocol::make_error(errc::unavailable, "not tried");
  for (int attempt = 0; attempt < 400 && appended; ++attempt) {
    appended = history.append(turn_of(1));
    if (appended)
      std::this_thread::sleep_for(std::chrono::milliseconds{25});
  }
  ASSERT_FALSE(appended) << protocol::describe(appended);
  ASSERT_FALSE(history.append(turn_of(1)));   // the client's own retry: still once

  auto loaded = catalog.load_all();
  ASSERT_TRUE(loaded) << protocol::describe(loaded.error());
  ASSERT_EQ(loaded->size(), all.size());
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ((*loaded)[i].product.id, all[i].product.id);
  auto turns = history.list("default", "s1");
  ASSERT_TRUE(turns);
  ASSERT_EQ(turns->size(), 2u);
  EXPECT_EQ((*turns)[1], turn_of(1));
}

}  // namespace
}  // namespace cartmate::stores::pg
