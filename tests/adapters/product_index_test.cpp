// product_index_test.cpp — filters, hybrid ranking, exact top-k against a full sort, similar
// items against brute-force cosine, and live updates.
#include "adapters/index/product_index.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/catalog/catalog_loader.hpp"
#include "protocol/errors.hpp"

using namespace cartmate;
using namespace cartmate::index;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

namespace {

protocol::product item(std::string id, std::string title, std::string brand, std::string type,
                       std::string gender, std::string colour, int64_t price, int32_t stock,
                       std::vector<std::string> sizes = {}) {
  protocol::product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.brand = std::move(brand);
  p.product_type = std::move(type);
  p.gender = std::move(gender);
  p.colour = std::move(colour);
  p.price = {price, "INR"};
  p.stock = stock;
  p.sizes = std::move(sizes);
  return p;
}

std::vector<protocol::product> hand_catalog() {
  return {
    item("run-black", "Puma Men Black Running Shoes", "Puma", "running shoe", "Men", "Black",
         350000, 5, {"8", "9", "10"}),
    item("run-white", "Puma Women White Running Shoes", "Puma", "running shoe", "Women", "White",
         300000, 0, {"5", "6"}),
    item("sneaker-uni", "Roadster Unisex Blue Sneakers", "Roadster", "sneaker", "Unisex", "Blue",
         150000, 3),
    item("shirt-formal", "Arrow Men Blue Formal Shirt", "Arrow", "formal shirt", "Men", "Blue",
         180000, 4, {"M", "L"}),
    item("shirt-dress", "Park Avenue Women Blue Shirt Dress", "Park Avenue", "shirt dress",
         "Women", "Blue", 220000, 2, {"S", "M"}),
    item("kurta-nocolour", "W Women Yellow Printed Kurta", "W", "kurta", "Women", "", 90000, 6),
    item("redtape", "Red Tape Men Brown Leather Loafers", "Red Tape", "loafer", "Men", "Brown",
         250000, 1),
    item("kids-tee", "HERE&NOW Boys Navy Blue T-shirt", "HERE&NOW", "t-shirt", "Unisex Kids",
         "Navy Blue", 50000, 9, {"S"}),
    item("jacket-yellow", "Roadster Men Black & Yellow Striped Jacket", "Roadster", "jacket",
         "Men", "Black", 270000, 2),
  };
}

std::vector<std::string> ids(const protocol::search_result& r) {
  std::vector<std::string> out;
  for (const auto& p : r.products)
    out.push_back(p.id);
  return out;
}

product_index build_hand() {
  auto idx = product_index::build(hand_catalog(), 64);
  EXPECT_TRUE(idx) << protocol::describe(idx.error());
  return std::move(*idx);
}

// Browses with `f` and returns the ids of every product passing.
std::vector<std::string> browse(const product_index& idx, const protocol::search_filters& f) {
  auto r = idx.search("", f, 100);
  EXPECT_TRUE(r) << protocol::describe(r.error());
  return r ? ids(*r) : std::vector<std::string>{};
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += static_cast<double>(a[i]) * b[i];
  return s;
}

}  // namespace

TEST(ProductIndex, BuildRejectsDuplicateIdsAndZeroDimension) {
  auto dup = hand_catalog();
  dup.push_back(dup.front());
  auto a = product_index::build(dup, 64);
  ASSERT_FALSE(a);
  EXPECT_EQ(protocol::errc_of(a.error()), protocol::errc::invalid_argument);
  EXPECT_FALSE(product_index::build(hand_catalog(), 0));
}

TEST(ProductIndex, HybridSearchRanksTheBestMatchFirst) {
  auto idx = build_hand();
  auto r = idx.search("black running shoes", {}, 3);
  ASSERT_TRUE(r);
  ASSERT_FALSE(r->products.empty());
  EXPECT_EQ(r->products[0].id, "run-black");
  EXPECT_EQ(r->scores.size(), r->products.size());
  EXPECT_TRUE(std::is_sorted(r->scores.rbegin(), r->scores.rend()));
  EXPECT_GE(r->total_matches, 2u);
  EXPECT_LE(r->products.size(), 3u);
}

TEST(ProductIndex, QueryWithNoKnownWordMatchesNothing) {
  auto idx = build_hand();
  auto r = idx.search("qwxz zzyzx", {}, 10);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total_matches, 0u);
  EXPECT_TRUE(r->products.empty());
}

