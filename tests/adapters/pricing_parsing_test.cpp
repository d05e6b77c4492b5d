// pricing_parsing_test.cpp — the pure parts of adapters/pricing: JSON paths, amounts and
// currency conversion, the retailer configuration, reading retailer answers (the fixture files),
// the local offers file (and the embedded default) and the offer cache's time-to-live.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/pricing/currency.hpp"
#include "adapters/pricing/json_path.hpp"
#include "adapters/pricing/local_offers.hpp"
#include "adapters/pricing/offer_cache.hpp"
#include "adapters/pricing/pricing_settings.hpp"
#include "adapters/pricing/retailer_answer.hpp"
#include "adapters/pricing/retailer_config.hpp"
#include "protocol/errors.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::pricing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using protocol::errc;

std::string fixture(const std::string& name) {
  auto text = testing::read_text_file(std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/pricing/"
                                      + name);
  EXPECT_TRUE(text.has_value()) << name;
  return text.value_or("");
}

/// The fixture retailer configuration with its {port} filled in, as the agent tests do.
json retailers_doc() {
  auto text = fixture("retailers.json");
  for (auto at = text.find("{port}"); at != std::string::npos; at = text.find("{port}"))
    text.replace(at, 6, "8081");
  return json::parse(text);
}

json_path path(const char* text) {
  auto p = json_path::parse(text);
  EXPECT_TRUE(p) << text;
  return p ? *p : json_path{};
}

// -- JSON paths ----------------------------------------------------------------------------------

TEST(json_path, finds_keys_and_indices) {
  auto doc = json::parse(R"({"a": {"b": [{"c": 1}, {"c": 2}]}, "list": [[5, 6]]})");
  EXPECT_EQ(*path("a.b[1].c").find(doc), 2);
  EXPECT_EQ(*path("a.b[0].c").find(doc), 1);
  EXPECT_EQ(*path("list[0][1]").find(doc), 6);
  auto top = json::parse(R"([{"price": 7}])");
  EXPECT_EQ(*path("[0].price").find(top), 7);
}

TEST(json_path, missing_steps_and_wrong_kinds_find_nothing) {
  auto doc = json::parse(R"({"a": {"b": [1]}})");
  EXPECT_EQ(path("a.x").find(doc), nullptr);
  EXPECT_EQ(path("a.b[3]").find(doc), nullptr);
  EXPECT_EQ(path("a[0]").find(doc), nullptr);       // a is an object
  EXPECT_EQ(path("a.b.c").find(doc), nullptr);      // b is an array
  EXPECT_EQ(json_path{}.find(doc), nullptr);
}

