// catalog_loader_test.cpp — JSON Lines and CSV loading: field mapping, bad rows with their line
// numbers, duplicate ids, CSV quoting, progress, and the shipped and shared catalogs.
#include "adapters/catalog/catalog_loader.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "protocol/errors.hpp"

using namespace cartmate;
using namespace cartmate::catalog;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

load_report jsonl(const std::string& text, const load_options& opts = {}) {
  std::istringstream in{text};
  return load_jsonl(in, opts, text.size());
}

load_report csv(const std::string& text, const load_options& opts = {}) {
  std::istringstream in{text};
  auto r = load_csv(in, opts, text.size());
  EXPECT_TRUE(r) << protocol::describe(r.error());
  return r ? std::move(*r) : load_report{};
}

size_t count_nonblank_lines(const std::string& path) {
  std::ifstream in{path};
  std::string line;
  size_t n = 0;
  while (std::getline(in, line))
    n += line.find_first_not_of(" \t\r") != std::string::npos;
  return n;
}

}  // namespace

TEST(CatalogLoader, MapsJsonFields) {
  load_options opts;
  opts.default_currency = "EUR";
  opts.default_stock = 7;
  auto r = jsonl(
    R"({"id":"p1","title":"Puma Men Black Running Shoes","description":"Mesh upper","brand":"Puma",)"
    R"("gender":"Men","price":1299.5,"currency":"INR","color":"Black","sizes":["8"," 9 ",""],"stock":3})"
    "\n"
    R"({"id":42,"title":"Levis Blue Slim Jeans","price":2000,"sizes":"30, 32,34","product_type":"Denim Jeans"})"
    "\n",
    opts);
  ASSERT_TRUE(r.bad_rows.empty()) << r.bad_rows[0].reason;
  ASSERT_EQ(r.products.size(), 2u);
  const auto& a = r.products[0];
  EXPECT_EQ(a.id, "p1");
  EXPECT_EQ(a.brand, "Puma");
  EXPECT_EQ(a.gender, "Men");
  EXPECT_EQ(a.colour, "Black");
  EXPECT_EQ(a.description, "Mesh upper");
  EXPECT_EQ(a.price.minor, 129950);
  EXPECT_EQ(a.price.currency, "INR");
  EXPECT_EQ(a.stock, 3);
  EXPECT_THAT(a.sizes, ElementsAre("8", "9"));
  EXPECT_EQ(a.product_type, "running shoe");  // derived from the title
  const auto& b = r.products[1];
  EXPECT_EQ(b.id, "42");
  EXPECT_EQ(b.price.currency, "EUR");  // configured default
  EXPECT_EQ(b.stock, 7);               // configured default
  EXPECT_THAT(b.sizes, ElementsAre("30", "32", "34"));
  EXPECT_EQ(b.product_type, "denim jeans");  // given by the row, normalised
  EXPECT_EQ(r.rows_read, 2u);
}

TEST(CatalogLoader, BadJsonRowsAreSkippedWithLineNumbers) {
  std::string text =
    R"({"id":"ok1","title":"Good Shirt","price":10})" "\n"           // 1
    R"({"id":"x","title":"Broken",)" "\n"                             // 2 invalid JSON
    R"({"title":"No Id","price":10})" "\n"                            // 3
    R"({"id":"noname","price":10})" "\n"                              // 4
    R"({"id":"neg","title":"Negative","price":-5})" "\n"              // 5
    R"({"id":"str","title":"Priced In Words","price":"ten"})" "\n"    // 6
    R"({"id":"typ","title":123,"price":10})" "\n"                     // 7
    "{\"id\":\"utf\",\"title\":\"Bad \xC3\x28 bytes\",\"price\":10}\n"  // 8 invalid UTF-8
    "   \n"                                                           // 9 blank: not a row
    R"({"id":"ok2","title":"Good Top","price":5.25})" "\n"           // 10
    R"({"id":"stk","title":"Stock Minus","price":1,"stock":-1})" "\n"  // 11
    R"({"id":"siz","title":"Sizes Number","price":1,"sizes":7})" "\n"  // 12
    R"({"id":"nop","title":"No Price"})" "\n"                          // 13
    R"([1,2,3])" "\n";                                                 // 14
  auto r = jsonl(text);
  ASSERT_EQ(r.products.size(), 2u);
  EXPECT_EQ(r.products[0].id, "ok1");
  EXPECT_EQ(r.products[1].id, "ok2");
  EXPECT_EQ(r.products[1].price.minor, 525);
  EXPECT_EQ(r.rows_read, 13u);
  std::vector<size_t> lines;
  for (const auto& b : r.bad_rows)
    lines.push_back(b.line);
  EXPECT_THAT(lines, ElementsAre(2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14));
  EXPECT_THAT(r.bad_rows[0].reason, HasSubstr("invalid JSON"));
  EXPECT_EQ(r.bad_rows[1].reason, "missing id");
  EXPECT_EQ(r.bad_rows[2].reason, "missing title");
  EXPECT_EQ(r.bad_rows[3].reason, "negative price");
  EXPECT_EQ(r.bad_rows[4].reason, "price is not a number");
  EXPECT_EQ(r.bad_rows[5].reason, "title is not a string");
  EXPECT_EQ(r.bad_rows[6].reason, "invalid UTF-8");
  EXPECT_THAT(r.bad_rows[7].reason, HasSubstr("stock"));
  EXPECT_THAT(r.bad_rows[8].reason, HasSubstr("sizes"));
  EXPECT_EQ(r.bad_rows[9].reason, "missing price");
  EXPECT_EQ(r.bad_rows[10].reason, "row is not a JSON object");
}

