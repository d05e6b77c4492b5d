// product_index_vectors_test.cpp — product_index built from precomputed (model) vectors of any
// dimension: build checks, ranking by a given query vector, lexical-only search without one,
// semantic matches when no word is shared, and similar items. Vectors are built here by hand.
#include "adapters/index/product_index.hpp"

#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "protocol/errors.hpp"

using namespace cartmate;
using namespace cartmate::index;
using ::testing::ElementsAre;

namespace {

constexpr size_t model_dim = 768;

protocol::product item(std::string id, std::string title, std::string type, int64_t price,
                       int32_t stock = 5) {
  protocol::product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.brand = "Acme";
  p.product_type = std::move(type);
  p.gender = "Men";
  p.price = {price, "INR"};
  p.stock = stock;
  return p;
}

// A vector pointing mostly along `axis`, with a little of `other` so no two are orthogonal.
std::vector<float> towards(size_t axis, size_t other = model_dim - 1, float mix = 0.2f) {
  std::vector<float> v(model_dim, 0.f);
  v[axis] = 1.f;
  v[other] += mix;
  return v;
}

std::vector<protocol::product> catalog() {
  return {
    item("road", "Acme Road Running Shoes", "running shoes", 300000),
    item("trail", "Acme Trail Running Shoes", "running shoes", 350000),
    item("sandal", "Acme Leather Sandals", "sandals", 150000),
    item("jacket", "Acme Rain Jacket", "jacket", 500000),
  };
}

// road and trail lie close together (axes 0 and 1 share axis 2), sandals on axis 3, the jacket far away.
std::vector<std::vector<float>> catalog_vectors() {
  return {towards(0, 2, 0.8f), towards(1, 2, 0.8f), towards(3, 2, 0.3f), towards(10)};
}

product_index build_model_index(index_options options = {}) {
  auto built = product_index::build_with_vectors(catalog(), catalog_vectors(), options);
  EXPECT_TRUE(built) << protocol::describe(built.error());
  return std::move(*built);
}

std::vector<std::string> ids(const protocol::search_result& r) {
  std::vector<std::string> out;
  for (const auto& p : r.products)
    out.push_back(p.id);
  return out;
}

TEST(ProductIndexVectors, TakesTheDimensionOfTheGivenVectors) {
  auto idx = build_model_index();
  EXPECT_EQ(idx.dim(), model_dim);
  EXPECT_TRUE(idx.has_model_vectors());
  auto v = idx.vector_of("sandal");
  ASSERT_TRUE(v);
  ASSERT_EQ(v->size(), model_dim);
  double norm = 0;
  for (float x : *v)
    norm += double{x} * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_GT((*v)[3], 0.9f);   // stored as given, normalised

  auto hashed = product_index::build(catalog(), size_t{64});
  ASSERT_TRUE(hashed);
  EXPECT_FALSE(hashed->has_model_vectors());
}

TEST(ProductIndexVectors, BuildRefusesMismatchedOrBrokenVectors) {
  auto fewer = catalog_vectors();
  fewer.pop_back();
  auto r1 = product_index::build_with_vectors(catalog(), fewer);
  ASSERT_FALSE(r1);
  EXPECT_EQ(protocol::errc_of(r1.error()), protocol::errc::invalid_argument);

  auto other_dim = catalog_vectors();
  other_dim[2].resize(384);
  auto r2 = product_index::build_with_vectors(catalog(), other_dim);
  ASSERT_FALSE(r2);
  EXPECT_THAT(protocol::describe(r2.error()), ::testing::HasSubstr("sandal"));
  EXPECT_THAT(protocol::describe(r2.error()), ::testing::HasSubstr("384"));

  auto empty = catalog_vectors();
  for (auto& v : empty)
    v.clear();
  EXPECT_FALSE(product_index::build_with_vectors(catalog(), empty));

  auto nan = catalog_vectors();
  nan[1][5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(product_index::build_with_vectors(catalog(), nan));

  auto dup = catalog();
  dup[3].id = "road";
  EXPECT_FALSE(product_index::build_with_vectors(dup, catalog_vectors()));
}

TEST(ProductIndexVectors, QueryVectorReordersTheLexicalMatches) {
  auto idx = build_model_index();
  // Both shoes contain every query word; the model's vector decides which comes first.
  auto near_trail = idx.search_with_vector("running shoes", towards(1, 2, 0.8f), {}, 10);
  ASSERT_TRUE(near_trail) << protocol::describe(near_trail.error());
  EXPECT_THAT(ids(*near_trail), ElementsAre("trail", "road"));
  auto near_road = idx.search_with_vector("running shoes", towards(0, 2, 0.8f), {}, 10);
  ASSERT_TRUE(near_road);
  EXPECT_THAT(ids(*near_road), ElementsAre("road", "trail"));
  EXPECT_GT(near_road->scores[0], near_road->scores[1]);
}

TEST(ProductIndexVectors, WithoutAQueryVectorSearchIsLexicalOnly) {
  auto idx = build_model_index();
  // "trail" appears only in one title: BM25 alone ranks it first whatever the vectors say.
  auto plain = idx.search("trail running shoes", {}, 10);
  ASSERT_TRUE(plain) << protocol::describe(plain.error());
  EXPECT_THAT(ids(*plain), ElementsAre("trail", "road"));
  auto empty_vector = idx.search_with_vector("trail running shoes", {}, {}, 10);
  ASSERT_TRUE(empty_vector);
  EXPECT_EQ(ids(*empty_vector), ids(*plain));
  EXPECT_EQ(empty_vector->scores, plain->scores);
  // No shared word and no vector: nothing matches (no semantic guess without the model).
  auto none = idx.search("sneakers", {}, 10);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->total_matches, 0u);
}

TEST(ProductIndexVectors, ModelVectorFindsProductsWithoutASharedWord) {
  auto idx = build_model_index();
  auto r = idx.search_with_vector("sneakers", towards(0, 2, 0.8f), {}, 2);
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_THAT(ids(*r), ElementsAre("road", "trail"));
  EXPECT_LE(r->total_matches, 20u);

  protocol::search_filters cheap;
  cheap.max_price_minor = 320000;   // trail costs more
  auto filtered = idx.search_with_vector("sneakers", towards(0, 2, 0.8f), cheap, 10);
  ASSERT_TRUE(filtered);
  for (const auto& p : filtered->products)
    EXPECT_LE(p.price.minor, 320000);
  EXPECT_EQ(ids(*filtered).front(), "road");

  index_options capped;
  capped.semantic_matches = 1;
  auto one = build_model_index(capped).search_with_vector("sneakers", towards(3), {}, 10);
  ASSERT_TRUE(one);
  EXPECT_THAT(ids(*one), ElementsAre("sandal"));

  index_options off;
  off.semantic_matches = 0;
  auto none = build_model_index(off).search_with_vector("sneakers", towards(3), {}, 10);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->total_matches, 0u);
}