TEST(ProductIndex, PriceRangeFilter) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.min_price_minor = 150000;
  f.max_price_minor = 220000;
  EXPECT_THAT(browse(idx, f), UnorderedElementsAre("sneaker-uni", "shirt-formal", "shirt-dress"));
  f.min_price_minor = 300000;
  f.max_price_minor = 100000;
  auto bad = idx.search("", f, 10);
  ASSERT_FALSE(bad);
  EXPECT_EQ(protocol::errc_of(bad.error()), protocol::errc::invalid_argument);
}

TEST(ProductIndex, ColourFilterUsesFieldOrTitleWhenFieldMissing) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.colour = "BLUE";
  // "Navy Blue" contains blue; the loafers' brand "Red Tape" never makes them red.
  EXPECT_THAT(browse(idx, f),
              UnorderedElementsAre("sneaker-uni", "shirt-formal", "shirt-dress", "kids-tee"));
  f.colour = "yellow";  // only in the title of the kurta, whose colour field is empty
  EXPECT_THAT(browse(idx, f), ElementsAre("kurta-nocolour"));
  f.colour = "red";
  EXPECT_THAT(browse(idx, f), ElementsAre());
  f.colour = "navy blue";
  EXPECT_THAT(browse(idx, f), ElementsAre("kids-tee"));
}

TEST(ProductIndex, GenderFilterIncludesUnisexItems) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.gender = "women";
  EXPECT_THAT(browse(idx, f),
              UnorderedElementsAre("run-white", "sneaker-uni", "shirt-dress", "kurta-nocolour"));
  f.gender = "Boys";
  EXPECT_THAT(browse(idx, f), ElementsAre("kids-tee"));
  f.gender = "unisex";
  EXPECT_THAT(browse(idx, f), ElementsAre("sneaker-uni"));
}

TEST(ProductIndex, BrandFilterIgnoresCaseAndPunctuation) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.brand = "here & now";
  EXPECT_THAT(browse(idx, f), ElementsAre("kids-tee"));
  f.brand = "puma";
  EXPECT_THAT(browse(idx, f), UnorderedElementsAre("run-black", "run-white"));
  f.brand = "nike";
  EXPECT_THAT(browse(idx, f), ElementsAre());
}

TEST(ProductIndex, ProductTypeFilterMatchesTheHeadWord) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.product_type = "Shoes";
  EXPECT_THAT(browse(idx, f), UnorderedElementsAre("run-black", "run-white"));
  f.product_type = "shirt";  // a shirt dress is a dress
  EXPECT_THAT(browse(idx, f), ElementsAre("shirt-formal"));
  f.product_type = "dresses";
  EXPECT_THAT(browse(idx, f), ElementsAre("shirt-dress"));
  f.product_type = "T-Shirts";
  EXPECT_THAT(browse(idx, f), ElementsAre("kids-tee"));
  f.product_type = "formal shoes";
  EXPECT_THAT(browse(idx, f), ElementsAre());
}

TEST(ProductIndex, SizeFilterAppliesWhereSizesAreKnown) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.size = "m";
  auto got = browse(idx, f);
  EXPECT_THAT(got, ::testing::Contains("shirt-formal"));
  EXPECT_THAT(got, ::testing::Contains("shirt-dress"));
  EXPECT_THAT(got, ::testing::Contains("sneaker-uni"));  // no size data: not ruled out
  EXPECT_THAT(got, ::testing::Not(::testing::Contains("run-black")));
  EXPECT_THAT(got, ::testing::Not(::testing::Contains("kids-tee")));
}

TEST(ProductIndex, InStockOnlyFilter) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.in_stock_only = true;
  auto got = browse(idx, f);
  EXPECT_EQ(got.size(), hand_catalog().size() - 1);
  EXPECT_THAT(got, ::testing::Not(::testing::Contains("run-white")));
}

TEST(ProductIndex, ExcludedColoursRuleOutFieldAndTitleMentions) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.exclude_colours = {"Yellow", "white"};
  auto got = browse(idx, f);
  EXPECT_THAT(got, ::testing::Not(::testing::Contains("kurta-nocolour")));  // title says yellow
  EXPECT_THAT(got, ::testing::Not(::testing::Contains("jacket-yellow")));   // title says yellow
  EXPECT_THAT(got, ::testing::Not(::testing::Contains("run-white")));       // field says white
  EXPECT_EQ(got.size(), hand_catalog().size() - 3);
  f.exclude_colours = {"red"};  // "Red Tape" is a brand, not a colour
  EXPECT_THAT(browse(idx, f), ::testing::Contains("redtape"));
}

