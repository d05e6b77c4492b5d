// json_codec_test.cpp — round trips of every public JSON shape, and the rejection messages that
// name the offending field. Threading: single-threaded tests.
#include "protocol/json_codec.hpp"

#include <cstdint>
#include <limits>
#include <string>

#include <caf/message.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::protocol {
namespace {

using nlohmann::json;

// -- helpers -----------------------------------------------------------------------------------

// encode → text → parse → decode: what a WebSocket peer would get back.
template <class T>
T round_trip(const T& x) {
  auto text = dump_json(encode(x));
  auto parsed = parse_json(text);
  EXPECT_TRUE(parsed) << describe(parsed.error());
  if (!parsed)
    return T{};
  auto decoded = decode<T>(*parsed);
  EXPECT_TRUE(decoded) << describe(decoded.error()) << " in " << text;
  return decoded ? *decoded : T{};
}

// The detail of an invalid_argument failure; a success or another code fails the test.
template <class T>
std::string failure(const caf::expected<T>& result) {
  if (result) {
    ADD_FAILURE() << "decoded although the input is malformed";
    return {};
  }
  EXPECT_EQ(errc_of(result.error()), errc::invalid_argument) << describe(result.error());
  const caf::message& ctx = result.error().context();
  return ctx.match_elements<std::string>() ? ctx.get_as<std::string>(0) : std::string{};
}

template <class T>
std::string failure_of_text(const std::string& text, caf::expected<T> (*decoder)(const json&)) {
  auto parsed = parse_json(text);
  EXPECT_TRUE(parsed) << describe(parsed.error());
  return parsed ? failure(decoder(*parsed)) : std::string{};
}

void expect_same(const money& a, const money& b) {
  EXPECT_EQ(a.minor, b.minor);
  EXPECT_EQ(a.currency, b.currency);
}

void expect_same(const product& a, const product& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.brand, b.brand);
  EXPECT_EQ(a.product_type, b.product_type);
  EXPECT_EQ(a.gender, b.gender);
  EXPECT_EQ(a.colour, b.colour);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.sizes, b.sizes);
  expect_same(a.price, b.price);
  EXPECT_EQ(a.stock, b.stock);
}

void expect_same(const search_filters& a, const search_filters& b) {
  EXPECT_EQ(a.min_price_minor, b.min_price_minor);
  EXPECT_EQ(a.max_price_minor, b.max_price_minor);
  EXPECT_EQ(a.colour, b.colour);
  EXPECT_EQ(a.gender, b.gender);
  EXPECT_EQ(a.brand, b.brand);
  EXPECT_EQ(a.product_type, b.product_type);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.in_stock_only, b.in_stock_only);
  EXPECT_EQ(a.exclude_colours, b.exclude_colours);
}

void expect_same(const cart_line& a, const cart_line& b) {
  EXPECT_EQ(a.product_id, b.product_id);
  EXPECT_EQ(a.title, b.title);
  expect_same(a.unit_price, b.unit_price);
  EXPECT_EQ(a.quantity, b.quantity);
  expect_same(a.line_total, b.line_total);
}

void expect_same_lines(const std::vector<cart_line>& a, const std::vector<cart_line>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i));
    expect_same(a[i], b[i]);
  }
}

void expect_same(const cart_view& a, const cart_view& b) {
  EXPECT_EQ(a.user, b.user);
  expect_same_lines(a.lines, b.lines);
  expect_same(a.total, b.total);
  EXPECT_EQ(a.item_count, b.item_count);
}

void expect_same(const order& a, const order& b) {
  EXPECT_EQ(a.order_id, b.order_id);
  EXPECT_EQ(a.user, b.user);
  expect_same_lines(a.lines, b.lines);
  expect_same(a.total, b.total);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.status, b.status);
}

void expect_same(const offer& a, const offer& b) {
  EXPECT_EQ(a.retailer, b.retailer);
  expect_same(a.price, b.price);
  expect_same(a.original_price, b.original_price);
  EXPECT_EQ(a.url, b.url);
  EXPECT_EQ(a.in_stock, b.in_stock);
}

