// cart_messages.hpp — requests to the cart agent (cart and checkout) and its answers.
// Writes carry the envelope's idempotency key, which is what makes them safe to retry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/agent_kind.hpp"
#include "protocol/envelope.hpp"
#include "protocol/product.hpp"

namespace cartmate::protocol {

struct cart_line {
  std::string product_id;
  std::string title;
  money unit_price;
  int32_t quantity = 0;
  money line_total;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cart_line& x) {
  return f(caf::meta::type_name("cart_line"), x.product_id, x.title, x.unit_price,
           x.quantity, x.line_total);
}

struct cart_view {
  std::string user;
  std::vector<cart_line> lines;
  money total;
  int32_t item_count = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cart_view& x) {
  return f(caf::meta::type_name("cart_view"), x.user, x.lines, x.total, x.item_count);
}

struct cart_add {
  envelope env;
  std::string product_id;
  int32_t quantity = 1;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cart_add& x) {
  return f(caf::meta::type_name("cart_add"), x.env, x.product_id, x.quantity);
}

struct cart_remove {
  envelope env;
  std::string product_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cart_remove& x) {
  return f(caf::meta::type_name("cart_remove"), x.env, x.product_id);
}

struct cart_set_quantity {
  envelope env;
  std::string product_id;
  int32_t quantity = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cart_set_quantity& x) {
  return f(caf::meta::type_name("cart_set_quantity"), x.env, x.product_id, x.quantity);
}

struct cart_get {
  envelope env;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cart_get& x) {
  return f(caf::meta::type_name("cart_get"), x.env);
}

/// First step of checkout: freezes the cart into a summary the shopper must confirm.
struct checkout_prepare {
  envelope env;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkout_prepare& x) {
  return f(caf::meta::type_name("checkout_prepare"), x.env);
}

struct checkout_summary {
  std::string checkout_id;
  cart_view cart;
  int64_t expires_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkout_summary& x) {
  return f(caf::meta::type_name("checkout_summary"), x.checkout_id, x.cart, x.expires_ms);
}

/// The shopper's explicit "yes": only this places an order.
struct checkout_confirm {
  envelope env;
  std::string checkout_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkout_confirm& x) {
  return f(caf::meta::type_name("checkout_confirm"), x.env, x.checkout_id);
}

struct checkout_cancel {
  envelope env;
  std::string checkout_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkout_cancel& x) {
  return f(caf::meta::type_name("checkout_cancel"), x.env, x.checkout_id);
}

struct order {
  std::string order_id;
  std::string user;
  std::vector<cart_line> lines;
  money total;
  int64_t created_ms = 0;
  std::string status;   // "placed"
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order& x) {
  return f(caf::meta::type_name("order"), x.order_id, x.user, x.lines, x.total, x.created_ms,
           x.status);
}

struct order_list_request {
  envelope env;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_list_request& x) {
  return f(caf::meta::type_name("order_list_request"), x.env);
}

struct order_history {
  std::vector<order> orders;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_history& x) {
  return f(caf::meta::type_name("order_history"), x.orders);
}

CARTMATE_REQUEST(cart_add, cart_view, cart, true);          // de-duplicated by idempotency key
CARTMATE_REQUEST(cart_remove, cart_view, cart, true);
CARTMATE_REQUEST(cart_set_quantity, cart_view, cart, true);
CARTMATE_REQUEST(cart_get, cart_view, cart, true);
CARTMATE_REQUEST(checkout_prepare, checkout_summary, cart, true);
CARTMATE_REQUEST(checkout_confirm, order, cart, true);      // one order per checkout id
CARTMATE_REQUEST(checkout_cancel, cart_view, cart, true);
CARTMATE_REQUEST(order_list_request, order_history, cart, true);

}  // namespace cartmate::protocol