TEST(ProductIndex, FiltersCombineWithAQuery) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.gender = "men";
  f.max_price_minor = 200000;
  auto r = idx.search("blue shirt", f, 10);
  ASSERT_TRUE(r);
  EXPECT_EQ(ids(*r).front(), "shirt-formal");
  for (const auto& p : r->products) {
    EXPECT_LE(p.price.minor, 200000);
    EXPECT_THAT(p.gender, ::testing::AnyOf("Men", "Unisex"));
  }
}

TEST(ProductIndex, BrowseListsInStockFirstThenCheapest) {
  auto idx = build_hand();
  auto r = idx.search("", {}, 100);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->products.size(), hand_catalog().size());
  EXPECT_EQ(r->products.back().id, "run-white");  // the only sold-out item
  for (size_t k = 1; k + 1 < r->products.size(); ++k)
    EXPECT_LE(r->products[k - 1].price.minor, r->products[k].price.minor);
}

TEST(ProductIndex, StyleVectorReordersMatches) {
  auto idx = build_hand();
  auto style = idx.vector_of("shirt-dress");
  ASSERT_TRUE(style);
  auto plain = idx.search("blue", {}, 10);
  auto styled = idx.search("blue", {}, 10, 0, &*style, 1.f);
  ASSERT_TRUE(plain && styled);
  EXPECT_EQ(styled->products.front().id, "shirt-dress");
  EXPECT_EQ(plain->total_matches, styled->total_matches);  // taste reorders, never filters
  std::vector<float> wrong(idx.dim() + 1, 0.1f);
  EXPECT_FALSE(idx.search("blue", {}, 10, 0, &wrong, 0.5f));
  EXPECT_FALSE(idx.search("blue", {}, 10, 0, &*style, 1.5f));
}

TEST(ProductIndex, GetFindAndVectorOf) {
  auto idx = build_hand();
  auto p = idx.get("kids-tee");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->title, "HERE&NOW Boys Navy Blue T-shirt");
  EXPECT_NE(idx.find("kids-tee"), nullptr);
  EXPECT_EQ(idx.find("nope"), nullptr);
  EXPECT_EQ(protocol::errc_of(idx.get("nope").error()), protocol::errc::not_found);
  auto v = idx.vector_of("kids-tee");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->size(), idx.dim());
  EXPECT_NEAR(dot(*v, *v), 1.0, 1e-5);
  EXPECT_FALSE(idx.vector_of("nope"));
}

TEST(ProductIndex, UpdateChangesFilteredResultsAndReturnsOldValues) {
  auto idx = build_hand();
  protocol::search_filters f;
  f.max_price_minor = 200000;
  f.in_stock_only = true;
  EXPECT_THAT(browse(idx, f), ::testing::Not(::testing::Contains("run-white")));
  auto change = idx.update("run-white", 199900, 4);
  ASSERT_TRUE(change);
  EXPECT_EQ(change->old_price_minor, 300000);
  EXPECT_EQ(change->old_stock, 0);
  EXPECT_EQ(change->after.price.minor, 199900);
  EXPECT_EQ(change->after.stock, 4);
  EXPECT_THAT(browse(idx, f), ::testing::Contains("run-white"));
  auto r = idx.search("running shoes", f, 10);
  ASSERT_TRUE(r);
  EXPECT_THAT(ids(*r), ElementsAre("run-white"));
  // Negative values leave a field alone.
  auto again = idx.update("run-white", -1, 0);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->after.price.minor, 199900);
  EXPECT_EQ(again->after.stock, 0);
  EXPECT_THAT(browse(idx, f), ::testing::Not(::testing::Contains("run-white")));
  EXPECT_EQ(protocol::errc_of(idx.update("nope", 1, 1).error()), protocol::errc::not_found);
}

// --- on the demo catalog ----------------------------------------------------------------------

class DemoIndex : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    auto report = catalog::load_catalog_file(CARTMATE_SOURCE_DIR
                                             "/examples/catalog/demo_catalog.jsonl");
    ASSERT_TRUE(report);
    auto built = product_index::build(std::move(report->products));
    ASSERT_TRUE(built);
    index_ = new product_index(std::move(*built));
  }

  static void TearDownTestSuite() {
    delete index_;
    index_ = nullptr;
  }

  static product_index* index_;
};

