// pg_migrations_test.cpp — migration naming, ordering, re-runs as no-ops, a failing migration
// left unrecorded with its file named, and edited migrations refused.
#include "adapters/stores/postgres/migrations.hpp"

#include <thread>

#include <pqxx/pqxx>

#include <gtest/gtest.h>

#include "protocol/errors.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::stores::pg {
namespace {

using protocol::errc;

/// Runs `sql` and returns the first column of the first row as text ("" for no rows).
std::string scalar(pg_connection& conn, const std::string& sql) {
  auto r = conn.run([&](pqxx::connection& c) -> caf::expected<std::string> {
    pqxx::read_transaction tx{c};
    auto rows = tx.exec(sql);
    return rows.empty() || rows[0][0].is_null() ? std::string{} : rows[0][0].as<std::string>();
  });
  EXPECT_TRUE(r) << protocol::describe(r.error());
  return r ? *r : std::string{};
}

TEST(pg_migration_names, are_sorted_by_version_and_validated) {
  auto ok = make_migrations({{"0002_b.sql", "B"}, {"0001_a.sql", "A"}, {"0010_c_2.sql", "C"}});
  ASSERT_TRUE(ok) << protocol::describe(ok.error());
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[0].version, 1);
  EXPECT_EQ((*ok)[1].name, "0002_b.sql");
  EXPECT_EQ((*ok)[2].version, 10);
  for (const char* bad : {"1_a.sql", "0001-a.sql", "0001_A.sql", "0001_a.txt", "0000_a.sql",
                          "000x_a.sql", "0001_.sql"}) {
    auto r = make_migrations({{bad, "SELECT 1"}});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(protocol::errc_of(r.error()), errc::invalid_argument) << bad;
    EXPECT_NE(protocol::describe(r.error()).find(bad), std::string::npos) << bad;
  }
  auto dup = make_migrations({{"0001_a.sql", "A"}, {"0001_b.sql", "B"}});
  ASSERT_FALSE(dup);
  EXPECT_NE(protocol::describe(dup.error()).find("0001_b.sql"), std::string::npos);
}

TEST(pg_migration_names, the_embedded_schema_starts_at_version_one) {
  auto embedded = embedded_migrations();
  ASSERT_TRUE(embedded) << protocol::describe(embedded.error());
  ASSERT_FALSE(embedded->empty());
  EXPECT_EQ(embedded->front().version, 1);
  EXPECT_NE(embedded->front().sql.find("CREATE TABLE cart_writes"), std::string::npos);
}

struct pg_migrations : ::testing::Test {
  std::string conninfo;
  std::unique_ptr<pg_connection> conn;

  void SetUp() override {
    CARTMATE_REQUIRE_PG_BINARIES();
    std::string why;
    conninfo = testing::fresh_database(&why);
    ASSERT_FALSE(conninfo.empty()) << why;
    conn = std::make_unique<pg_connection>(testing::quick_options(conninfo));
  }
};

TEST_F(pg_migrations, apply_in_order_once_and_rerun_as_a_no_op) {
  auto embedded = embedded_migrations();
  ASSERT_TRUE(embedded);
  auto before = applied_migrations(*conn);
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->empty());
  auto first = apply_migrations(*conn, *embedded);
  ASSERT_TRUE(first) << protocol::describe(first.error());
  ASSERT_EQ(first->size(), embedded->size());
  EXPECT_EQ(first->front(), 1);
  EXPECT_EQ(scalar(*conn, "SELECT to_regclass('cart_writes')::text"), "cart_writes");
  EXPECT_EQ(scalar(*conn, "SELECT count(*) FROM pg_constraint WHERE conname = 'cart_writes_once'"
                          " AND contype = 'u'"),
            "1");
  EXPECT_EQ(scalar(*conn, "SELECT name FROM schema_migrations WHERE version = 1"),
            embedded->front().name);
  auto again = apply_migrations(*conn, *embedded);
  ASSERT_TRUE(again) << protocol::describe(again.error());
  EXPECT_TRUE(again->empty());
  auto recorded = applied_migrations(*conn);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(recorded->size(), embedded->size());
}

TEST_F(pg_migrations, a_failing_migration_is_named_and_left_unrecorded) {
  auto ms = make_migrations({{"0001_good.sql", "CREATE TABLE good (id int)"},
                             {"0002_broken.sql", "CREATE TABLE half (id int); SELEC 1"},
                             {"0003_later.sql", "CREATE TABLE later (id int)"}});
  ASSERT_TRUE(ms);
  auto r = apply_migrations(*conn, *ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::agent_error);
  EXPECT_NE(protocol::describe(r.error()).find("0002_broken.sql"), std::string::npos)
    << protocol::describe(r.error());
  auto recorded = applied_migrations(*conn);
  ASSERT_TRUE(recorded);
  EXPECT_EQ(*recorded, std::vector<int>{1});
  // The broken file's first statement was rolled back with it, and nothing after it ran.
  EXPECT_EQ(scalar(*conn, "SELECT to_regclass('half')::text"), "");
  EXPECT_EQ(scalar(*conn, "SELECT to_regclass('later')::text"), "");
  // Once fixed, the run continues where it stopped.
  auto fixed = make_migrations({{"0001_good.sql", "CREATE TABLE good (id int)"},
                                {"0002_broken.sql", "CREATE TABLE half (id int)"},
                                {"0003_later.sql", "CREATE TABLE later (id int)"}});
  ASSERT_TRUE(fixed);
  auto rest = apply_migrations(*conn, *fixed);
  ASSERT_TRUE(rest) << protocol::describe(rest.error());
  EXPECT_EQ(*rest, (std::vector<int>{2, 3}));
}

TEST_F(pg_migrations, an_applied_migration_that_changed_is_refused) {
  auto v1 = make_migrations({{"0001_t.sql", "CREATE TABLE t (id int)"}});
  ASSERT_TRUE(v1);
  ASSERT_TRUE(apply_migrations(*conn, *v1));
  auto edited = make_migrations({{"0001_t.sql", "CREATE TABLE t (id bigint)"},
                                 {"0002_u.sql", "CREATE TABLE u (id int)"}});
  ASSERT_TRUE(edited);
  auto r = apply_migrations(*conn, *edited);
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::conflict);
  EXPECT_NE(protocol::describe(r.error()).find("0001_t.sql"), std::string::npos);
  EXPECT_EQ(scalar(*conn, "SELECT to_regclass('u')::text"), "");
}

TEST_F(pg_migrations, concurrent_runners_apply_each_migration_once) {
  auto embedded = embedded_migrations();
  ASSERT_TRUE(embedded);
  pg_connection other{testing::quick_options(conninfo)};
  caf::expected<std::vector<int>> results[2] = {std::vector<int>{}, std::vector<int>{}};
  std::thread a{[&] { results[0] = apply_migrations(*conn, *embedded); }};
  std::thread b{[&] { results[1] = apply_migrations(other, *embedded); }};
  a.join();
  b.join();
  ASSERT_TRUE(results[0]) << protocol::describe(results[0].error());
  ASSERT_TRUE(results[1]) << protocol::describe(results[1].error());
  EXPECT_EQ(results[0]->size() + results[1]->size(), embedded->size());
  EXPECT_EQ(scalar(*conn, "SELECT count(*) FROM schema_migrations"),
            std::to_string(embedded->size()));
}

}  // namespace
}  // namespace cartmate::stores::pg
