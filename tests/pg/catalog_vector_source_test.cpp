// catalog_vector_source_test.cpp — PostgreSQL records which embedder made the stored catalog
// vectors (migration 0006): empty until recorded, replaced by a later ingest, forgotten by clear().
#include <gtest/gtest.h>

#include "adapters/stores/postgres/pg_catalog_store.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::stores {
namespace {

TEST(pg_catalog_vector_source, recorded_replaced_and_cleared) {
  CARTMATE_REQUIRE_PG_BINARIES();
  auto conninfo = testing::migrated_database();
  ASSERT_FALSE(conninfo.empty());
  pg::pg_catalog_store store{testing::quick_options(conninfo)};
  auto none = store.vector_source();
  ASSERT_TRUE(none) << protocol::describe(none.error());
  EXPECT_EQ(*none, "");
  ASSERT_FALSE(store.vector_source("hashing", 256));
  EXPECT_EQ(*store.vector_source(), "hashing");
  ASSERT_FALSE(store.vector_source("openai:nomic-embed-text", 768));
  EXPECT_EQ(*store.vector_source(), "openai:nomic-embed-text");
  ASSERT_FALSE(store.clear());
  EXPECT_EQ(*store.vector_source(), "");
}

TEST(pg_catalog_vector_source, an_empty_source_or_zero_dimension_is_refused) {
  CARTMATE_REQUIRE_PG_BINARIES();
  auto conninfo = testing::migrated_database();
  ASSERT_FALSE(conninfo.empty());
  pg::pg_catalog_store store{testing::quick_options(conninfo)};
  ASSERT_FALSE(store.vector_source("hashing", 256));
  EXPECT_TRUE(store.vector_source("", 256));
  EXPECT_TRUE(store.vector_source("hashing", 0));
  EXPECT_EQ(*store.vector_source(), "hashing") << "a refused write must leave the record alone";
}

}  // namespace
}  // namespace cartmate::stores
