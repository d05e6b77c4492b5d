// pg_cart_store.cpp — cart writes and orders as short transactions. Writers of one cart queue on
// its carts row (SELECT ... FOR UPDATE) before they look at the idempotency key, so two
// concurrent writes with one key apply once; cart_writes_once is the backstop.
#include "adapters/stores/postgres/pg_cart_store.hpp"

#include <cstdio>
#include <utility>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "adapters/stores/cart_rules.hpp"
#include "adapters/stores/postgres/pg_pool.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores::pg {

namespace {

using protocol::errc;
using protocol::make_error;

const pg_statement statements[] = {
  {"cart_ensure", "INSERT INTO carts (tenant, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"},
  {"cart_lock", "SELECT version FROM carts WHERE tenant = $1 AND user_id = $2 FOR UPDATE"},
  {"cart_get",
   "SELECT c.version, l.product_id, l.title, l.unit_minor, l.currency, l.quantity"
   " FROM carts c LEFT JOIN cart_lines l ON l.tenant = c.tenant AND l.user_id = c.user_id"
   " WHERE c.tenant = $1 AND c.user_id = $2 ORDER BY l.line_seq"},
  {"cart_lines",
   "SELECT product_id, title, unit_minor, currency, quantity FROM cart_lines"
   " WHERE tenant = $1 AND user_id = $2 ORDER BY line_seq"},
  {"cart_find_write",
   "SELECT op_kind, product_id, quantity, result_version, result_lines::text FROM cart_writes"
   " WHERE tenant = $1 AND user_id = $2 AND idempotency_key = $3"},
  {"cart_put_line",
   "INSERT INTO cart_lines (tenant, user_id, product_id, title, unit_minor, currency, quantity)"
   " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant, user_id, product_id) DO UPDATE"
   " SET title = EXCLUDED.title, unit_minor = EXCLUDED.unit_minor,"
   " currency = EXCLUDED.currency, quantity = EXCLUDED.quantity"},
  {"cart_delete_line",
   "DELETE FROM cart_lines WHERE tenant = $1 AND user_id = $2 AND product_id = $3"},
  {"cart_clear", "DELETE FROM cart_lines WHERE tenant = $1 AND user_id = $2"},
  {"cart_bump",
   "UPDATE carts SET version = version + 1 WHERE tenant = $1 AND user_id = $2 RETURNING version"},
  {"cart_record_write",
   "INSERT INTO cart_writes (tenant, user_id, idempotency_key, op_kind, product_id, quantity,"
   " result_version, result_lines) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)"},
  {"order_next_no", "SELECT nextval('order_numbers')"},
  {"order_insert",
   "INSERT INTO orders (order_no, order_id, tenant, user_id, idempotency_key, total_minor,"
   " currency, cart_version, created_ms, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"},
  {"order_insert_line",
   "INSERT INTO order_lines (order_no, line_no, product_id, title, unit_minor, unit_currency,"
   " quantity, line_total_minor, line_currency) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"},
  {"order_by_key",
   "SELECT o.order_no, o.order_id, o.total_minor, o.currency, o.created_ms, o.status,"
   " l.product_id, l.title, l.unit_minor, l.unit_currency, l.quantity, l.line_total_minor,"
   " l.line_currency FROM orders o LEFT JOIN order_lines l ON l.order_no = o.order_no"
   " WHERE o.tenant = $1 AND o.user_id = $2 AND o.idempotency_key = $3 ORDER BY l.line_no"},
  {"order_list",
   "SELECT o.order_no, o.order_id, o.total_minor, o.currency, o.created_ms, o.status,"
   " l.product_id, l.title, l.unit_minor, l.unit_currency, l.quantity, l.line_total_minor,"
   " l.line_currency FROM orders o LEFT JOIN order_lines l ON l.order_no = o.order_no"
   " WHERE o.tenant = $1 AND o.user_id = $2 ORDER BY o.order_no DESC, l.line_no"},
};

void prepare_all(pg_connection& pc, pqxx::connection& c) {
  for (const auto& s : statements)
    pc.ensure_prepared(c, s);
}

protocol::cart_line line_of(const pqxx::row& row, int first) {
  protocol::cart_line line;
  line.product_id = row[first].as<std::string>();
  line.title = row[first + 1].as<std::string>();
  line.unit_price = protocol::money{row[first + 2].as<int64_t>(), row[first + 3].as<std::string>()};
  line.quantity = row[first + 4].as<int32_t>();
  line.line_total = protocol::money{line.unit_price.minor * line.quantity, line.unit_price.currency};
  return line;
}

std::string lines_to_json(const std::vector<protocol::cart_line>& lines) {
  auto out = nlohmann::json::array();
  for (const auto& l : lines)
    out.push_back({{"product_id", l.product_id}, {"title", l.title},
                   {"unit_minor", l.unit_price.minor}, {"currency", l.unit_price.currency},
                   {"quantity", l.quantity}, {"total_minor", l.line_total.minor},
                   {"total_currency", l.line_total.currency}});
  return out.dump();
}

std::vector<protocol::cart_line> lines_from_json(const std::string& text) {
  std::vector<protocol::cart_line> lines;
  for (const auto& j : nlohmann::json::parse(text)) {
    protocol::cart_line l;
    l.product_id = j.at("product_id").get<std::string>();
    l.title = j.at("title").get<std::string>();
    l.unit_price = protocol::money{j.at("unit_minor").get<int64_t>(),
                                   j.at("currency").get<std::string>()};
    l.quantity = j.at("quantity").get<int32_t>();
    l.line_total = protocol::money{j.at("total_minor").get<int64_t>(),
                                   j.at("total_currency").get<std::string>()};
    lines.push_back(std::move(l));
  }
  return lines;
}

caf::error key_conflict(const std::string& key) {
  return make_error(errc::conflict, "idempotency key " + key
                                      + " was already used for a different cart change");
}

/// The recorded result of a cart_find_write row, or a conflict when it was another write.
caf::expected<cart_snapshot> recorded_result(const pqxx::row& row, const std::string& key,
                                             const cart_op& op) {
  cart_op recorded{static_cast<cart_op_kind>(row[0].as<int>()), row[1].as<std::string>(),
                   row[2].as<int32_t>()};
  if (recorded != op)
    return key_conflict(key);
  cart_snapshot result;
  result.version = static_cast<uint64_t>(row[3].as<int64_t>());
  result.lines = lines_from_json(row[4].as<std::string>());
  return result;
}

/// Orders from rows of order_by_key / order_list (one row per line, lines of an order adjacent).
std::vector<protocol::order> orders_of(const pqxx::result& rows, const std::string& user) {
  std::vector<protocol::order> out;
  int64_t current = -1;
  for (const auto& row : rows) {
    auto order_no = row[0].as<int64_t>();
    if (order_no != current) {
      current = order_no;
      protocol::order o;
      o.order_id = row[1].as<std::string>();
      o.user = user;
      o.total = protocol::money{row[2].as<int64_t>(), row[3].as<std::string>()};
      o.created_ms = row[4].as<int64_t>();
      o.status = row[5].as<std::string>();
      out.push_back(std::move(o));
    }
    if (row[6].is_null())
      continue;   // an order without lines (never written, but harmless to read)
    protocol::cart_line l;
    l.product_id = row[6].as<std::string>();
    l.title = row[7].as<std::string>();
    l.unit_price = protocol::money{row[8].as<int64_t>(), row[9].as<std::string>()};
    l.quantity = row[10].as<int32_t>();
    l.line_total = protocol::money{row[11].as<int64_t>(), row[12].as<std::string>()};
    out.back().lines.push_back(std::move(l));
  }
  return out;
}

std::string order_id_for(int64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "ord-%08lld", static_cast<long long>(number));
  return buf;
}