void expect_same(const price_comparison& a, const price_comparison& b) {
  EXPECT_EQ(a.product_id, b.product_id);
  expect_same(a.our_price, b.our_price);
  ASSERT_EQ(a.offers.size(), b.offers.size());
  for (size_t i = 0; i < a.offers.size(); ++i)
    expect_same(a.offers[i], b.offers[i]);
  EXPECT_EQ(a.best_offer, b.best_offer);
  expect_same(a.min_price, b.min_price);
  expect_same(a.median_price, b.median_price);
  EXPECT_EQ(a.verdict, b.verdict);
  EXPECT_EQ(a.reasons, b.reasons);
  EXPECT_EQ(a.failed_retailers, b.failed_retailers);
}

void expect_same(const alert& a, const alert& b) {
  EXPECT_EQ(a.alert_id, b.alert_id);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.product_id, b.product_id);
  EXPECT_EQ(a.condition, b.condition);
  EXPECT_EQ(a.threshold, b.threshold);
  EXPECT_EQ(a.reference_price_minor, b.reference_price_minor);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.active, b.active);
}

void expect_same(const stated_preference& a, const stated_preference& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.stated_ms, b.stated_ms);
}

void expect_same(const style_profile& a, const style_profile& b) {
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.taste, b.taste);   // exact: a float survives the trip through a double
  ASSERT_EQ(a.attributes.size(), b.attributes.size());
  for (size_t i = 0; i < a.attributes.size(); ++i) {
    EXPECT_EQ(a.attributes[i].attribute, b.attributes[i].attribute);
    EXPECT_EQ(a.attributes[i].value, b.attributes[i].value);
    EXPECT_EQ(a.attributes[i].weight, b.attributes[i].weight);
  }
  EXPECT_EQ(a.price_band_min_minor, b.price_band_min_minor);
  EXPECT_EQ(a.price_band_max_minor, b.price_band_max_minor);
  ASSERT_EQ(a.stated.size(), b.stated.size());
  for (size_t i = 0; i < a.stated.size(); ++i)
    expect_same(a.stated[i], b.stated[i]);
  EXPECT_EQ(a.signal_count, b.signal_count);
}

void expect_same(const turn_summary& a, const turn_summary& b) {
  EXPECT_EQ(a.turn_id, b.turn_id);
  EXPECT_EQ(a.intents, b.intents);
  EXPECT_EQ(a.agents, b.agents);
  EXPECT_EQ(a.reply, b.reply);
  EXPECT_EQ(a.confirmation_asked, b.confirmation_asked);
  EXPECT_EQ(a.order_id, b.order_id);
  EXPECT_EQ(a.degraded, b.degraded);
  EXPECT_EQ(a.degraded_reasons, b.degraded_reasons);
  EXPECT_EQ(a.latency_us, b.latency_us);
}

// -- samples with a non-default value in every field -------------------------------------------

money inr(int64_t minor) {
  return money{minor, "INR"};
}

product sample_product(std::string id = "p-1042") {
  product x;
  x.id = std::move(id);
  x.title = "Navy cotton kurta \"Indigo\" — hand block";
  x.brand = "Fabindia";
  x.product_type = "kurta";
  x.gender = "Women";
  x.colour = "Navy";
  x.description = "Line one\nline two\twith tab";
  x.sizes = {"S", "M", "XL"};
  x.price = inr(129999);
  x.stock = 7;
  return x;
}

search_filters sample_filters() {
  search_filters x;
  x.min_price_minor = 50000;
  x.max_price_minor = 250000;
  x.colour = "Navy";
  x.gender = "Women";
  x.brand = "Fabindia";
  x.product_type = "kurta";
  x.size = "M";
  x.in_stock_only = true;
  x.exclude_colours = {"Yellow", "Orange"};
  return x;
}

cart_line sample_line(std::string id, int32_t quantity) {
  return cart_line{id, "Item " + id, inr(49950), quantity, inr(49950 * quantity)};
}

cart_view sample_cart() {
  cart_view x;
  x.user = "u-7";
  x.lines = {sample_line("p-1", 2), sample_line("p-2", 1), sample_line("p-3", 3)};
  x.total = inr(49950 * 6);
  x.item_count = 6;
  return x;
}

