// catalog_index_test.cpp — an indexed catalog stored as rows (products plus vectors) builds the
// same index back, and stored vectors that do not match the configuration are refused.
#include <gtest/gtest.h>

#include "adapters/stores/catalog_index.hpp"
#include "adapters/stores/memory_catalog_store.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores {
namespace {

std::vector<protocol::product> products() {
  std::vector<protocol::product> out;
  auto add = [&](const char* id, const char* title, const char* type, const char* colour,
                 int64_t price) {
    protocol::product p;
    p.id = id;
    p.title = title;
    p.product_type = type;
    p.colour = colour;
    p.brand = "Acme";
    p.gender = "Men";
    p.price = protocol::money{price, "INR"};
    p.stock = 3;
    out.push_back(p);
  };
  add("k1", "Acme Blue Cotton Kurta", "kurta", "blue", 99900);
  add("s1", "Acme Black Running Shoes", "running shoes", "black", 249900);
  add("k2", "Acme Red Silk Kurta", "kurta", "red", 149900);
  add("t1", "Acme White T-shirt", "tshirt", "white", 49900);
  return out;
}

index::index_options options(size_t dim) {
  index::index_options o;
  o.embedder.dim = dim;
  return o;
}

std::vector<std::string> ids_of(const protocol::search_result& r) {
  std::vector<std::string> out;
  for (const auto& p : r.products)
    out.push_back(p.id);
  return out;
}

TEST(catalog_index, stored_rows_build_the_same_index) {
  auto original = index::product_index::build(products(), options(64));
  ASSERT_TRUE(original);
  auto rows = catalog_rows_of(*original);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].embedding.size(), 64u);
  memory_catalog_store store;
  auto report = store.upsert(rows);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->stored, 4u);
  auto loaded = store.load_all();
  ASSERT_TRUE(loaded);
  auto rebuilt = build_index_from_rows(*loaded, options(64));
  ASSERT_TRUE(rebuilt) << protocol::describe(rebuilt.error());
  for (const char* query : {"kurta", "blue kurta", "running shoes", "tshirt"}) {
    auto a = original->search(query, {}, 10);
    auto b = rebuilt->search(query, {}, 10);
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(a->products.empty()) << query;
    EXPECT_EQ(ids_of(*a), ids_of(*b)) << query;
  }
  auto similar = rebuilt->similar("k1", {}, 3);
  ASSERT_TRUE(similar);
  EXPECT_EQ(ids_of(*similar), ids_of(*original->similar("k1", {}, 3)));
}

TEST(catalog_index, vectors_from_another_configuration_are_refused) {
  auto original = index::product_index::build(products(), options(64));
  ASSERT_TRUE(original);
  auto rows = catalog_rows_of(*original);
  auto other_dim = build_index_from_rows(rows, options(32));
  ASSERT_FALSE(other_dim);
  EXPECT_EQ(protocol::errc_of(other_dim.error()), protocol::errc::conflict);
  auto tampered = rows;
  tampered[2].embedding[5] += 0.01f;
  auto refused = build_index_from_rows(tampered, options(64));
  ASSERT_FALSE(refused);
  EXPECT_NE(protocol::describe(refused.error()).find("k2"), std::string::npos);
  EXPECT_FALSE(build_index_from_rows({}, options(64)));
}

}  // namespace
}  // namespace cartmate::stores
