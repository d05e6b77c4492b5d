// bm25_index_test.cpp — lexical ranking sanity on a hand-made catalog, field weights, typos.
#include "adapters/index/bm25_index.hpp"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace cartmate;
using namespace cartmate::index;

namespace {

protocol::product item(std::string id, std::string title, std::string type, std::string colour,
                       std::string description = {}) {
  protocol::product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.product_type = std::move(type);
  p.colour = std::move(colour);
  p.description = std::move(description);
  p.brand = "Acme";
  return p;
}

std::vector<protocol::product> small_catalog() {
  return {
    item("white-run", "Acme White Running Shoes", "running shoe", "White",
         "Lightweight running shoes, black sole"),
    item("black-shirt", "Acme Black Formal Shirt", "formal shirt", "Black", "Cotton shirt"),
    item("black-run", "Acme Black Running Shoes", "running shoe", "Black",
         "Cushioned running shoes for daily runs"),
    item("belt", "Acme Brown Leather Belt", "belt", "Brown", "Goes with black or brown shoes"),
    item("black-sneaker", "Acme Black Sneakers", "sneaker", "Black", "Casual shoes"),
    item("kurta", "Acme Blue Kurta", "kurta", "Blue", "Straight kurta"),
  };
}

std::vector<size_t> ranking(const bm25_index& idx, std::string_view query) {
  std::vector<float> scores(idx.size(), 0.f);
  std::vector<uint32_t> touched;
  idx.score(query, scores, touched);
  std::vector<size_t> order;
  for (auto d : touched)
    order.push_back(d);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

TEST(Bm25Index, BlackRunningShoeRanksFirst) {
  auto catalog = small_catalog();
  bm25_index idx;
  idx.build(catalog);
  auto order = ranking(idx, "black running shoes");
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(catalog[order[0]].id, "black-run");
  EXPECT_EQ(catalog[order[1]].id, "white-run");
  // The kurta shares no word with the query and is not touched at all.
  EXPECT_EQ(std::count_if(order.begin(), order.end(),
                          [&](size_t d) { return catalog[d].id == "kurta"; }), 0);
}

TEST(Bm25Index, ScoresAccumulateOnlyOverTouchedDocuments) {
  auto catalog = small_catalog();
  bm25_index idx;
  idx.build(catalog);
  std::vector<float> scores(idx.size(), 0.f);
  std::vector<uint32_t> touched;
  EXPECT_EQ(idx.score("kurta", scores, touched), 1u);
  ASSERT_EQ(touched.size(), 1u);
  EXPECT_EQ(catalog[touched[0]].id, "kurta");
  for (size_t d = 0; d < scores.size(); ++d)
    EXPECT_EQ(scores[d] > 0.f, d == touched[0]);
  touched.clear();
  EXPECT_EQ(idx.score("zzzz qqqq", scores, touched), 0u);
  EXPECT_TRUE(touched.empty());
}

TEST(Bm25Index, TitleOutweighsDescription) {
  std::vector<protocol::product> catalog = {
    item("desc", "Acme Grey Trousers", "trousers", "Grey", "pairs well with a linen blazer"),
    item("title", "Acme Linen Blazer", "blazer", "Grey", "single-breasted"),
  };
  bm25_index idx;
  idx.build(catalog);
  auto order = ranking(idx, "linen");
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(catalog[order[0]].id, "title");
}

TEST(Bm25Index, TyposMatchTheLikeliestCatalogWord) {
  auto catalog = small_catalog();
  bm25_index idx;
  idx.build(catalog);
  EXPECT_THAT(idx.corrections("sneeker"), ::testing::ElementsAre("sneaker"));
  EXPECT_THAT(idx.corrections("sneaker"), ::testing::ElementsAre());  // a known word
  EXPECT_THAT(idx.corrections("xyz"), ::testing::ElementsAre());      // too short to guess
  auto order = ranking(idx, "blak sneekers");
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(catalog[order[0]].id, "black-sneaker");
}