order sample_order() {
  order x;
  x.order_id = "o-99";
  x.user = "u-7";
  x.lines = {sample_line("p-1", 2), sample_line("p-9", 4)};
  x.total = inr(49950 * 6);
  x.created_ms = 1717171717171;
  x.status = "placed";
  return x;
}

price_comparison sample_comparison() {
  price_comparison x;
  x.product_id = "p-1042";
  x.our_price = inr(129999);
  x.offers = {offer{"Myntra", inr(119900), money{1440, "USD"}, "http://127.0.0.1/m/1", true},
              offer{"Ajio", inr(139900), inr(139900), "http://127.0.0.1/a/2", false}};
  x.best_offer = 1;
  x.min_price = inr(119900);
  x.median_price = inr(129900);
  x.verdict = "fair";
  x.reasons = {"cheaper at Myntra", "in stock"};
  x.failed_retailers = {"Flipkart"};
  return x;
}

alert sample_alert() {
  alert x;
  x.alert_id = "a-3";
  x.user = "u-7";
  x.product_id = "p-1042";
  x.condition = alert_condition::drop_percent;
  x.threshold = 15;
  x.reference_price_minor = 129999;
  x.created_ms = 1717000000000;
  x.active = false;
  return x;
}

style_profile sample_profile() {
  style_profile x;
  x.user = "u-7";
  x.taste = {0.125f, -0.3333333f, 1e-7f, 42.5f};
  x.attributes = {attribute_preference{"colour", "Navy", 2.5f},
                  attribute_preference{"brand", "Fabindia", -0.75f}};
  x.price_band_min_minor = 50000;
  x.price_band_max_minor = 300000;
  x.stated = {stated_preference{"size", "M", 1700000000001},
              stated_preference{"avoid_colour", "Yellow", 1700000000002}};
  x.signal_count = 23;
  return x;
}

turn_summary sample_summary() {
  turn_summary x;
  x.turn_id = 12;
  x.intents = {"search", "add_to_cart"};
  x.agents = {"product_discovery", "cart"};
  x.reply = "Added the navy kurta.";
  x.confirmation_asked = true;
  x.order_id = "o-99";
  x.degraded = true;
  x.degraded_reasons = {"price comparison unavailable"};
  x.latency_us = 48123;
  return x;
}

// -- round trips -------------------------------------------------------------------------------

TEST(json_codec, money_round_trip_and_wire_shape) {
  auto x = inr(129900);
  auto j = encode(x);
  EXPECT_EQ(j.at("minor").get<int64_t>(), 129900);
  EXPECT_DOUBLE_EQ(j.at("amount").get<double>(), 1299.0);
  EXPECT_EQ(j.at("currency").get<std::string>(), "INR");
  expect_same(round_trip(x), x);
  // Other exponents, and the extremes of int64_t.
  EXPECT_DOUBLE_EQ(encode(money{1500, "JPY"}).at("amount").get<double>(), 1500.0);
  EXPECT_DOUBLE_EQ(encode(money{1234, "KWD"}).at("amount").get<double>(), 1.234);
  for (auto m : {money{std::numeric_limits<int64_t>::max(), "USD"},
                 money{std::numeric_limits<int64_t>::min(), "USD"}, money{-250, "EUR"},
                 money{1500, "JPY"}})
    expect_same(round_trip(m), m);
}

TEST(json_codec, product_round_trip) {
  auto x = sample_product();
  expect_same(round_trip(x), x);
}

TEST(json_codec, search_filters_round_trip) {
  auto x = sample_filters();
  expect_same(round_trip(x), x);
}

TEST(json_codec, search_filters_omitted_fields_mean_any) {
  auto decoded = decode_search_filters(json{{"colour", "Red"}, {"brand", nullptr}});
  ASSERT_TRUE(decoded) << describe(decoded.error());
  search_filters expected;
  expected.colour = "Red";
  expect_same(*decoded, expected);
}

TEST(json_codec, cart_line_and_cart_view_round_trip) {
  auto line = sample_line("p-5", 4);
  expect_same(round_trip(line), line);
  auto cart = sample_cart();
  expect_same(round_trip(cart), cart);
}

TEST(json_codec, order_round_trip) {
  auto x = sample_order();
  expect_same(round_trip(x), x);
}

