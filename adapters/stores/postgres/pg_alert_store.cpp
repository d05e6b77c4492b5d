// pg_alert_store.cpp — alerts as rows under a unique idempotency key; fire() is one transaction:
// a conditional UPDATE (only an active alert fires, so two racing triggers fire it once) and
// the outbox INSERT ... ON CONFLICT DO NOTHING on the notification id.
#include "adapters/stores/postgres/pg_alert_store.hpp"

#include <utility>

#include <pqxx/pqxx>

#include "adapters/stores/postgres/pg_pool.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores::pg {

namespace {

using protocol::errc;
using protocol::make_error;

#define CARTMATE_ALERT_COLUMNS                                                        \
  "alert_id, user_id, product_id, condition, threshold, reference_price_minor,"       \
  " created_ms, active, tenant, product_title"

const pg_statement statements[] = {
  {"alert_by_key",
   "SELECT " CARTMATE_ALERT_COLUMNS " FROM alerts"
   " WHERE tenant = $1 AND user_id = $2 AND idempotency_key = $3"},
  {"alert_insert",
   "INSERT INTO alerts (alert_no, alert_id, tenant, user_id, idempotency_key, product_id,"
   " product_title, condition, threshold, reference_price_minor, created_ms)"
   " SELECT n, 'alr-' || lpad(n::text, 8, '0'), $1::text, $2::text, $3::text, $4::text,"
   " $5::text, $6::smallint, $7::bigint, $8::bigint, $9::bigint"
   " FROM (SELECT nextval('alert_numbers') AS n) s"
   " ON CONFLICT (tenant, user_id, idempotency_key) DO NOTHING"
   " RETURNING " CARTMATE_ALERT_COLUMNS},
  {"alert_list",
   "SELECT " CARTMATE_ALERT_COLUMNS " FROM alerts"
   " WHERE tenant = $1 AND user_id = $2 AND NOT deleted ORDER BY alert_no"},
  {"alert_delete",
   "UPDATE alerts SET deleted = true, active = false"
   " WHERE tenant = $1 AND user_id = $2 AND alert_id = $3"},
  {"alert_watching",
   "SELECT " CARTMATE_ALERT_COLUMNS " FROM alerts"
   " WHERE product_id = $1 AND active ORDER BY alert_no"},
  {"alert_watched", "SELECT DISTINCT product_id FROM alerts WHERE active ORDER BY product_id"},
  {"alert_fire",
   "UPDATE alerts SET active = false, fired_ms = $3"
   " WHERE tenant = $1 AND alert_id = $2 AND active AND NOT deleted"},
  {"outbox_insert",
   "INSERT INTO notification_outbox (tenant, notification_id, user_id, alert_id, product_id,"
   " text, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)"
   " ON CONFLICT (tenant, notification_id) DO NOTHING"},
};

#undef CARTMATE_ALERT_COLUMNS

void prepare_all(pg_connection& pc, pqxx::connection& c) {
  for (const auto& s : statements)
    pc.ensure_prepared(c, s);
}

stored_alert stored_of(const pqxx::row& row) {
  stored_alert s;
  s.alert.alert_id = row[0].as<std::string>();
  s.alert.user = row[1].as<std::string>();
  s.alert.product_id = row[2].as<std::string>();
  s.alert.condition = static_cast<protocol::alert_condition>(row[3].as<int>());
  s.alert.threshold = row[4].as<int64_t>();
  s.alert.reference_price_minor = row[5].as<int64_t>();
  s.alert.created_ms = row[6].as<int64_t>();
  s.alert.active = row[7].as<bool>();
  s.tenant = row[8].as<std::string>();
  s.product_title = row[9].as<std::string>();
  return s;
}

/// The alert of an alert_by_key row, or a conflict when it answered another request.
caf::expected<protocol::alert> recorded_alert(const pqxx::row& row, const std::string& key,
                                              const alert_spec& spec) {
  auto s = stored_of(row);
  alert_spec recorded;
  recorded.product_id = s.alert.product_id;
  recorded.condition = s.alert.condition;
  recorded.threshold = s.alert.threshold;
  if (!recorded.same_request(spec))
    return make_error(errc::conflict,
                      "idempotency key " + key + " was already used for a different alert");
  return std::move(s.alert);
}

}  // namespace

pg_alert_store::pg_alert_store(pg_options opts) : own_(std::move(opts)) {
  // nop: the connection opens on first use
}

template <class F>
auto pg_alert_store::with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>())) {
  if (auto* worker = pg_pool::worker_connection())
    return fn(*worker);
  std::lock_guard<std::mutex> guard{own_mutex_};
  return fn(own_);
}