TEST(ProductIndexVectors, QueryVectorOfAnotherDimensionIsAnError) {
  auto idx = build_model_index();
  auto r = idx.search_with_vector("running shoes", std::vector<float>(384, 0.1f), {}, 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), protocol::errc::invalid_argument);
  EXPECT_THAT(protocol::describe(r.error()), ::testing::HasSubstr("384"));
  auto inf = towards(0);
  inf[7] = std::numeric_limits<float>::infinity();
  EXPECT_FALSE(idx.search_with_vector("running shoes", inf, {}, 10));
  // A hashing index checks the same way.
  auto hashed = product_index::build(catalog(), size_t{64});
  ASSERT_TRUE(hashed);
  EXPECT_FALSE(hashed->search_with_vector("shoes", towards(0), {}, 10));
}

TEST(ProductIndexVectors, SimilarItemsFollowTheModelVectors) {
  auto idx = build_model_index();
  auto r = idx.similar("road", {}, 3);
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_THAT(ids(*r), ElementsAre("trail", "sandal", "jacket"));
}

TEST(ProductIndexVectors, StyleVectorHasTheModelDimension) {
  auto idx = build_model_index();
  auto style = towards(1, 2, 0.8f);
  auto r = idx.search("running shoes", {}, 10, 0, &style, 1.f);
  ASSERT_TRUE(r);
  EXPECT_EQ(ids(*r).front(), "trail");
  std::vector<float> short_style(64, 1.f);
  EXPECT_FALSE(idx.search("running shoes", {}, 10, 0, &short_style, 0.5f));
}

}  // namespace