TEST(json_codec, offer_and_price_comparison_round_trip) {
  auto x = sample_comparison();
  expect_same(round_trip(x.offers[0]), x.offers[0]);
  expect_same(round_trip(x), x);
}

TEST(json_codec, alert_round_trip_for_every_condition) {
  for (auto condition : {alert_condition::price_below, alert_condition::drop_percent,
                         alert_condition::back_in_stock}) {
    auto x = sample_alert();
    x.condition = condition;
    SCOPED_TRACE(std::string{to_string(condition)});
    EXPECT_EQ(encode(x).at("condition").get<std::string>(), to_string(condition));
    expect_same(round_trip(x), x);
  }
  EXPECT_EQ(to_string(alert_condition::back_in_stock), "back_in_stock");
}

TEST(json_codec, stated_preference_and_style_profile_round_trip) {
  auto x = sample_profile();
  expect_same(round_trip(x.stated[1]), x.stated[1]);
  expect_same(round_trip(x), x);
}

TEST(json_codec, turn_summary_round_trip) {
  auto x = sample_summary();
  expect_same(round_trip(x), x);
  x.turn_id = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(round_trip(x).turn_id, x.turn_id);
}

TEST(json_codec, simple_events_round_trip) {
  auto thinking = round_trip(thinking_event{41, "Looking for kurtas"});
  EXPECT_EQ(thinking.turn_id, 41u);
  EXPECT_EQ(thinking.text, "Looking for kurtas");

  auto partial = round_trip(partial_event{42, "Here are"});
  EXPECT_EQ(partial.turn_id, 42u);
  EXPECT_EQ(partial.text, "Here are");

  auto fin = round_trip(final_event{43, "Done.", true, true});
  EXPECT_EQ(fin.turn_id, 43u);
  EXPECT_EQ(fin.text, "Done.");
  EXPECT_TRUE(fin.confirmation_asked);
  EXPECT_TRUE(fin.degraded);

  auto note = round_trip(notification_event{"n-1", "u-7", "p-1042", "Price dropped", 1700});
  EXPECT_EQ(note.notification_id, "n-1");
  EXPECT_EQ(note.user, "u-7");
  EXPECT_EQ(note.product_id, "p-1042");
  EXPECT_EQ(note.text, "Price dropped");
  EXPECT_EQ(note.created_ms, 1700);

  auto err = round_trip(error_event{44, "timeout", "cart did not answer"});
  EXPECT_EQ(err.turn_id, 44u);
  EXPECT_EQ(err.code, "timeout");
  EXPECT_EQ(err.message, "cart did not answer");
}

TEST(json_codec, delegation_event_names_the_agent) {
  for (auto kind : all_agent_kinds) {
    delegation_event x{45, kind, "add to cart"};
    EXPECT_EQ(encode(x).at("agent").get<std::string>(), to_string(kind));
    auto back = round_trip(x);
    EXPECT_EQ(back.turn_id, 45u);
    EXPECT_EQ(back.agent, kind);
    EXPECT_EQ(back.action, "add to cart");
  }
}

TEST(json_codec, composite_events_round_trip) {
  products_event products{46, "Navy kurtas", {sample_product("p-1"), sample_product("p-2")}};
  products.products[1].stock = 0;
  auto p = round_trip(products);
  EXPECT_EQ(p.turn_id, 46u);
  EXPECT_EQ(p.heading, "Navy kurtas");
  ASSERT_EQ(p.products.size(), 2u);
  expect_same(p.products[0], products.products[0]);
  expect_same(p.products[1], products.products[1]);

  auto c = round_trip(cart_event{47, sample_cart()});
  EXPECT_EQ(c.turn_id, 47u);
  expect_same(c.cart, sample_cart());

  auto cmp = round_trip(comparison_event{48, sample_comparison()});
  EXPECT_EQ(cmp.turn_id, 48u);
  expect_same(cmp.comparison, sample_comparison());
}