TEST(CatalogLoader, MissingPriceAllowedWhenConfigured) {
  load_options opts;
  opts.require_price = false;
  auto r = jsonl(R"({"id":"a","title":"Navy Blue Kurta"})" "\n", opts);
  ASSERT_EQ(r.products.size(), 1u);
  EXPECT_EQ(r.products[0].price.minor, 0);
}

TEST(CatalogLoader, DuplicateIdUpdatesEarlierRowInPlace) {
  auto r = jsonl(R"({"id":"a","title":"Red Dress","price":100})" "\n"
                 R"({"id":"b","title":"Blue Dress","price":200})" "\n"
                 R"({"id":"a","title":"Red Dress","price":80,"stock":4})" "\n");
  ASSERT_EQ(r.products.size(), 2u);
  EXPECT_EQ(r.products[0].id, "a");
  EXPECT_EQ(r.products[0].price.minor, 8000);
  EXPECT_EQ(r.products[0].stock, 4);
  EXPECT_EQ(r.products[1].id, "b");
  EXPECT_EQ(r.duplicates, 1u);
  EXPECT_TRUE(r.bad_rows.empty());
}

TEST(CatalogLoader, CsvQuotingFollowsRfc4180) {
  std::string text =
    "\xEF\xBB\xBF" "id,Title,price,sizes,description,colour\r\n"                        // 1
    "1,\"Shirt, Formal\",999,\"S,M\",\"He said \"\"fine\"\"\",White\r\n"                // 2
    "2,Plain Tee,199.99,,\"two\r\nline\r\ndescription\",\r\n"                            // 3-5
    "3,Short Row,100\r\n"                                                               // 6
    "4,\"Quote\"x,1,,,\r\n"                                                             // 7
    "5,Trailing Comma Sizes,50,\"L,\",,Blue\r\n"                                        // 8
    "6,\"Never closed,1,,,\r\n";                                                        // 9
  auto r = csv(text);
  ASSERT_EQ(r.products.size(), 3u);
  EXPECT_EQ(r.products[0].title, "Shirt, Formal");
  EXPECT_THAT(r.products[0].sizes, ElementsAre("S", "M"));
  EXPECT_EQ(r.products[0].description, "He said \"fine\"");
  EXPECT_EQ(r.products[0].colour, "White");
  EXPECT_EQ(r.products[0].price.minor, 99900);
  EXPECT_EQ(r.products[1].description, "two\nline\ndescription");
  EXPECT_EQ(r.products[1].price.minor, 19999);
  EXPECT_EQ(r.products[1].product_type, "t-shirt");
  EXPECT_THAT(r.products[2].sizes, ElementsAre("L"));
  ASSERT_EQ(r.bad_rows.size(), 3u);
  EXPECT_EQ(r.bad_rows[0].line, 6u);
  EXPECT_THAT(r.bad_rows[0].reason, HasSubstr("expected 6 fields, got 3"));
  EXPECT_EQ(r.bad_rows[1].line, 7u);
  EXPECT_EQ(r.bad_rows[1].reason, "text after a closing quote");
  EXPECT_EQ(r.bad_rows[2].line, 9u);
  EXPECT_EQ(r.bad_rows[2].reason, "unterminated quoted field");
}