TEST(json_path, malformed_paths_are_refused) {
  for (const char* bad : {"a..b", ".a", "a.", "a[x]", "a[", "a]", "a[]", "a[0]b"}) {
    auto p = json_path::parse(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(protocol::errc_of(p.error()), errc::invalid_argument) << bad;
  }
}

// -- amounts and currencies -------------------------------------------------------------------------

TEST(currency, parses_amounts_exactly) {
  EXPECT_EQ(*parse_amount_text("1,299.50", 2), 129950);
  EXPECT_EQ(*parse_amount_text(" 12.5 ", 2), 1250);
  EXPECT_EQ(*parse_amount_text("1299", 2), 129900);
  EXPECT_EQ(*parse_amount_text("1299", 0), 1299);
  EXPECT_EQ(*parse_amount(json::parse("1249.5"), 2), 124950);
  EXPECT_EQ(*parse_amount(json::parse("0.29"), 2), 29);   // not 28 from binary rounding
  EXPECT_EQ(*parse_amount(json::parse("15"), 2), 1500);
  EXPECT_EQ(*parse_amount(json::parse("\"7.25\""), 2), 725);
}

TEST(currency, refuses_what_is_not_a_price) {
  for (const char* bad : {"", "abc", "-5", "1e3", "12.345", "1.2.3", "₹100", "99999999999999999"})
    EXPECT_FALSE(parse_amount_text(bad, 2)) << bad;
  EXPECT_FALSE(parse_amount(json::parse("0"), 2));
  EXPECT_FALSE(parse_amount(json::parse("-3.5"), 2));
  EXPECT_FALSE(parse_amount(json::parse("true"), 2));
  EXPECT_FALSE(parse_amount(json::parse("null"), 2));
  EXPECT_FALSE(parse_amount(json::parse("[1]"), 2));
}

TEST(currency, minor_digits_follow_iso_4217) {
  EXPECT_EQ(minor_digits("INR"), 2);
  EXPECT_EQ(minor_digits("JPY"), 0);
  EXPECT_EQ(minor_digits("KWD"), 3);
}

TEST(currency, converts_to_the_base_currency) {
  rate_table rates{"INR"};
  ASSERT_FALSE(rates.set("USD", 83.0));
  ASSERT_FALSE(rates.set("JPY", 0.56));
  EXPECT_EQ(rates.to_base({1549, "USD"})->minor, 128567);   // 15.49 * 83 = 1285.67
  EXPECT_EQ(rates.to_base({1549, "USD"})->currency, "INR");
  EXPECT_EQ(rates.to_base({1000, "JPY"})->minor, 56000);    // JPY has no minor unit
  EXPECT_EQ(rates.to_base({4200, "INR"})->minor, 4200);
  auto unknown = rates.to_base({1199, "GBP"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(protocol::errc_of(unknown.error()), errc::unsupported);
  EXPECT_EQ(reason_of(unknown.error()), "quoted in GBP, which has no rate to INR");
}

TEST(currency, rate_tables_refuse_bad_rates) {
  EXPECT_FALSE(rate_table::from_json(json::parse(R"({"usd": 83})"), "INR"));
  EXPECT_FALSE(rate_table::from_json(json::parse(R"({"USD": 0})"), "INR"));
  EXPECT_FALSE(rate_table::from_json(json::parse(R"({"USD": "83"})"), "INR"));
  EXPECT_FALSE(rate_table::from_json(json::parse(R"([83])"), "INR"));
  auto ok = rate_table::from_json(json::parse(R"({"EUR": 90.5})"), "INR");
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->knows("EUR"));
  EXPECT_TRUE(ok->knows("INR"));
  EXPECT_FALSE(ok->knows("USD"));
}

// -- retailer configuration --------------------------------------------------------------------------

TEST(retailer_config, reads_the_fixture_configuration) {
  auto doc = retailers_doc();
  auto cfg = parse_pricing_config(doc, "INR", 500ms);
  ASSERT_TRUE(cfg) << protocol::describe(cfg.error());
  ASSERT_EQ(cfg->retailers.size(), 3u);
  const auto& b = cfg->retailers[1];
  EXPECT_EQ(b.name, "shop-b");
  EXPECT_EQ(b.kind, retailer_kind::http);
  EXPECT_EQ(b.price_path.text(), "items[0].amount");
  EXPECT_EQ(b.timeout, 2000ms);
  EXPECT_EQ(b.currency, "INR");                      // the catalog's when not given
  EXPECT_EQ(cfg->retailers[2].currency, "USD");
  EXPECT_TRUE(needs_query(b));
  EXPECT_FALSE(needs_query(cfg->retailers[0]));
  EXPECT_TRUE(cfg->rates.knows("USD"));
}

TEST(retailer_config, default_timeout_and_local_kind) {
  auto doc = json::parse(R"({"retailers": [
      {"name": "x", "url": "https://x.example/{product_id}", "price_path": "p"},
      {"name": "offline", "kind": "local", "file": "offers.json"}]})");
  auto cfg = parse_pricing_config(doc, "INR", 321ms);
  ASSERT_TRUE(cfg) << protocol::describe(cfg.error());
  EXPECT_EQ(cfg->retailers[0].timeout, 321ms);
  EXPECT_EQ(cfg->retailers[1].kind, retailer_kind::local);
  EXPECT_EQ(cfg->retailers[1].offers_file, "offers.json");
}

