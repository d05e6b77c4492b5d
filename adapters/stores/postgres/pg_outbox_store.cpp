// pg_outbox_store.cpp — pending rows in insertion order; an ack sets delivered_at once.
#include "adapters/stores/postgres/pg_outbox_store.hpp"

#include <utility>

#include <pqxx/pqxx>

#include "adapters/stores/postgres/pg_pool.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores::pg {

namespace {

const pg_statement statements[] = {
  {"outbox_pending",
   "SELECT notification_id, user_id, product_id, text, created_ms FROM notification_outbox"
   " WHERE tenant = $1 AND user_id = $2 AND delivered_at IS NULL ORDER BY seq"},
  // Updates the row only once; the SELECT tells an old ack from an unknown id.
  {"outbox_ack",
   "WITH hit AS (UPDATE notification_outbox SET delivered_at = now()"
   " WHERE tenant = $1 AND user_id = $2 AND notification_id = $3 AND delivered_at IS NULL"
   " RETURNING 1)"
   " SELECT EXISTS (SELECT 1 FROM hit) OR EXISTS (SELECT 1 FROM notification_outbox"
   " WHERE tenant = $1 AND user_id = $2 AND notification_id = $3)"},
};

void prepare_all(pg_connection& pc, pqxx::connection& c) {
  for (const auto& s : statements)
    pc.ensure_prepared(c, s);
}

}  // namespace

pg_outbox_store::pg_outbox_store(pg_options opts) : own_(std::move(opts)) {
  // nop: the connection opens on first use
}

template <class F>
auto pg_outbox_store::with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>())) {
  if (auto* worker = pg_pool::worker_connection())
    return fn(*worker);
  std::lock_guard<std::mutex> guard{own_mutex_};
  return fn(own_);
}

caf::expected<std::vector<protocol::notification_event>>
pg_outbox_store::pending(const user_key& who) {
  using result_t = caf::expected<std::vector<protocol::notification_event>>;
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> result_t {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      std::vector<protocol::notification_event> out;
      for (const auto& row : tx.exec_prepared("outbox_pending", who.tenant, who.user)) {
        protocol::notification_event n;
        n.notification_id = row[0].as<std::string>();
        n.user = row[1].as<std::string>();
        n.product_id = row[2].as<std::string>();
        n.text = row[3].as<std::string>();
        n.created_ms = row[4].as<int64_t>();
        out.push_back(std::move(n));
      }
      return out;
    }, pg_retry::once_if_stale);
  });
}

caf::error pg_outbox_store::acknowledge(const user_key& who,
                                        const std::string& notification_id) {
  auto known = with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<bool> {
      prepare_all(pc, c);
      pqxx::work tx{c};
      auto r = tx.exec_prepared("outbox_ack", who.tenant, who.user, notification_id);
      tx.commit();
      return r[0][0].as<bool>();
    }, pg_retry::once_if_stale);
  });
  if (!known)
    return std::move(known.error());
  if (!*known)
    return protocol::make_error(protocol::errc::not_found,
                                "no notification " + notification_id + " for this user");
  return {};
}

}  // namespace cartmate::stores::pg
