// alert_rules.cpp — condition checks in integer arithmetic (no rounding surprises at the edge of
// a percentage) and the texts the shopper sees.
#include "actors/alerts/alert_rules.hpp"

#include <utility>

#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"

namespace cartmate::actors::alerts {

namespace {

using protocol::alert_condition;
using protocol::errc;
using protocol::make_error;

std::string group_thousands(int64_t v) {
  auto digits = std::to_string(v);
  std::string out;
  auto n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    out += digits[i];
    auto left = n - 1 - i;
    if (left > 0 && left % 3 == 0)
      out += ',';
  }
  return out;
}

std::string title_of(const stores::stored_alert& a) {
  return a.product_title.empty() ? a.alert.product_id : a.product_title;
}

std::string where_text(const price_observation& seen) {
  return seen.where.empty() ? std::string{} : " at " + seen.where;
}

}  // namespace

std::string format_price(int64_t minor, const std::string& currency) {
  int digits = protocol::minor_digits(currency);
  int64_t scale = 1;
  for (int i = 0; i < digits; ++i)
    scale *= 10;
  bool negative = minor < 0;
  auto abs_minor = negative ? -minor : minor;
  std::string out = (currency.empty() ? "" : currency + " ") + (negative ? "-" : "")
                    + group_thousands(abs_minor / scale);
  if (digits > 0) {
    auto frac = std::to_string(abs_minor % scale);
    out += "." + std::string(static_cast<size_t>(digits) - frac.size(), '0') + frac;
  }
  return out;
}

price_observation observe(const protocol::price_event& e, const std::string& currency) {
  price_observation seen;
  seen.product_id = e.product_id;
  if (e.currency.empty() || e.currency == currency)
    seen.price_minor = e.new_price_minor;
  seen.old_stock = e.old_stock;
  seen.new_stock = e.new_stock;
  seen.event_key = !e.env.idempotency_key.empty()
                     ? "evt-" + e.env.idempotency_key
                     : "p" + std::to_string(e.new_price_minor) + "-s"
                         + std::to_string(e.new_stock);
  return seen;
}

price_observation observe(const protocol::price_comparison& c) {
  price_observation seen;
  seen.product_id = c.product_id;
  if (c.our_price.minor > 0)
    seen.price_minor = c.our_price.minor;
  for (const auto& o : c.offers) {
    if (!o.in_stock || o.price.minor <= 0)
      continue;
    if (!seen.price_minor || o.price.minor < *seen.price_minor) {
      seen.price_minor = o.price.minor;
      seen.where = o.retailer;
    }
  }
  seen.event_key = "chk-" + (seen.where.empty() ? std::string{"catalog"} : seen.where) + "-p"
                   + (seen.price_minor ? std::to_string(*seen.price_minor) : std::string{"none"});
  return seen;
}

std::optional<std::string> trigger_text(const stores::stored_alert& a,
                                        const price_observation& seen,
                                        const std::string& currency) {
  const auto& al = a.alert;
  if (!al.active || al.product_id != seen.product_id)
    return std::nullopt;
  auto stock_note = seen.new_stock && *seen.new_stock <= 0 ? " (currently out of stock)" : "";
  switch (al.condition) {
    case alert_condition::price_below:
      if (!seen.price_minor || *seen.price_minor >= al.threshold)
        return std::nullopt;
      return "Price alert: " + title_of(a) + " is now " + format_price(*seen.price_minor, currency)
             + where_text(seen) + ", below your " + format_price(al.threshold, currency)
             + stock_note + ".";
    case alert_condition::drop_percent: {
      auto ref = al.reference_price_minor;
      if (!seen.price_minor || ref <= 0 || al.threshold <= 0)
        return std::nullopt;
      auto drop = ref - *seen.price_minor;
      if (drop <= 0 || drop * 100 < al.threshold * ref)
        return std::nullopt;
      auto percent = drop * 100 / ref;
      return "Price alert: " + title_of(a) + " dropped " + std::to_string(percent) + "% to "
             + format_price(*seen.price_minor, currency) + where_text(seen) + " (was "
             + format_price(ref, currency) + ")" + stock_note + ".";
    }
    case alert_condition::back_in_stock:
      if (!seen.old_stock || !seen.new_stock || *seen.old_stock > 0 || *seen.new_stock <= 0)
        return std::nullopt;
      return "Back in stock: " + title_of(a) + " is available again"
             + (seen.price_minor ? " at " + format_price(*seen.price_minor, currency) : "")
             + ".";
  }
  return std::nullopt;
}

std::string notification_id_for(const std::string& alert_id, const std::string& event_key) {
  return alert_id + ":" + event_key;
}

caf::error check_alert_request(const protocol::alert_create& req) {
  if (req.product_id.empty())
    return make_error(errc::invalid_argument, "which product should I watch?");
  switch (req.condition) {
    case alert_condition::price_below:
      if (req.threshold <= 0)
        return make_error(errc::invalid_argument, "a price alert needs a price above zero");
      break;
    case alert_condition::drop_percent:
      if (req.threshold < 1 || req.threshold > 99)
        return make_error(errc::invalid_argument,
                          "a price drop must be between 1 and 99 percent, not "
                            + std::to_string(req.threshold));
      break;
    case alert_condition::back_in_stock:
      break;
  }
  return {};
}

protocol::price_event price_event_of(const protocol::catalog_change& change,
                                     protocol::envelope env) {
  protocol::price_event e;
  e.env = std::move(env);
  e.product_id = change.after.id;
  e.old_price_minor = change.old_price_minor;
  e.new_price_minor = change.after.price.minor;
  e.old_stock = change.old_stock;
  e.new_stock = change.after.stock;
  e.currency = change.after.price.currency;
  return e;
}

}  // namespace cartmate::actors::alerts