product_index* DemoIndex::index_ = nullptr;

TEST_F(DemoIndex, TopKPagesEqualAFullSortOfAllMatches) {
  const auto& idx = *index_;
  std::vector<std::pair<std::string, protocol::search_filters>> cases;
  cases.emplace_back("black running shoes", protocol::search_filters{});
  protocol::search_filters women;
  women.gender = "women";
  women.max_price_minor = 250000;
  cases.emplace_back("printed kurta", women);
  protocol::search_filters stock;
  stock.in_stock_only = true;
  stock.exclude_colours = {"red"};
  cases.emplace_back("blue", stock);
  cases.emplace_back("", women);  // browse
  cases.emplace_back("watch", protocol::search_filters{});
  auto style = *idx.vector_of(idx.products()[7].id);
  for (const auto& [query, filters] : cases) {
    for (float sw : {0.f, 0.4f}) {
      auto all = idx.rank_all(query, filters, &style, sw);
      ASSERT_TRUE(all);
      ASSERT_GT(all->size(), 30u) << query;
      auto sorted = *all;
      std::sort(sorted.begin(), sorted.end(), ranks_before);
      for (size_t offset : {0u, 10u, 25u}) {
        auto page = idx.search(query, filters, 10, offset, &style, sw);
        ASSERT_TRUE(page);
        EXPECT_EQ(page->total_matches, all->size());
        ASSERT_EQ(page->products.size(), std::min<size_t>(10, all->size() - offset));
        for (size_t k = 0; k < page->products.size(); ++k) {
          EXPECT_EQ(page->products[k].id, idx.products()[sorted[offset + k].index].id)
            << query << " rank " << offset + k;
          EXPECT_EQ(page->scores[k], sorted[offset + k].score);
        }
      }
    }
  }
}

TEST_F(DemoIndex, FilterOnlyCountMatchesBruteForce) {
  const auto& idx = *index_;
  protocol::search_filters f;
  f.gender = "Women";
  f.max_price_minor = 150000;
  f.in_stock_only = true;
  size_t expected = 0;
  for (const auto& p : idx.products())
    expected += (p.gender == "Women" || p.gender == "Unisex") && p.price.minor <= 150000
                && p.stock > 0;
  auto r = idx.search("", f, 5);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total_matches, expected);
  EXPECT_GT(expected, 0u);
}

TEST_F(DemoIndex, SimilarEqualsBruteForceCosineAndExcludesItself) {
  const auto& idx = *index_;
  for (size_t pick : {0u, 500u, 2000u}) {
    const auto& self = idx.products()[pick];
    auto q = *idx.vector_of(self.id);
    std::vector<double> cos;
    for (const auto& p : idx.products())
      cos.push_back(p.id == self.id ? -2.0 : dot(q, *idx.vector_of(p.id)));
    auto best = cos;
    std::sort(best.rbegin(), best.rend());
    auto r = idx.similar(self.id, {}, 10);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->total_matches, idx.size() - 1);
    ASSERT_EQ(r->products.size(), 10u);
    for (size_t k = 0; k < 10; ++k) {
      EXPECT_NE(r->products[k].id, self.id);
      EXPECT_NEAR(r->scores[k], best[k], 1e-4) << "rank " << k;  // the k-th best cosine
      auto at = std::find_if(idx.products().begin(), idx.products().end(),
                             [&](const auto& p) { return p.id == r->products[k].id; });
      EXPECT_NEAR(r->scores[k], cos[static_cast<size_t>(at - idx.products().begin())], 1e-4);
    }
  }
  EXPECT_EQ(protocol::errc_of(idx.similar("no-such-id", {}, 5).error()), protocol::errc::not_found);
}

TEST_F(DemoIndex, SimilarRespectsFilters) {
  const auto& idx = *index_;
  protocol::search_filters f;
  f.max_price_minor = 100000;
  f.in_stock_only = true;
  auto r = idx.similar(idx.products()[10].id, f, 20);
  ASSERT_TRUE(r);
  ASSERT_FALSE(r->products.empty());
  for (const auto& p : r->products) {
    EXPECT_LE(p.price.minor, 100000);
    EXPECT_GT(p.stock, 0);
  }
}