TEST(json_codec, every_event_carries_its_type_and_decodes_through_decode_event) {
  const std::pair<orchestrator_event, std::string> cases[] = {
    {thinking_event{1, "t"}, "thinking"},
    {delegation_event{2, agent_kind::cart, "view"}, "delegation"},
    {products_event{3, "h", {sample_product()}}, "products"},
    {cart_event{4, sample_cart()}, "cart"},
    {partial_event{5, "p"}, "partial"},
    {final_event{6, "f", false, true}, "final"},
    {notification_event{"n", "u", "p", "t", 7}, "notification"},
    {error_event{8, "unavailable", "m"}, "error"},
    {comparison_event{9, sample_comparison()}, "comparison"},
  };
  for (const auto& [event, type] : cases) {
    SCOPED_TRACE(type);
    EXPECT_EQ(event_type(event), type);
    auto j = encode(event);
    EXPECT_EQ(j.at("type").get<std::string>(), type);
    auto parsed = parse_json(dump_json(j));
    ASSERT_TRUE(parsed);
    auto back = decode_event(*parsed);
    ASSERT_TRUE(back) << describe(back.error());
    EXPECT_EQ(back->index(), event.index());
    // The decoded event encodes to the same document, so no field was lost on the way.
    EXPECT_EQ(encode(*back), j);
  }
}

TEST(json_codec, money_accepts_amount_alone) {
  auto inr_amount = decode_money(json{{"amount", 1299.5}, {"currency", "INR"}});
  ASSERT_TRUE(inr_amount) << describe(inr_amount.error());
  EXPECT_EQ(inr_amount->minor, 129950);
  auto yen = decode_money(json{{"amount", 1500}, {"currency", "JPY"}});
  ASSERT_TRUE(yen);
  EXPECT_EQ(yen->minor, 1500);
  auto dinar = decode_money(json{{"amount", 1.234}, {"currency", "KWD"}});
  ASSERT_TRUE(dinar);
  EXPECT_EQ(dinar->minor, 1234);
  auto cents = decode_money(json{{"amount", 0.29}, {"currency", "USD"}});
  ASSERT_TRUE(cents);
  EXPECT_EQ(cents->minor, 29);
}

TEST(json_codec, integral_floats_count_as_integers) {
  auto j = encode(sample_line("p-1", 2));
  j["quantity"] = 3.0;
  auto line = decode_cart_line(j);
  ASSERT_TRUE(line) << describe(line.error());
  EXPECT_EQ(line->quantity, 3);
}

TEST(json_codec, unknown_fields_are_ignored) {
  auto j = encode(sample_product());
  j["rating"] = 4.5;
  j["price"]["tax_included"] = true;
  auto back = decode_product(j);
  ASSERT_TRUE(back) << describe(back.error());
  expect_same(*back, sample_product());
}

// -- rejections --------------------------------------------------------------------------------

TEST(json_codec, wrong_type_deep_inside_names_the_path) {
  auto j = encode(sample_cart());
  j["lines"][2]["unit_price"]["minor"] = "129900";
  EXPECT_EQ(failure(decode_cart_view(j)),
            "field 'lines[2].unit_price.minor': expected integer, got string");
}

TEST(json_codec, missing_fields_are_named) {
  auto j = encode(sample_product());
  j.erase("id");
  EXPECT_EQ(failure(decode_product(j)), "missing field 'id'");

  auto k = encode(sample_product());
  k["price"].erase("currency");
  EXPECT_EQ(failure(decode_product(k)), "missing field 'price.currency'");

  auto m = encode(sample_order());
  m["lines"][1].erase("title");
  EXPECT_EQ(failure(decode_order(m)), "missing field 'lines[1].title'");
}

TEST(json_codec, money_needs_minor_or_amount) {
  auto j = encode(sample_product());
  j["price"].erase("minor");
  j["price"].erase("amount");
  EXPECT_EQ(failure(decode_product(j)), "missing field 'price.minor' (or 'amount')");
}

TEST(json_codec, money_amount_must_agree_with_minor_and_fit_the_currency) {
  EXPECT_EQ(failure(decode_money(json{{"amount", 12.0}, {"minor", 1299}, {"currency", "INR"}})),
            "field 'amount': 12.0 does not match minor 1299");
  EXPECT_EQ(failure(decode_money(json{{"amount", 12.345}, {"currency", "INR"}})),
            "field 'amount': more than 2 decimal places for INR, got 12.345");
  EXPECT_EQ(failure(decode_money(json{{"amount", 10.5}, {"currency", "JPY"}})),
            "field 'amount': more than 0 decimal places for JPY, got 10.5");
  EXPECT_EQ(failure(decode_money(json{{"amount", "12"}, {"currency", "INR"}})),
            "field 'amount': expected number, got string");
  EXPECT_EQ(failure(decode_money(json{{"amount", 1e300}, {"currency", "INR"}})),
            "field 'amount': out of range, got 1e+300");
}

