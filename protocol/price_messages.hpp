// price_messages.hpp — requests to the price-comparison agent and its answers.
#pragma once

#include <string>
#include <vector>

#include "protocol/agent_kind.hpp"
#include "protocol/envelope.hpp"
#include "protocol/product.hpp"

namespace cartmate::protocol {

/// One retailer's offer, normalised to the catalog currency.
struct offer {
  std::string retailer;
  money price;            // in the catalog currency
  money original_price;   // as the retailer quoted it
  std::string url;
  bool in_stock = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, offer& x) {
  return f(caf::meta::type_name("offer"), x.retailer, x.price, x.original_price, x.url,
           x.in_stock);
}

struct price_compare {
  envelope env;
  std::string product_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, price_compare& x) {
  return f(caf::meta::type_name("price_compare"), x.env, x.product_id);
}

struct price_comparison {
  std::string product_id;
  money our_price;
  std::vector<offer> offers;
  int32_t best_offer = -1;   // index into offers, -1 when none
  money min_price;
  money median_price;
  std::string verdict;       // "good deal", "fair", "overpriced"
  std::vector<std::string> reasons;
  std::vector<std::string> failed_retailers;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, price_comparison& x) {
  return f(caf::meta::type_name("price_comparison"), x.product_id, x.our_price, x.offers,
           x.best_offer, x.min_price, x.median_price, x.verdict, x.reasons,
           x.failed_retailers);
}

CARTMATE_REQUEST(price_compare, price_comparison, price_comparison, true);

}  // namespace cartmate::protocol