TEST(retailer_config, bad_retailers_are_named) {
  struct bad_case {
    const char* doc;
    const char* says;
  };
  const bad_case cases[] = {
    {R"({"retailers": [{"url": "http://x/{product_id}", "price_path": "p"}]})", "needs a name"},
    {R"({"retailers": [{"name": "x", "url": "ftp://x/{product_id}", "price_path": "p"}]})",
     "http://"},
    {R"({"retailers": [{"name": "x", "url": "http://x/{sku}", "price_path": "p"}]})",
     "unknown placeholder"},
    {R"({"retailers": [{"name": "x", "url": "http://x/all", "price_path": "p"}]})",
     "neither"},
    {R"({"retailers": [{"name": "x", "url": "http://x/{product_id}"}]})", "needs a price_path"},
    {R"({"retailers": [{"name": "x", "url": "http://x/{product_id}", "price_path": "a..b"}]})",
     "bad JSON path"},
    {R"({"retailers": [{"name": "x", "url": "http://x/{product_id}", "price_path": "p",
                        "timeout_ms": 0}]})", "timeout_ms"},
    {R"({"retailers": [{"name": "x", "url": "http://x/{product_id}", "price_path": "p",
                        "colour": "red"}]})", "unknown key 'colour'"},
    {R"({"retailers": [{"name": "x", "kind": "ftp"}]})", "kind must be"},
    {R"({"retailers": [{"name": "x", "kind": "local"}, {"name": "x", "kind": "local"}]})",
     "two retailers are named 'x'"},
    {R"({"retailers": [{"name": "x", "kind": "local", "currency": "rupees"}]})",
     "three-letter"},
    {R"({"shops": []})", "unknown key 'shops'"},
  };
  for (const auto& c : cases) {
    auto cfg = parse_pricing_config(json::parse(c.doc), "INR", 500ms);
    ASSERT_FALSE(cfg) << c.doc;
    EXPECT_NE(reason_of(cfg.error()).find(c.says), std::string::npos)
      << reason_of(cfg.error()) << " should say " << c.says;
  }
}

TEST(retailer_config, placeholders_are_url_escaped) {
  EXPECT_EQ(expand_url("http://x/p/{product_id}?q={query}", "a/b c", "Blue Kurta & Co."),
            "http://x/p/a%2Fb%20c?q=Blue%20Kurta%20%26%20Co.");
  EXPECT_EQ(url_escape("Ä-_.~"), "%C3%84-_.~");
}

// -- retailer answers -------------------------------------------------------------------------------

struct answers : ::testing::Test {
  pricing_config cfg;

  void SetUp() override {
    auto parsed = parse_pricing_config(retailers_doc(), "INR", 500ms);
    ASSERT_TRUE(parsed);
    cfg = std::move(*parsed);
  }

  const retailer_config& shop(size_t i) const { return cfg.retailers[i]; }
};

TEST_F(answers, reads_each_fixture_shape) {
  auto a = read_retailer_answer(shop(0), 200, fixture("shop_a.json"));
  ASSERT_TRUE(a && *a) << reason_of(a.error());
  EXPECT_EQ((*a)->quoted.minor, 119900);
  EXPECT_EQ((*a)->quoted.currency, "INR");
  EXPECT_EQ((*a)->url, "https://shop-a.example/p/kurta");
  EXPECT_TRUE((*a)->in_stock);
  EXPECT_EQ((*a)->retailer, "shop-a");

  auto b = read_retailer_answer(shop(1), 200, fixture("shop_b.json"));
  ASSERT_TRUE(b && *b) << reason_of(b.error());
  EXPECT_EQ((*b)->quoted.minor, 124950);
  EXPECT_EQ((*b)->quoted.currency, "INR");   // "inr" in the answer
  EXPECT_TRUE((*b)->in_stock);               // 3 units

  auto c = read_retailer_answer(shop(2), 200, fixture("shop_c_usd.json"));
  ASSERT_TRUE(c && *c) << reason_of(c.error());
  EXPECT_EQ((*c)->quoted.minor, 1549);
  EXPECT_EQ((*c)->quoted.currency, "USD");
  auto offer = normalise(**c, cfg.rates);
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->price.minor, 128567);
  EXPECT_EQ(offer->price.currency, "INR");
  EXPECT_EQ(offer->original_price.minor, 1549);
  EXPECT_EQ(offer->original_price.currency, "USD");
}