TEST(json_codec, wrong_top_level_type_is_rejected) {
  EXPECT_EQ(failure(decode_product(json::array({1, 2}))),
            "top-level value: expected object, got array");
  EXPECT_EQ(failure(decode_cart_view(json("cart"))),
            "top-level value: expected object, got string");
  EXPECT_EQ(failure(decode_event(json(nullptr))), "top-level value: expected object, got null");
}

TEST(json_codec, wrong_types_of_every_kind_are_named) {
  auto p = encode(sample_product());
  p["sizes"][1] = 40;
  EXPECT_EQ(failure(decode_product(p)), "field 'sizes[1]': expected string, got integer");

  auto s = encode(sample_product());
  s["sizes"] = "M";
  EXPECT_EQ(failure(decode_product(s)), "field 'sizes': expected array, got string");

  auto f = encode(sample_filters());
  f["in_stock_only"] = "yes";
  EXPECT_EQ(failure(decode_search_filters(f)),
            "field 'in_stock_only': expected boolean, got string");

  auto a = encode(sample_profile());
  a["attributes"][0]["weight"] = "heavy";
  EXPECT_EQ(failure(decode_style_profile(a)),
            "field 'attributes[0].weight': expected number, got string");

  auto line = encode(sample_line("p-1", 2));
  line["quantity"] = 2.5;
  EXPECT_EQ(failure(decode_cart_line(line)), "field 'quantity': expected integer, got number");

  auto c = encode(comparison_event{9, sample_comparison()});
  c["comparison"]["offers"][1]["price"] = json::array();
  EXPECT_EQ(failure(decode_event(c)),
            "field 'comparison.offers[1].price': expected object, got array");
}

TEST(json_codec, negative_counts_are_rejected) {
  auto cart = encode(sample_cart());
  cart["lines"][1]["quantity"] = -1;
  EXPECT_EQ(failure(decode_cart_view(cart)),
            "field 'lines[1].quantity': must not be negative, got -1");

  auto p = encode(sample_product());
  p["stock"] = -3;
  EXPECT_EQ(failure(decode_product(p)), "field 'stock': must not be negative, got -3");

  auto t = encode(thinking_event{1, "x"});
  t["turn_id"] = -5;
  EXPECT_EQ(failure(decode_thinking_event(t)), "field 'turn_id': must not be negative, got -5");
}

TEST(json_codec, integers_out_of_range_are_rejected) {
  auto p = encode(sample_product());
  p["stock"] = 3000000000LL;
  EXPECT_EQ(failure(decode_product(p)), "field 'stock': out of range, got 3000000000");

  auto s = encode(sample_profile());
  s["signal_count"] = 4294967296LL;
  EXPECT_EQ(failure(decode_style_profile(s)), "field 'signal_count': out of range, got 4294967296");

  auto m = encode(inr(1));
  m.erase("amount");
  m["minor"] = std::numeric_limits<uint64_t>::max();
  EXPECT_EQ(failure(decode_money(m)), "field 'minor': out of range, got 18446744073709551615");
}

TEST(json_codec, unknown_enum_strings_are_rejected) {
  auto a = encode(sample_alert());
  a["condition"] = "price_above";
  EXPECT_EQ(failure(decode_alert(a)),
            "field 'condition': unknown value 'price_above' (expected one of price_below, "
            "drop_percent, back_in_stock)");

  auto d = encode(delegation_event{1, agent_kind::cart, "add"});
  d["agent"] = "butler";
  EXPECT_EQ(failure(decode_delegation_event(d)),
            "field 'agent': unknown value 'butler' (expected one of orchestrator, "
            "style_profiler, product_discovery, cart, price_comparison, alerts)");
}