/// Creates the cart row if missing and locks it; returns the cart's version.
int64_t lock_cart(pqxx::work& tx, const user_key& who) {
  tx.exec_prepared("cart_ensure", who.tenant, who.user);
  return tx.exec_prepared("cart_lock", who.tenant, who.user)[0][0].as<int64_t>();
}

}  // namespace

pg_cart_store::pg_cart_store(pg_options opts, size_t own_connections)
  : opts_(std::move(opts)), max_own_(std::max<size_t>(own_connections, 1)) {
  // nop: connections open on first use
}

pg_cart_store::~pg_cart_store() = default;

std::unique_ptr<pg_connection> pg_cart_store::checkout() {
  std::unique_lock<std::mutex> guard{mutex_};
  available_.wait(guard, [this] { return !idle_.empty() || open_ < max_own_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  return std::make_unique<pg_connection>(opts_);
}

void pg_cart_store::checkin(std::unique_ptr<pg_connection> conn) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

template <class F>
auto pg_cart_store::with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>())) {
  if (auto* worker = pg_pool::worker_connection())
    return fn(*worker);
  auto conn = checkout();
  struct give_back {
    pg_cart_store* store;
    std::unique_ptr<pg_connection>& conn;
    ~give_back() { store->checkin(std::move(conn)); }
  } guard{this, conn};
  return fn(*conn);
}

