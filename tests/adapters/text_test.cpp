// text_test.cpp — the shared word normaliser: folding, singulars, tokens, UTF-8 validation.
#include "adapters/catalog/text.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace cartmate::catalog;
using ::testing::ElementsAre;

TEST(Text, FoldsCaseAndLatinAccents) {
  EXPECT_EQ(fold_lower("Café CRÈME"), "cafe creme");
  EXPECT_EQ(fold_lower("日本"), "日本");  // other scripts pass through
}

TEST(Text, SingularStripsPluralsButKeepsPluralOnlyNouns) {
  EXPECT_EQ(singular("shoes"), "shoe");
  EXPECT_EQ(singular("watches"), "watch");
  EXPECT_EQ(singular("dresses"), "dress");
  EXPECT_EQ(singular("accessories"), "accessory");
  EXPECT_EQ(singular("shelves"), "shelf");
  EXPECT_EQ(singular("jeans"), "jeans");
  EXPECT_EQ(singular("trousers"), "trousers");
  EXPECT_EQ(singular("dress"), "dress");
  EXPECT_EQ(singular("bus"), "bus");
}

TEST(Text, TokenizeJoinsHyphenPrefixesAndDropsNoise) {
  EXPECT_THAT(tokenize("Men's Black T-Shirts & Running SHOES"),
              ElementsAre("men", "black", "tshirt", "running", "shoe"));
  EXPECT_THAT(tokenize("Tee with a Gray collar"), ElementsAre("tshirt", "grey", "collar"));
  EXPECT_THAT(tokenize("  --  "), ElementsAre());
  EXPECT_THAT(tokenize("size 8 pack"), ElementsAre("size", "8", "pack"));
}

TEST(Text, CompactKeyKeepsLettersAndDigitsOnly) {
  EXPECT_EQ(compact_key("HERE&NOW"), "herenow");
  EXPECT_EQ(compact_key("U.S. Polo Assn."), "uspoloassn");
}

TEST(Text, ValidUtf8RejectsMalformedSequences) {
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("Café ₹ 😀"));
  EXPECT_FALSE(valid_utf8("\xC3"));            // truncated
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));        // overlong '/'
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));    // surrogate
  EXPECT_FALSE(valid_utf8("\xFF"));
}
