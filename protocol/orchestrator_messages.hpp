// orchestrator_messages.hpp — a shopper's turn sent to the orchestrator, and the typed event
// stream it sends back to the requester (the session front-end) while the turn runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/agent_kind.hpp"
#include "protocol/cart_messages.hpp"
#include "protocol/envelope.hpp"
#include "protocol/price_messages.hpp"
#include "protocol/product.hpp"

namespace cartmate::protocol {

enum class turn_input : uint8_t { message, confirm, cancel, like, dislike, image };

/// One user input. The orchestrator answers the request with a turn_summary at the end and
/// sends the events below to the requester before that.
struct user_turn {
  envelope env;
  turn_input input = turn_input::message;
  std::string text;
  std::string product_ref;        // like/dislike: product id or reference ("the second one")
  std::vector<uint8_t> image;     // turn_input::image: PNG or JPEG bytes
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_turn& x) {
  return f(caf::meta::type_name("user_turn"), x.env, x.input, x.text, x.product_ref, x.image);
}

/// How a turn ended: what was understood, who worked on it, what was said.
struct turn_summary {
  uint64_t turn_id = 0;
  std::vector<std::string> intents;
  std::vector<std::string> agents;
  std::string reply;
  bool confirmation_asked = false;
  std::string order_id;            // set when this turn placed an order
  bool degraded = false;
  std::vector<std::string> degraded_reasons;
  int64_t latency_us = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, turn_summary& x) {
  return f(caf::meta::type_name("turn_summary"), x.turn_id, x.intents, x.agents, x.reply,
           x.confirmation_asked, x.order_id, x.degraded, x.degraded_reasons, x.latency_us);
}

struct thinking_event {
  uint64_t turn_id = 0;
  std::string text;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, thinking_event& x) {
  return f(caf::meta::type_name("thinking_event"), x.turn_id, x.text);
}

struct delegation_event {
  uint64_t turn_id = 0;
  agent_kind agent = agent_kind::product_discovery;
  std::string action;   // "search", "add to cart", ...
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delegation_event& x) {
  return f(caf::meta::type_name("delegation_event"), x.turn_id, x.agent, x.action);
}

struct products_event {
  uint64_t turn_id = 0;
  std::string heading;
  std::vector<product> products;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, products_event& x) {
  return f(caf::meta::type_name("products_event"), x.turn_id, x.heading, x.products);
}

struct cart_event {
  uint64_t turn_id = 0;
  cart_view cart;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cart_event& x) {
  return f(caf::meta::type_name("cart_event"), x.turn_id, x.cart);
}

/// A piece of the reply text while it is being produced (streamed LLM output).
struct partial_event {
  uint64_t turn_id = 0;
  std::string text;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partial_event& x) {
  return f(caf::meta::type_name("partial_event"), x.turn_id, x.text);
}

struct final_event {
  uint64_t turn_id = 0;
  std::string text;
  bool confirmation_asked = false;
  bool degraded = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, final_event& x) {
  return f(caf::meta::type_name("final_event"), x.turn_id, x.text, x.confirmation_asked,
           x.degraded);
}

struct notification_event {
  std::string notification_id;
  std::string user;
  std::string product_id;
  std::string text;
  int64_t created_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notification_event& x) {
  return f(caf::meta::type_name("notification_event"), x.notification_id, x.user,
           x.product_id, x.text, x.created_ms);
}

struct error_event {
  uint64_t turn_id = 0;
  std::string code;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, error_event& x) {
  return f(caf::meta::type_name("error_event"), x.turn_id, x.code, x.message);
}

/// Price comparison results shown during a turn.
struct comparison_event {
  uint64_t turn_id = 0;
  price_comparison comparison;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, comparison_event& x) {
  return f(caf::meta::type_name("comparison_event"), x.turn_id, x.comparison);
}

CARTMATE_REQUEST(user_turn, turn_summary, orchestrator, false);  // a turn is never replayed

}  // namespace cartmate::protocol