TEST_F(answers, stock_words_and_counts) {
  auto out = read_retailer_answer(shop(0), 200, fixture("out_of_stock.json"));
  ASSERT_TRUE(out && *out);
  EXPECT_FALSE((*out)->in_stock);
  EXPECT_TRUE(*read_stock(json::parse("\"In Stock\"")));
  EXPECT_FALSE(*read_stock(json::parse("\"SOLD OUT\"")));
  EXPECT_FALSE(*read_stock(json::parse("0")));
  EXPECT_FALSE(read_stock(json::parse("\"maybe\"")));
}

TEST_F(answers, unusable_answers_say_why) {
  auto failure = [&](long status, const std::string& body) {
    auto r = read_retailer_answer(shop(0), status, body);
    EXPECT_FALSE(r) << body;
    return r ? std::string{} : reason_of(r.error());
  };
  EXPECT_EQ(failure(500, "{}"), "HTTP 500");
  EXPECT_EQ(failure(503, ""), "HTTP 503");
  EXPECT_EQ(failure(200, fixture("malformed.json")), "malformed JSON");
  EXPECT_EQ(failure(200, ""), "malformed JSON");
  EXPECT_EQ(failure(200, fixture("missing_price.json")), "no price at 'data.offer.price'");
  EXPECT_EQ(failure(200, R"({"data": {"offer": {"price": "free"}}})"),
            "price 'free' is not a plain decimal number");
  EXPECT_EQ(failure(200, R"({"data": {"offer": {"price": 5, "currency": "rupees"}}})"),
            "currency 'rupees' is not a currency code");
}

TEST_F(answers, not_found_means_no_offer) {
  auto r = read_retailer_answer(shop(0), 404, "gone");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_value());
}

TEST_F(answers, unknown_currency_is_refused_with_a_reason) {
  auto q = read_retailer_answer(shop(2), 200, fixture("pounds.json"));
  ASSERT_TRUE(q && *q);
  auto offer = normalise(**q, cfg.rates);
  ASSERT_FALSE(offer);
  EXPECT_EQ(reason_of(offer.error()), "quoted in GBP, which has no rate to INR");
}

// -- local offers -------------------------------------------------------------------------------------

TEST(local_offers, parses_sellers_prices_and_urls) {
  auto book = local_offer_book::parse(R"({
    "currency": "INR",
    "sellers": {"Trendora": "https://trendora.example/p/{product_id}"},
    "offers": {"42": [{"seller": "Trendora", "price": 812, "in_stock": true},
                      {"seller": "Elsewhere", "price": "9.99", "currency": "USD",
                       "url": "https://elsewhere.example/42", "in_stock": false}]}})");
  ASSERT_TRUE(book) << reason_of(book.error());
  auto q = book->quotes("42");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].retailer, "Trendora");
  EXPECT_EQ(q[0].quoted.minor, 81200);
  EXPECT_EQ(q[0].url, "https://trendora.example/p/42");
  EXPECT_EQ(q[1].quoted.currency, "USD");
  EXPECT_FALSE(q[1].in_stock);
  EXPECT_TRUE(book->quotes("43").empty());
}