TEST(CatalogLoader, CsvBadValuesAreRowErrors) {
  auto r = csv("id,title,price,stock\n"
               "a,Ok,10,2\n"
               "b,Words,ten,1\n"
               "c,Neg,-1,1\n"
               ",No Id,1,1\n"
               "d,Stock,1,many\n");
  ASSERT_EQ(r.products.size(), 1u);
  EXPECT_EQ(r.products[0].stock, 2);
  ASSERT_EQ(r.bad_rows.size(), 4u);
  EXPECT_EQ(r.bad_rows[0].line, 3u);
  EXPECT_EQ(r.bad_rows[0].reason, "price is not a number");
  EXPECT_EQ(r.bad_rows[1].reason, "negative price");
  EXPECT_EQ(r.bad_rows[2].reason, "missing id");
  EXPECT_THAT(r.bad_rows[3].reason, HasSubstr("stock"));
}

TEST(CatalogLoader, CsvWithoutIdOrTitleColumnFails) {
  std::istringstream in{"name,price\nx,1\n"};
  auto r = load_csv(in);
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), protocol::errc::invalid_argument);
}

TEST(CatalogLoader, ReportsProgressUpToTotalBytes) {
  std::string text;
  for (int i = 0; i < 5; ++i)
    text += R"({"id":")" + std::to_string(i) + R"(","title":"Item Top","price":1})" "\n";
  std::vector<load_progress> seen;
  load_options opts;
  opts.progress_every = 2;
  opts.on_progress = [&](const load_progress& p) { seen.push_back(p); };
  auto r = jsonl(text, opts);
  EXPECT_EQ(r.products.size(), 5u);
  ASSERT_EQ(seen.size(), 3u);  // after rows 2 and 4, and at the end
  EXPECT_EQ(seen[0].rows_read, 2u);
  EXPECT_EQ(seen[1].rows_read, 4u);
  EXPECT_EQ(seen[2].rows_read, 5u);
  EXPECT_LT(seen[0].bytes_read, seen[1].bytes_read);
  EXPECT_EQ(seen[2].bytes_read, text.size());
  EXPECT_EQ(seen[2].total_bytes, text.size());
}

TEST(CatalogLoader, FileFormatChosenByExtension) {
  auto path = ::testing::TempDir() + "cartmate_catalog_test.csv";
  {
    std::ofstream out{path};
    out << "id,title,price\n1,\"Socks, 3 pack\",99\n";
  }
  auto r = load_catalog_file(path);
  std::remove(path.c_str());
  ASSERT_TRUE(r) << protocol::describe(r.error());
  ASSERT_EQ(r->products.size(), 1u);
  EXPECT_EQ(r->products[0].title, "Socks, 3 pack");
}

TEST(CatalogLoader, MissingFileIsNotFound) {
  auto r = load_catalog_file("/nonexistent/catalog.jsonl");
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), protocol::errc::not_found);
}

TEST(CatalogLoader, MinorUnitsRoundToNearest) {
  EXPECT_EQ(to_minor_units(1299.99), 129999);
  EXPECT_EQ(to_minor_units(19.999), 2000);
  EXPECT_EQ(to_minor_units(0.004), 0);
  EXPECT_EQ(to_minor_units(90), 9000);
}

TEST(CatalogLoader, DemoCatalogLoadsWithoutBadRows) {
  auto path = std::string{CARTMATE_SOURCE_DIR} + "/examples/catalog/demo_catalog.jsonl";
  auto r = load_catalog_file(path);
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_TRUE(r->bad_rows.empty()) << r->bad_rows.front().line << ": " << r->bad_rows.front().reason;
  EXPECT_EQ(r->duplicates, 0u);
  EXPECT_EQ(r->products.size(), count_nonblank_lines(path));
  EXPECT_LE(r->products.size(), 3000u);
  size_t sold_out = 0;
  for (const auto& p : r->products) {
    EXPECT_FALSE(p.product_type.empty()) << p.id;
    EXPECT_EQ(p.price.currency, "INR");
    EXPECT_GT(p.price.minor, 0);
    sold_out += p.stock == 0;
  }
  EXPECT_GT(sold_out, 0u);                   // explicit synthetic stock, some sold out
  EXPECT_LT(sold_out, r->products.size() / 2);
}

TEST(CatalogLoader, SharedMyntraCatalogLoadsCompletely) {
  auto path = std::string{CARTMATE_SHARED_DATA_DIR} + "/catalog/myntra_products_catalog.shared.jsonl";
  auto r = load_catalog_file(path);
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_TRUE(r->bad_rows.empty());
  EXPECT_EQ(r->products.size(), count_nonblank_lines(path));
}