caf::expected<protocol::alert> pg_alert_store::create(const user_key& who,
                                                      const std::string& idempotency_key,
                                                      const alert_spec& spec) {
  if (idempotency_key.empty())
    return make_error(errc::invalid_argument, "an alert needs an idempotency key");
  if (spec.product_id.empty())
    return make_error(errc::invalid_argument, "an alert needs a product");
  // Safe to repeat: a lost answer to a committed insert finds the row by its key.
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<protocol::alert> {
      prepare_all(pc, c);
      pqxx::work tx{c};
      auto made = tx.exec_prepared("alert_insert", who.tenant, who.user, idempotency_key,
                                   spec.product_id, spec.product_title,
                                   static_cast<int>(spec.condition), spec.threshold,
                                   spec.reference_price_minor, spec.created_ms);
      if (!made.empty()) {
        auto out = stored_of(made[0]).alert;
        tx.commit();
        return out;
      }
      auto earlier = tx.exec_prepared("alert_by_key", who.tenant, who.user, idempotency_key);
      if (earlier.empty())
        return make_error(errc::agent_error, "alert insert neither stored nor found a row");
      return recorded_alert(earlier[0], idempotency_key, spec);
    }, pg_retry::once_if_stale);
  });
}

caf::expected<std::optional<protocol::alert>>
pg_alert_store::find_created(const user_key& who, const std::string& idempotency_key,
                             const alert_spec& spec) {
  using result_t = caf::expected<std::optional<protocol::alert>>;
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> result_t {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      auto rows = tx.exec_prepared("alert_by_key", who.tenant, who.user, idempotency_key);
      if (rows.empty())
        return std::optional<protocol::alert>{};
      auto recorded = recorded_alert(rows[0], idempotency_key, spec);
      if (!recorded)
        return std::move(recorded.error());
      return std::optional<protocol::alert>{std::move(*recorded)};
    }, pg_retry::once_if_stale);
  });
}

caf::expected<std::vector<protocol::alert>> pg_alert_store::list(const user_key& who) {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<std::vector<protocol::alert>> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      std::vector<protocol::alert> out;
      for (const auto& row : tx.exec_prepared("alert_list", who.tenant, who.user))
        out.push_back(stored_of(row).alert);
      return out;
    }, pg_retry::once_if_stale);
  });
}

caf::error pg_alert_store::remove(const user_key& who, const std::string& alert_id) {
  auto found = with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<bool> {
      prepare_all(pc, c);
      pqxx::work tx{c};
      auto r = tx.exec_prepared("alert_delete", who.tenant, who.user, alert_id);
      tx.commit();
      return r.affected_rows() == 1;
    }, pg_retry::once_if_stale);
  });
  if (!found)
    return std::move(found.error());
  if (!*found)
    return make_error(errc::not_found, "you have no alert " + alert_id);
  return {};
}

caf::expected<std::vector<stored_alert>> pg_alert_store::watching(const std::string& product_id) {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<std::vector<stored_alert>> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      std::vector<stored_alert> out;
      for (const auto& row : tx.exec_prepared("alert_watching", product_id))
        out.push_back(stored_of(row));
      return out;
    }, pg_retry::once_if_stale);
  });
}

caf::expected<std::vector<std::string>> pg_alert_store::watched_products() {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<std::vector<std::string>> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      std::vector<std::string> out;
      for (const auto& row : tx.exec_prepared("alert_watched"))
        out.push_back(row[0].as<std::string>());
      return out;
    }, pg_retry::once_if_stale);
  });
}

caf::expected<bool> pg_alert_store::fire(const std::string& tenant, const std::string& alert_id,
                                         const protocol::notification_event& n) {
  if (n.notification_id.empty())
    return make_error(errc::invalid_argument, "a notification needs an id");
  // Safe to repeat: after a lost commit answer the UPDATE finds the alert inactive and the
  // notification is already in the outbox (fetched on the next connect).
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<bool> {
      prepare_all(pc, c);
      pqxx::work tx{c};
      auto fired = tx.exec_prepared("alert_fire", tenant, alert_id, n.created_ms);
      if (fired.affected_rows() != 1)
        return false;   // rolled back: nothing to change
      tx.exec_prepared("outbox_insert", tenant, n.notification_id, n.user, alert_id,
                       n.product_id, n.text, n.created_ms);
      tx.commit();
      return true;
    }, pg_retry::once_if_stale);
  });
}

}  // namespace cartmate::stores::pg