caf::expected<cart_snapshot> pg_cart_store::get_cart(const user_key& who) {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<cart_snapshot> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      cart_snapshot cart;
      for (const auto& row : tx.exec_prepared("cart_get", who.tenant, who.user)) {
        cart.version = static_cast<uint64_t>(row[0].as<int64_t>());
        if (!row[1].is_null())
          cart.lines.push_back(line_of(row, 1));
      }
      return cart;
    }, pg_retry::once_if_stale);
  });
}

caf::expected<std::optional<cart_snapshot>>
pg_cart_store::find_write(const user_key& who, const std::string& idempotency_key,
                          const cart_op& op) {
  using result_t = caf::expected<std::optional<cart_snapshot>>;
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> result_t {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      auto rows = tx.exec_prepared("cart_find_write", who.tenant, who.user, idempotency_key);
      if (rows.empty())
        return std::optional<cart_snapshot>{};
      auto recorded = recorded_result(rows[0], idempotency_key, op);
      if (!recorded)
        return std::move(recorded.error());
      return std::optional<cart_snapshot>{std::move(*recorded)};
    }, pg_retry::once_if_stale);
  });
}

caf::expected<cart_snapshot> pg_cart_store::apply_write(const user_key& who,
                                                        const std::string& idempotency_key,
                                                        const cart_op& op,
                                                        const line_facts& facts) {
  if (idempotency_key.empty())
    return make_error(errc::invalid_argument, "a cart change needs an idempotency key");
  // A second round only follows a unique violation on the key: the write committed elsewhere
  // meanwhile, so the next round finds and returns its recorded result.
  bool raced = false;
  auto once = [&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<cart_snapshot> {
      prepare_all(pc, c);
      pqxx::work tx{c};
      auto version = lock_cart(tx, who);
      auto recorded = tx.exec_prepared("cart_find_write", who.tenant, who.user, idempotency_key);
      if (!recorded.empty())
        return recorded_result(recorded[0], idempotency_key, op);
      cart_snapshot cart;
      cart.version = static_cast<uint64_t>(version);
      for (const auto& row : tx.exec_prepared("cart_lines", who.tenant, who.user))
        cart.lines.push_back(line_of(row, 0));
      auto next = apply_cart_op(cart, op, facts);
      if (!next)
        return std::move(next.error());   // rolled back: nothing changed, nothing recorded
      if (op.kind == cart_op_kind::remove) {
        tx.exec_prepared("cart_delete_line", who.tenant, who.user, op.product_id);
      } else {
        for (const auto& line : next->lines)
          if (line.product_id == op.product_id)
            tx.exec_prepared("cart_put_line", who.tenant, who.user, line.product_id, line.title,
                             line.unit_price.minor, line.unit_price.currency, line.quantity);
      }
      tx.exec_prepared("cart_bump", who.tenant, who.user);
      try {
        tx.exec_prepared("cart_record_write", who.tenant, who.user, idempotency_key,
                         static_cast<int>(op.kind), op.product_id, op.quantity,
                         static_cast<int64_t>(next->version), lines_to_json(next->lines));
      } catch (const pqxx::unique_violation&) {
        raced = true;
        return make_error(errc::conflict, "idempotency key " + idempotency_key + " raced");
      }
      tx.commit();
      return std::move(*next);
    }, pg_retry::once_if_stale);
  };
  return with_connection([&](pg_connection& pc) {
    auto result = once(pc);
    if (!result && raced)
      result = once(pc);
    return result;
  });
}