TEST(local_offers, bad_files_are_refused) {
  EXPECT_FALSE(local_offer_book::parse("not json"));
  EXPECT_FALSE(local_offer_book::parse(R"({"offers": []})"));
  EXPECT_FALSE(local_offer_book::parse(R"({"offers": {"1": [{"price": 5}]}})"));
  EXPECT_FALSE(local_offer_book::parse(R"({"offers": {"1": [{"seller": "s"}]}})"));
  EXPECT_FALSE(local_offer_book::load_file("/nonexistent/offers.json"));
}

TEST(local_offers, embedded_default_covers_catalog_products) {
  auto book = local_offer_book::embedded_default();
  ASSERT_TRUE(book) << reason_of(book.error());
  EXPECT_GT(book->product_count(), 500u);
  // Every id in the offers file is a product of the bundled demo catalog.
  auto catalog = testing::read_text_file(std::string{CARTMATE_SOURCE_DIR}
                                         + "/examples/catalog/demo_catalog.jsonl");
  ASSERT_TRUE(catalog);
  auto offers = json::parse(embedded_offers_json());
  size_t checked = 0;
  for (const auto& [id, list] : offers.at("offers").items()) {
    EXPECT_NE(catalog->find("\"id\": \"" + id + "\""), std::string::npos) << id;
    EXPECT_GE(list.size(), 2u) << id;
    if (++checked == 50)
      break;
  }
}

// -- offer cache ------------------------------------------------------------------------------------

TEST(offer_cache, answers_until_the_ttl_passes) {
  offer_cache cache{1000ms};
  auto t0 = offer_cache::clock::time_point{} + std::chrono::hours{1};
  retailer_quote q{"shop-a", {119900, "INR"}, "u", true};
  EXPECT_FALSE(cache.find("shop-a", "p1", t0));
  cache.put("shop-a", "p1", q, t0);
  cache.put("shop-b", "p1", std::nullopt, t0);   // "no offer" is an answer too
  auto hit = cache.find("shop-a", "p1", t0 + 999ms);
  ASSERT_TRUE(hit && *hit);
  EXPECT_EQ((*hit)->quoted.minor, 119900);
  auto none = cache.find("shop-b", "p1", t0 + 999ms);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(cache.find("shop-a", "p2", t0));
  EXPECT_FALSE(cache.find("shop-a", "p1", t0 + 1000ms));
}

TEST(offer_cache, capacity_evicts_the_oldest) {
  offer_cache cache{1h, 2};
  auto t0 = offer_cache::clock::time_point{} + std::chrono::hours{1};
  cache.put("s", "1", std::nullopt, t0);
  cache.put("s", "2", std::nullopt, t0 + 1ms);
  cache.put("s", "3", std::nullopt, t0 + 2ms);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.find("s", "1", t0 + 3ms));
  EXPECT_TRUE(cache.find("s", "3", t0 + 3ms));
}

TEST(offer_cache, zero_ttl_caches_nothing) {
  offer_cache cache{0ms};
  auto t0 = offer_cache::clock::time_point{} + std::chrono::hours{1};
  cache.put("s", "1", std::nullopt, t0);
  EXPECT_FALSE(cache.find("s", "1", t0));
}

// -- settings -----------------------------------------------------------------------------------------

TEST(pricing_settings, defaults_and_overrides) {
  auto defaults = read_pricing_settings(json::object());
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->answer_budget, 600ms);
  EXPECT_TRUE(defaults->retailers_file.empty());
  auto set = read_pricing_settings(json::parse(
    R"({"pricing": {"retailers_file": "r.json", "cache_ttl_ms": 0, "answer_budget_ms": 250}})"));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->retailers_file, "r.json");
  EXPECT_EQ(set->cache_ttl, 0ms);
  EXPECT_EQ(set->answer_budget, 250ms);
  EXPECT_FALSE(read_pricing_settings(json::parse(R"({"pricing": {"answer_budget_ms": 0}})")));
  EXPECT_FALSE(read_pricing_settings(json::parse(R"({"pricing": {"offers_file": 3}})")));
}

}  // namespace
}  // namespace cartmate::pricing
