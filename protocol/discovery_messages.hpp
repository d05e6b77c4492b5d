// discovery_messages.hpp — requests to the product-discovery agent and its answers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/agent_kind.hpp"
#include "protocol/envelope.hpp"
#include "protocol/product.hpp"

namespace cartmate::protocol {

/// Ranked results of a search or similar-items request.
struct search_result {
  std::vector<product> products;
  std::vector<float> scores;       // parallel to products, higher is better
  uint32_t total_matches = 0;      // matches before limit/offset
  std::string explanation;         // why these ("blended with your style: ...")
  /// Empty for a full answer; else what it lacks, as "<dependency>: <reason>" (e.g.
  /// "embeddings: timeout" when the query could not be embedded and matching was lexical only).
  std::string degraded;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, search_result& x) {
  return f(caf::meta::type_name("search_result"), x.products, x.scores, x.total_matches,
           x.explanation, x.degraded);
}

/// Free-text query plus structured filters; an optional style vector blends in taste.
struct search_request {
  envelope env;
  std::string query;
  search_filters filters;
  uint32_t limit = 10;
  uint32_t offset = 0;
  std::vector<float> style_vector;  // empty: no style blending
  float style_weight = 0.f;         // 0..1 share of the style score in the ranking
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, search_request& x) {
  return f(caf::meta::type_name("search_request"), x.env, x.query, x.filters, x.limit,
           x.offset, x.style_vector, x.style_weight);
}

struct similar_request {
  envelope env;
  std::string product_id;
  search_filters filters;
  uint32_t limit = 10;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, similar_request& x) {
  return f(caf::meta::type_name("similar_request"), x.env, x.product_id, x.filters, x.limit);
}

struct get_product_request {
  envelope env;
  std::string product_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, get_product_request& x) {
  return f(caf::meta::type_name("get_product_request"), x.env, x.product_id);
}

/// Sets a product's price and/or stock; negative values leave the field unchanged.
struct catalog_update {
  envelope env;
  std::string product_id;
  int64_t price_minor = -1;
  int32_t stock = -1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_update& x) {
  return f(caf::meta::type_name("catalog_update"), x.env, x.product_id, x.price_minor,
           x.stock);
}

/// What a catalog update changed, so price alerts can react to it.
struct catalog_change {
  product after;
  int64_t old_price_minor = 0;
  int32_t old_stock = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, catalog_change& x) {
  return f(caf::meta::type_name("catalog_change"), x.after, x.old_price_minor, x.old_stock);
}

CARTMATE_REQUEST(search_request, search_result, product_discovery, true);
CARTMATE_REQUEST(similar_request, search_result, product_discovery, true);
CARTMATE_REQUEST(get_product_request, product, product_discovery, true);
CARTMATE_REQUEST(catalog_update, catalog_change, product_discovery, true);  // sets absolute values

}  // namespace cartmate::protocol
