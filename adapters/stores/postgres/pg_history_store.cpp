// pg_history_store.cpp — one prepared INSERT ... ON CONFLICT DO NOTHING per turn; when the key
// was taken, the stored row decides between "already there" and a conflict.
#include "adapters/stores/postgres/pg_history_store.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include <pqxx/pqxx>

#include "adapters/stores/postgres/pg_arrays.hpp"
#include "adapters/stores/postgres/pg_pool.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores::pg {

namespace {

using protocol::errc;
using protocol::make_error;

#define CARTMATE_TURN_COLUMNS                                                            \
  "tenant, session_id, seq, user_id, at_ms, input, user_text, product_ref, intents, agents," \
  " reply, latency_us, degraded, degraded_reasons, confirmation_asked, order_id, product_ids," \
  " cart_items"

const pg_statement statements[] = {
  {"history_insert",
   "INSERT INTO conversation_turns (" CARTMATE_TURN_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6,"
   " $7, $8, $9::text[], $10::text[], $11, $12, $13, $14::text[], $15, $16, $17::text[],"
   " CASE WHEN $18 THEN $19::integer END) ON CONFLICT (tenant, session_id, seq) DO NOTHING"},
  {"history_one",
   "SELECT " CARTMATE_TURN_COLUMNS " FROM conversation_turns"
   " WHERE tenant = $1 AND session_id = $2 AND seq = $3"},
  {"history_list",
   "SELECT " CARTMATE_TURN_COLUMNS " FROM conversation_turns"
   " WHERE tenant = $1 AND session_id = $2 ORDER BY seq"},
  // The session's user is its first turn's; NOT $2 lists every user's sessions.
  {"history_sessions",
   "SELECT session_id, (array_agg(user_id ORDER BY seq))[1], count(*), min(at_ms), max(at_ms)"
   " FROM conversation_turns WHERE tenant = $1 GROUP BY session_id"
   " HAVING NOT $2 OR (array_agg(user_id ORDER BY seq))[1] = $3"
   " ORDER BY max(at_ms) DESC, session_id LIMIT $4"},
};

#undef CARTMATE_TURN_COLUMNS

void prepare_all(pg_connection& pc, pqxx::connection& c) {
  for (const auto& s : statements)
    pc.ensure_prepared(c, s);
}

turn_record record_of(const pqxx::row& row) {
  turn_record r;
  r.tenant = row[0].as<std::string>();
  r.session_id = row[1].as<std::string>();
  r.seq = static_cast<uint64_t>(row[2].as<int64_t>());
  r.user = row[3].as<std::string>();
  r.at_ms = row[4].as<int64_t>();
  r.input = static_cast<protocol::turn_input>(row[5].as<int>());
  r.user_text = row[6].as<std::string>();
  r.product_ref = row[7].as<std::string>();
  r.intents = text_array_of(row[8]);
  r.agents = text_array_of(row[9]);
  r.reply = row[10].as<std::string>();
  r.latency_us = row[11].as<int64_t>();
  r.degraded = row[12].as<bool>();
  r.degraded_reasons = text_array_of(row[13]);
  r.confirmation_asked = row[14].as<bool>();
  r.order_id = row[15].as<std::string>();
  r.product_ids = text_array_of(row[16]);
  if (!row[17].is_null())
    r.cart_items = row[17].as<int32_t>();
  return r;
}

}  // namespace

pg_history_store::pg_history_store(pg_options opts) : own_(std::move(opts)) {
  // nop: the connection opens on first use
}

template <class F>
auto pg_history_store::with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>())) {
  if (auto* worker = pg_pool::worker_connection())
    return fn(*worker);
  std::lock_guard<std::mutex> guard{own_mutex_};
  return fn(own_);
}

caf::error pg_history_store::append(const turn_record& turn) {
  if (auto err = check_turn_record(turn))
    return err;
  if (turn.seq > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return make_error(errc::invalid_argument, "turn number out of range");
  // Safe to repeat: a lost answer to a committed insert finds the row on the retry.
  auto stored = with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<bool> {
      prepare_all(pc, c);
      pqxx::work tx{c};
      auto seq = static_cast<int64_t>(turn.seq);
      auto inserted = tx.exec_prepared(
        "history_insert", turn.tenant, turn.session_id, seq, turn.user, turn.at_ms,
        static_cast<int>(turn.input), turn.user_text, turn.product_ref,
        text_array_literal(turn.intents), text_array_literal(turn.agents), turn.reply,
        turn.latency_us, turn.degraded, text_array_literal(turn.degraded_reasons),
        turn.confirmation_asked, turn.order_id, text_array_literal(turn.product_ids),
        turn.cart_items.has_value(), turn.cart_items.value_or(0));
      if (inserted.affected_rows() == 1) {
        tx.commit();
        return true;
      }
      auto existing = tx.exec_prepared("history_one", turn.tenant, turn.session_id, seq);
      return !existing.empty() && record_of(existing[0]) == turn;
    }, pg_retry::once_if_stale);
  });
  if (!stored)
    return std::move(stored.error());
  if (!*stored)
    return make_error(errc::conflict, "session " + turn.session_id
                                        + " already has a different turn "
                                        + std::to_string(turn.seq));
  return {};
}

caf::expected<std::vector<turn_record>> pg_history_store::list(const std::string& tenant,
                                                               const std::string& session_id) {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<std::vector<turn_record>> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      std::vector<turn_record> out;
      for (const auto& row : tx.exec_prepared("history_list", tenant, session_id))
        out.push_back(record_of(row));
      return out;
    }, pg_retry::once_if_stale);
  });
}

caf::expected<std::vector<session_info>>
pg_history_store::list_sessions(const std::string& tenant,
                                const std::optional<std::string>& user, size_t limit) {
  auto max_rows = static_cast<int64_t>(std::min<size_t>(limit, 1u << 30));
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<std::vector<session_info>> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      std::vector<session_info> out;
      for (const auto& row : tx.exec_prepared("history_sessions", tenant, user.has_value(),
                                              user.value_or(std::string{}), max_rows)) {
        session_info info;
        info.session_id = row[0].as<std::string>();
        info.user = row[1].as<std::string>();
        info.turns = static_cast<uint64_t>(row[2].as<int64_t>());
        info.first_ms = row[3].as<int64_t>();
        info.last_ms = row[4].as<int64_t>();
        out.push_back(std::move(info));
      }
      return out;
    }, pg_retry::once_if_stale);
  });
}

}  // namespace cartmate::stores::pg
