// deal_analysis.cpp — the verdict rules; see the header.
#include "actors/price/deal_analysis.hpp"

#include <algorithm>
#include <cmath>

#include "adapters/pricing/currency.hpp"

namespace cartmate::actors::price {

namespace {

using protocol::money;
using protocol::offer;

int64_t median_of(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  auto n = v.size();
  if (n % 2 == 1)
    return v[n / 2];
  // Rounded half up; prices are positive so the sum cannot go negative.
  return (v[n / 2 - 1] + v[n / 2] + 1) / 2;
}

/// Rounded percentage by which `ours` differs from `ref` (positive: ours is higher).
long percent_diff(int64_t ours, int64_t ref) {
  return std::lround((static_cast<double>(ours) - static_cast<double>(ref)) * 100.0
                     / static_cast<double>(ref));
}

std::string vs_median(int64_t ours, int64_t median) {
  auto pct = percent_diff(ours, median);
  if (pct == 0)
    return ours == median ? "level with the median" : "within 1% of the median";
  return std::to_string(std::labs(pct)) + "% " + (pct > 0 ? "above" : "below") + " the median";
}

/// "; ours is 8% higher" — how far we are above the cheapest offer.
std::string ours_higher(int64_t ours, int64_t lowest) {
  auto pct = percent_diff(ours, lowest);
  return pct == 0 ? "; ours is less than 1% higher"
                  : "; ours is " + std::to_string(pct) + "% higher";
}

std::string count_of(size_t n) {
  return std::to_string(n);
}

}  // namespace

std::string format_price(const money& m) {
  int digits = pricing::minor_digits(m.currency);
  int64_t scale = 1;
  for (int i = 0; i < digits; ++i)
    scale *= 10;
  auto whole = std::to_string(m.minor / scale);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0)
      grouped += ',';
    grouped += whole[i];
  }
  std::string out = (m.currency.empty() ? std::string{} : m.currency + " ") + grouped;
  if (digits > 0) {
    auto frac = std::to_string(m.minor % scale);
    out += "." + std::string(static_cast<size_t>(digits) - frac.size(), '0') + frac;
  }
  return out;
}

protocol::price_comparison analyse_deal(deal_inputs in, const deal_thresholds& thresholds) {
  protocol::price_comparison out;
  out.product_id = std::move(in.product_id);
  if (in.our_price)
    out.our_price = *in.our_price;
  std::stable_sort(in.offers.begin(), in.offers.end(), [](const offer& a, const offer& b) {
    return a.price.minor != b.price.minor ? a.price.minor < b.price.minor
                                          : a.retailer < b.retailer;
  });
  out.offers = std::move(in.offers);
  out.failed_retailers = std::move(in.failed_retailers);
  out.reasons = std::move(in.notes);
  auto currency = in.our_price ? in.our_price->currency
                  : out.offers.empty() ? std::string{} : out.offers.front().price.currency;

  if (!out.failed_retailers.empty() && in.retailers_asked > 0) {
    auto answered = in.retailers_asked - std::min(in.retailers_asked, out.failed_retailers.size());
    out.reasons.push_back("compared with " + count_of(answered) + " of "
                          + count_of(in.retailers_asked) + " retailers; no usable answer from "
                          + std::to_string(out.failed_retailers.size()));
  }
  if (out.offers.empty()) {
    out.reasons.push_back(out.failed_retailers.empty()
                            ? "no other retailer has an offer for it"
                            : "no retailer that answered has an offer for it");
    return out;
  }

  std::vector<int64_t> prices;
  for (size_t i = 0; i < out.offers.size(); ++i) {
    if (out.offers[i].in_stock) {
      if (out.best_offer < 0)
        out.best_offer = static_cast<int32_t>(i);
      prices.push_back(out.offers[i].price.minor);
    }
  }
  if (prices.empty()) {
    out.reasons.push_back("none of the " + count_of(out.offers.size())
                          + " offers is in stock");
    for (const auto& o : out.offers)
      prices.push_back(o.price.minor);
  }
  out.min_price = money{*std::min_element(prices.begin(), prices.end()), currency};
  out.median_price = money{median_of(prices), currency};

  if (!in.our_price) {
    out.reasons.push_back("our own price is unknown, so there is no verdict");
    return out;
  }
  auto ours = in.our_price->minor;
  auto lowest = out.min_price.minor;
  auto median = out.median_price.minor;
  auto field = count_of(prices.size() + 1);
  const offer* cheapest = out.best_offer >= 0 ? &out.offers[static_cast<size_t>(out.best_offer)]
                                              : &out.offers.front();
  if (ours < lowest) {
    out.verdict = "good deal";
    out.reasons.push_back("our price is the lowest of " + field);
    out.reasons.push_back(vs_median(ours, median));
  } else if (ours == lowest) {
    out.verdict = "good deal";
    out.reasons.push_back("our price ties the lowest of " + field + " with " + cheapest->retailer);
    out.reasons.push_back(vs_median(ours, median));
  } else if (static_cast<double>(ours)
             <= static_cast<double>(median) * (1.0 + thresholds.fair_above_median)) {
    out.verdict = "fair";
    out.reasons.push_back(vs_median(ours, median));
    out.reasons.push_back(cheapest->retailer + " is cheapest at " + format_price(cheapest->price)
                          + ours_higher(ours, lowest));
  } else {
    out.verdict = "overpriced";
    out.reasons.push_back(vs_median(ours, median));
    out.reasons.push_back(cheapest->retailer + " sells it for " + format_price(cheapest->price)
                          + ours_higher(ours, lowest));
  }
  return out;
}

}  // namespace cartmate::actors::price
