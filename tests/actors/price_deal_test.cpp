// price_deal_test.cpp — the deal analysis: ordering, best offer, minimum and median over the
// offers in stock, and each verdict with its reasons.
#include "actors/price/deal_analysis.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace cartmate::actors::price {
namespace {

protocol::offer offer_of(std::string retailer, int64_t minor, bool in_stock = true) {
  protocol::offer o;
  o.retailer = std::move(retailer);
  o.price = {minor, "INR"};
  o.original_price = o.price;
  o.in_stock = in_stock;
  return o;
}

deal_inputs inputs(std::optional<int64_t> ours, std::vector<protocol::offer> offers) {
  deal_inputs in;
  in.product_id = "p1";
  if (ours)
    in.our_price = protocol::money{*ours, "INR"};
  in.offers = std::move(offers);
  in.retailers_asked = in.offers.size();
  return in;
}

bool has_reason(const protocol::price_comparison& c, const std::string& text) {
  return std::any_of(c.reasons.begin(), c.reasons.end(),
                     [&](const std::string& r) { return r.find(text) != std::string::npos; });
}

std::string all_reasons(const protocol::price_comparison& c) {
  std::string out;
  for (const auto& r : c.reasons)
    out += r + " | ";
  return out;
}

TEST(deal_analysis, lowest_price_is_a_good_deal) {
  auto c = analyse_deal(inputs(90000, {offer_of("b", 110000), offer_of("a", 100000),
                                       offer_of("c", 120000)}));
  EXPECT_EQ(c.verdict, "good deal");
  ASSERT_EQ(c.offers.size(), 3u);
  EXPECT_EQ(c.offers[0].retailer, "a");   // sorted by price
  EXPECT_EQ(c.offers[2].retailer, "c");
  EXPECT_EQ(c.best_offer, 0);
  EXPECT_EQ(c.min_price.minor, 100000);
  EXPECT_EQ(c.median_price.minor, 110000);
  EXPECT_EQ(c.our_price.minor, 90000);
  EXPECT_TRUE(has_reason(c, "our price is the lowest of 4")) << all_reasons(c);
  EXPECT_TRUE(has_reason(c, "18% below the median")) << all_reasons(c);
}

TEST(deal_analysis, tie_with_the_lowest_names_the_retailer) {
  auto c = analyse_deal(inputs(100000, {offer_of("a", 100000), offer_of("b", 130000)}));
  EXPECT_EQ(c.verdict, "good deal");
  EXPECT_TRUE(has_reason(c, "ties the lowest of 3 with a")) << all_reasons(c);
  EXPECT_EQ(c.median_price.minor, 115000);   // mean of the middle two
}

TEST(deal_analysis, near_the_median_is_fair) {
  auto c = analyse_deal(inputs(104000, {offer_of("a", 90000), offer_of("b", 100000),
                                        offer_of("c", 120000)}));
  EXPECT_EQ(c.verdict, "fair");
  EXPECT_TRUE(has_reason(c, "4% above the median")) << all_reasons(c);
  EXPECT_TRUE(has_reason(c, "a is cheapest at INR 900.00; ours is 16% higher")) << all_reasons(c);
}

TEST(deal_analysis, far_above_the_median_is_overpriced) {
  auto c = analyse_deal(inputs(112000, {offer_of("a", 95000), offer_of("b", 100000),
                                        offer_of("c", 105000)}));
  EXPECT_EQ(c.verdict, "overpriced");
  EXPECT_TRUE(has_reason(c, "12% above the median")) << all_reasons(c);
  EXPECT_TRUE(has_reason(c, "a sells it for INR 950.00")) << all_reasons(c);
}

TEST(deal_analysis, out_of_stock_offers_are_listed_but_not_best) {
  auto c = analyse_deal(inputs(100000, {offer_of("cheap", 50000, false), offer_of("b", 110000),
                                        offer_of("c", 120000)}));
  ASSERT_EQ(c.offers.size(), 3u);
  EXPECT_EQ(c.offers[0].retailer, "cheap");
  EXPECT_EQ(c.best_offer, 1);
  EXPECT_EQ(c.min_price.minor, 110000);
  EXPECT_EQ(c.verdict, "good deal");
  EXPECT_TRUE(has_reason(c, "lowest of 3")) << all_reasons(c);
}

TEST(deal_analysis, nothing_in_stock_still_summarises) {
  auto c = analyse_deal(inputs(100000, {offer_of("a", 90000, false)}));
  EXPECT_EQ(c.best_offer, -1);
  EXPECT_EQ(c.min_price.minor, 90000);
  EXPECT_TRUE(has_reason(c, "none of the 1 offers is in stock")) << all_reasons(c);
}

TEST(deal_analysis, no_offers_no_verdict) {
  auto in = inputs(100000, {});
  in.retailers_asked = 2;
  in.failed_retailers = {"x (HTTP 500)"};
  auto c = analyse_deal(std::move(in));
  EXPECT_EQ(c.verdict, "");
  EXPECT_EQ(c.best_offer, -1);
  EXPECT_TRUE(has_reason(c, "no retailer that answered has an offer")) << all_reasons(c);
  EXPECT_TRUE(has_reason(c, "compared with 1 of 2 retailers")) << all_reasons(c);
  EXPECT_EQ(c.failed_retailers.size(), 1u);
}

TEST(deal_analysis, unknown_own_price_gives_offers_without_verdict) {
  auto in = inputs(std::nullopt, {offer_of("a", 90000), offer_of("b", 100000)});
  in.notes = {"our own price is unavailable (agent down)"};
  auto c = analyse_deal(std::move(in));
  EXPECT_EQ(c.verdict, "");
  EXPECT_EQ(c.best_offer, 0);
  EXPECT_EQ(c.median_price.minor, 95000);
  EXPECT_TRUE(has_reason(c, "our own price is unavailable")) << all_reasons(c);
  EXPECT_TRUE(has_reason(c, "no verdict")) << all_reasons(c);
}

TEST(deal_analysis, formats_prices) {
  EXPECT_EQ(format_price({129950, "INR"}), "INR 1,299.50");
  EXPECT_EQ(format_price({5, "INR"}), "INR 0.05");
  EXPECT_EQ(format_price({1234567, "JPY"}), "JPY 1,234,567");
}

}  // namespace
}  // namespace cartmate::actors::price
