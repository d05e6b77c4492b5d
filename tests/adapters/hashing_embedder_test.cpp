// hashing_embedder_test.cpp — unit length, determinism, and that related texts land closer than
// unrelated ones.
#include "adapters/index/hashing_embedder.hpp"

#include <cmath>

#include <gtest/gtest.h>

using namespace cartmate::index;

namespace {

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += static_cast<double>(a[i]) * b[i];
  return s;
}

}  // namespace

TEST(HashingEmbedder, VectorsAreUnitLengthOfConfiguredDimension) {
  for (size_t dim : {16u, 256u, 1000u}) {
    hashing_embedder e{embedder_options{dim}};
    auto v = e.embed("Puma Men Black Running Shoes");
    ASSERT_EQ(v.size(), dim);
    EXPECT_NEAR(dot(v, v), 1.0, 1e-5);
  }
}

TEST(HashingEmbedder, EmptyTextGivesZeroVector) {
  hashing_embedder e;
  auto v = e.embed("  ,;  ");
  ASSERT_EQ(v.size(), e.dim());
  EXPECT_EQ(dot(v, v), 0.0);
}

TEST(HashingEmbedder, DeterministicAndWeightedFormAgrees) {
  hashing_embedder e;
  EXPECT_EQ(e.embed("blue denim jacket"), e.embed("blue denim jacket"));
  EXPECT_EQ(e.embed({{"blue denim jacket", 1.f}}), e.embed("blue denim jacket"));
}

TEST(HashingEmbedder, RepeatedWordsAreDampened) {
  hashing_embedder e;
  // "red" counted 8 times, "dress" once; alone, each has feature norm about 1.06. With raw
  // counts the cosine to "dress" would be 1/sqrt(1 + 8^2) = 0.12 and to "red" 0.99; with
  // 1 + ln(count) per feature "dress" keeps about a quarter of the vector.
  auto v = e.embed({{"red", 8.f}, {"dress", 1.f}});
  EXPECT_GT(dot(v, e.embed("dress")), 0.2);
  EXPECT_LT(dot(v, e.embed("red")), 0.95);
}

TEST(HashingEmbedder, SimilarTextsScoreHigherThanUnrelated) {
  hashing_embedder e;
  auto q = e.embed("black running shoes");
  auto close = e.embed("Men Black Running Shoe with mesh upper");
  auto far = e.embed("Gold-plated kundan jhumka earrings");
  EXPECT_GT(dot(q, close), dot(q, far) + 0.3);
  // Character n-grams make typos and inflections close.
  auto typo = e.embed("sneekers");
  EXPECT_GT(dot(typo, e.embed("sneakers")), dot(typo, e.embed("saree")));
  EXPECT_GT(dot(e.embed("kurtas"), e.embed("kurti")), dot(e.embed("kurtas"), e.embed("wallet")));
}
