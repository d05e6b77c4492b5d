// alert_messages.hpp — requests to the alert agent (price and stock alerts, notification
// outbox) and its answers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/ack.hpp"
#include "protocol/agent_kind.hpp"
#include "protocol/envelope.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "protocol/product.hpp"

namespace cartmate::protocol {

enum class alert_condition : uint8_t { price_below, drop_percent, back_in_stock };

struct alert {
  std::string alert_id;
  std::string user;
  std::string product_id;
  alert_condition condition = alert_condition::price_below;
  int64_t threshold = 0;       // minor units for price_below, percent for drop_percent
  int64_t reference_price_minor = 0;   // price when the alert was set
  int64_t created_ms = 0;
  bool active = true;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert& x) {
  return f(caf::meta::type_name("alert"), x.alert_id, x.user, x.product_id, x.condition,
           x.threshold, x.reference_price_minor, x.created_ms, x.active);
}

struct alert_create {
  envelope env;
  std::string product_id;
  alert_condition condition = alert_condition::price_below;
  int64_t threshold = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert_create& x) {
  return f(caf::meta::type_name("alert_create"), x.env, x.product_id, x.condition,
           x.threshold);
}

struct alert_list_request {
  envelope env;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert_list_request& x) {
  return f(caf::meta::type_name("alert_list_request"), x.env);
}

struct alert_list {
  std::vector<alert> alerts;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert_list& x) {
  return f(caf::meta::type_name("alert_list"), x.alerts);
}

struct alert_delete {
  envelope env;
  std::string alert_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert_delete& x) {
  return f(caf::meta::type_name("alert_delete"), x.env, x.alert_id);
}

/// A price or stock change of a watched product.
struct price_event {
  envelope env;
  std::string product_id;
  int64_t old_price_minor = 0;
  int64_t new_price_minor = 0;
  int32_t old_stock = 0;
  int32_t new_stock = 0;
  std::string currency;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, price_event& x) {
  return f(caf::meta::type_name("price_event"), x.env, x.product_id, x.old_price_minor,
           x.new_price_minor, x.old_stock, x.new_stock, x.currency);
}

/// The session confirms it showed a notification; only then is it marked delivered.
struct notification_ack {
  envelope env;
  std::string notification_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notification_ack& x) {
  return f(caf::meta::type_name("notification_ack"), x.env, x.notification_id);
}

/// The session's notifications not yet acknowledged, fetched when it connects (at-least-once:
/// the live bus may have shown some already; the session drops repeats by id).
struct notification_pending {
  envelope env;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notification_pending& x) {
  return f(caf::meta::type_name("notification_pending"), x.env);
}

struct notification_list {
  std::vector<notification_event> notifications;   // oldest first
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, notification_list& x) {
  return f(caf::meta::type_name("notification_list"), x.notifications);
}

CARTMATE_REQUEST(alert_create, alert, alerts, true);   // de-duplicated by idempotency key
CARTMATE_REQUEST(alert_list_request, alert_list, alerts, true);
CARTMATE_REQUEST(alert_delete, ack, alerts, true);
CARTMATE_REQUEST(price_event, ack, alerts, true);       // notifications are de-duplicated by id
CARTMATE_REQUEST(notification_ack, ack, alerts, true);
CARTMATE_REQUEST(notification_pending, notification_list, alerts, true);

}  // namespace cartmate::protocol
