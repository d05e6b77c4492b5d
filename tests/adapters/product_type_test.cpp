// product_type_test.cpp — the product-type rule on real Myntra titles, and agreement with the
// Python rule that wrote the demo catalog.
#include "adapters/catalog/product_type.hpp"

#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace cartmate::catalog;

TEST(ProductType, DerivedFromRealTitles) {
  struct example {
    const char* title;
    const char* type;
  };
  // Titles copied from the shared Myntra catalog.
  const example examples[] = {
    {"Sher Singh Men Fluorite Green and Blue Pitch Striper Sweater", "sweater"},
    {"Puma Women Black Textile Flyer Runner Engineer Knit Wn s Puma Bla Running Shoes",
     "running shoe"},
    {"Fastrack Men Black Dial Chronograph Watch 3072SM04", "watch"},
    {"SKAGEN MELBYE Women Black Analogue Watch SKW6006", "analogue watch"},
    {"Sera Women Blue Printed Kurta with Palazzos", "kurta"},
    {"Police Men Frozen Eau De Toilette 100 ml", "eau de toilette"},
    {"Vero Moda Grey Panelled Washed Slim Jeans", "jeans"},
    {"Evoke 1899 Mustard Yellow Flecked T-shirt", "t-shirt"},
    {"Batman featured Blue Tshirt for Men", "t-shirt"},
    {"Zaveri Pearls Gold-Toned Temple Jewellery Set", "jewellery set"},
    {"MIAH Decor Black Set", "set"},
    {"Revlon Super Lustrous Matte Lipstick - Seductive Sienna 015 4.2 g", "lipstick"},
    {"Krafted With Happiness Unisex Red & Orange Veere Rakhi", "rakhi"},
    {"Flying Machine Navy & White Checked Reversible Casual Shirt", "casual shirt"},
    {"Peter England Men Set of 2 Briefs PIWBBKGM9016001", "briefs"},
    {"Home Sparkle Set of 2 MDF Corner Wall Shelves", "shelf"},
  };
  for (const auto& e : examples)
    EXPECT_EQ(derive_product_type(e.title), e.type) << e.title;
}

TEST(ProductType, NothingLeftGivesEmpty) {
  EXPECT_EQ(derive_product_type(""), "");
  EXPECT_EQ(derive_product_type("123 456"), "");
}

TEST(ProductType, RowTypesNormalisedLikeDerivedOnes) {
  EXPECT_EQ(normalize_product_type("Running Shoes"), "running shoe");
  EXPECT_EQ(normalize_product_type("Tshirts"), "t-shirt");
  EXPECT_EQ(normalize_product_type("  Jeans "), "jeans");
}

// scripts/make_demo_catalog.py wrote each demo row's product_type with its own copy of the rule.
TEST(ProductType, DemoCatalogAgreesWithCppRule) {
  std::ifstream in{CARTMATE_SOURCE_DIR "/examples/catalog/demo_catalog.jsonl"};
  ASSERT_TRUE(in) << "demo catalog missing";
  std::string line;
  size_t rows = 0;
  while (std::getline(in, line)) {
    auto row = nlohmann::json::parse(line);
    EXPECT_EQ(derive_product_type(row.at("title").get<std::string>()),
              row.at("product_type").get<std::string>())
      << row.at("title");
    ++rows;
  }
  EXPECT_GT(rows, 0u);
}
