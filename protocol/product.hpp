// product.hpp — catalog item, search filters and money: the shapes every agent shares.
// Plain value types; safe to copy between threads and nodes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace cartmate::protocol {

/// Money in minor units (paise, cents) so sums are exact.
struct money {
  int64_t minor = 0;
  std::string currency;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, money& x) {
  return f(caf::meta::type_name("money"), x.minor, x.currency);
}

/// One catalog item as the agents see it.
struct product {
  std::string id;
  std::string title;
  std::string brand;
  std::string product_type;   // "kurta", "running shoes", ...
  std::string gender;         // "Men", "Women", "Unisex", ...
  std::string colour;
  std::string description;
  std::vector<std::string> sizes;
  money price;
  int32_t stock = 0;          // units available; 0 means out of stock
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, product& x) {
  return f(caf::meta::type_name("product"), x.id, x.title, x.brand, x.product_type, x.gender,
           x.colour, x.description, x.sizes, x.price, x.stock);
}

/// Structured constraints of a search; empty strings and negative bounds mean "any".
struct search_filters {
  int64_t min_price_minor = -1;
  int64_t max_price_minor = -1;
  std::string colour;
  std::string gender;
  std::string brand;
  std::string product_type;
  std::string size;
  bool in_stock_only = false;
  std::vector<std::string> exclude_colours;   // remembered dislikes ("I don't like yellow")
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, search_filters& x) {
  return f(caf::meta::type_name("search_filters"), x.min_price_minor, x.max_price_minor,
           x.colour, x.gender, x.brand, x.product_type, x.size, x.in_stock_only,
           x.exclude_colours);
}

}  // namespace cartmate::protocol