caf::expected<protocol::order> pg_cart_store::place_order(const user_key& who,
                                                          const checkout_snapshot& snapshot,
                                                          const std::string& idempotency_key,
                                                          int64_t created_ms) {
  if (idempotency_key.empty())
    return make_error(errc::invalid_argument, "an order needs an idempotency key");
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<protocol::order> {
      prepare_all(pc, c);
      pqxx::work tx{c};
      auto version = lock_cart(tx, who);
      auto earlier = tx.exec_prepared("order_by_key", who.tenant, who.user, idempotency_key);
      if (!earlier.empty())
        return orders_of(earlier, who.user).front();
      if (snapshot.lines.empty())
        return make_error(errc::invalid_argument, "there is nothing to order");
      if (static_cast<uint64_t>(version) != snapshot.cart_version)
        return make_error(errc::conflict, "the cart changed after the checkout was prepared");
      auto order_no = tx.exec_prepared("order_next_no")[0][0].as<int64_t>();
      protocol::order placed;
      placed.order_id = order_id_for(order_no);
      placed.user = who.user;
      placed.lines = snapshot.lines;
      placed.total = snapshot.total;
      placed.created_ms = created_ms;
      placed.status = "placed";
      tx.exec_prepared("order_insert", order_no, placed.order_id, who.tenant, who.user,
                       idempotency_key, placed.total.minor, placed.total.currency,
                       static_cast<int64_t>(snapshot.cart_version), created_ms, placed.status);
      int line_no = 0;
      for (const auto& l : placed.lines)
        tx.exec_prepared("order_insert_line", order_no, line_no++, l.product_id, l.title,
                         l.unit_price.minor, l.unit_price.currency, l.quantity,
                         l.line_total.minor, l.line_total.currency);
      tx.exec_prepared("cart_clear", who.tenant, who.user);
      tx.exec_prepared("cart_bump", who.tenant, who.user);
      tx.commit();
      return placed;
    }, pg_retry::once_if_stale);
  });
}

caf::expected<std::optional<protocol::order>>
pg_cart_store::find_order(const user_key& who, const std::string& idempotency_key) {
  using result_t = caf::expected<std::optional<protocol::order>>;
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> result_t {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      auto rows = tx.exec_prepared("order_by_key", who.tenant, who.user, idempotency_key);
      if (rows.empty())
        return std::optional<protocol::order>{};
      return std::optional<protocol::order>{orders_of(rows, who.user).front()};
    }, pg_retry::once_if_stale);
  });
}

caf::expected<std::vector<protocol::order>> pg_cart_store::list_orders(const user_key& who) {
  return with_connection([&](pg_connection& pc) {
    return pc.run([&](pqxx::connection& c) -> caf::expected<std::vector<protocol::order>> {
      prepare_all(pc, c);
      pqxx::read_transaction tx{c};
      return orders_of(tx.exec_prepared("order_list", who.tenant, who.user), who.user);
    }, pg_retry::once_if_stale);
  });
}

}  // namespace cartmate::stores::pg