TEST(json_codec, event_types_are_checked) {
  auto j = encode(thinking_event{1, "x"});
  j["type"] = "telepathy";
  EXPECT_EQ(failure(decode_event(j)), "field 'type': unknown event type 'telepathy'");

  EXPECT_EQ(failure(decode_thinking_event(encode(final_event{1, "x", false, false}))),
            "field 'type': expected 'thinking', got 'final'");

  auto untyped = encode(partial_event{1, "x"});
  untyped.erase("type");
  EXPECT_EQ(failure(decode_event(untyped)), "missing field 'type'");
  EXPECT_EQ(failure(decode_partial_event(untyped)), "missing field 'type'");

  auto numeric = encode(partial_event{1, "x"});
  numeric["type"] = 3;
  EXPECT_EQ(failure(decode_event(numeric)), "field 'type': expected string, got integer");
}

TEST(json_codec, best_offer_must_index_an_offer) {
  auto j = encode(sample_comparison());
  j["best_offer"] = 2;
  EXPECT_EQ(failure(decode_price_comparison(j)),
            "field 'best_offer': index 2 out of range for 2 offers");
  j["best_offer"] = -1;
  EXPECT_TRUE(decode_price_comparison(j));
}

TEST(json_codec, the_first_problem_is_reported) {
  // Both fields are wrong; the message names the one read first, not a mix of the two.
  auto j = encode(sample_product());
  j["title"] = 1;
  j["stock"] = "many";
  EXPECT_EQ(failure(decode_product(j)), "field 'title': expected string, got integer");
}

TEST(json_codec, decoding_from_text_names_the_field) {
  EXPECT_EQ(failure_of_text(R"({"minor": 5, "currency": ["INR"]})", decode_money),
            "field 'currency': expected string, got array");
}

// -- text --------------------------------------------------------------------------------------

TEST(json_codec, parse_json_rejects_garbage_with_a_position) {
  for (std::string text : {"{\"a\": tru}", "", "{} x", "[1, 2", "\"\xff\"", "1e999", "{'a': 1}"}) {
    SCOPED_TRACE(text);
    caf::expected<json> parsed = json{};
    EXPECT_NO_THROW(parsed = parse_json(text));
    auto message = failure(parsed);
    EXPECT_EQ(message.rfind("invalid JSON: ", 0), 0u) << message;
  }
  auto message = failure(parse_json("{\"a\": tru}"));
  EXPECT_NE(message.find("line 1, column 10"), std::string::npos) << message;
}

TEST(json_codec, parse_json_accepts_valid_text) {
  auto parsed = parse_json(R"( {"a": [1, "two", null], "b": {"c": true}} )");
  ASSERT_TRUE(parsed) << describe(parsed.error());
  EXPECT_EQ(parsed->at("a").at(1).get<std::string>(), "two");
  EXPECT_TRUE(parsed->at("b").at("c").get<bool>());
}

TEST(json_codec, parse_json_limits_nesting_but_not_brackets_in_strings) {
  std::string deep(max_json_depth + 1, '[');
  deep += std::string(max_json_depth + 1, ']');
  EXPECT_EQ(failure(parse_json(deep)),
            "invalid JSON: nesting deeper than " + std::to_string(max_json_depth) + " levels");

  std::string at_limit(max_json_depth, '[');
  at_limit += std::string(max_json_depth, ']');
  EXPECT_TRUE(parse_json(at_limit));

  // Brackets inside a string (even after an escaped quote) are text, not nesting.
  std::string quoted = "{\"text\": \"\\\"" + std::string(1000, '[') + "\"}";
  auto parsed = parse_json(quoted);
  ASSERT_TRUE(parsed) << describe(parsed.error());
  EXPECT_EQ(parsed->at("text").get<std::string>().size(), 1001u);
}

TEST(json_codec, dump_json_replaces_invalid_utf8_instead_of_throwing) {
  auto p = sample_product();
  p.title = "bad \xff byte";
  std::string text;
  EXPECT_NO_THROW(text = dump_json(encode(p)));
  EXPECT_NE(text.find("bad \xEF\xBF\xBD byte"), std::string::npos) << text;
  auto back = parse_json(text);
  ASSERT_TRUE(back);
  EXPECT_TRUE(decode_product(*back));
}

}  // namespace
}  // namespace cartmate::protocol
