// pg_profile_store.cpp — prepared SELECT and INSERT ... ON CONFLICT DO UPDATE of one jsonb row.
#include "adapters/style/pg_profile_store.hpp"

#include <chrono>

#include <pqxx/pqxx>

#include "adapters/stores/postgres/pg_pool.hpp"
#include "adapters/style/profile_codec.hpp"
#include "protocol/errors.hpp"

namespace cartmate::style {
namespace {

using protocol::errc;
using protocol::make_error;

const stores::pg::pg_statement get_statement{
  "style_profile_get", "SELECT profile::text FROM style_profiles WHERE tenant = $1 AND user_id = $2"};
const stores::pg::pg_statement put_statement{
  "style_profile_put",
  "INSERT INTO style_profiles (tenant, user_id, profile, updated_ms) VALUES ($1, $2, $3::jsonb, $4) "
  "ON CONFLICT (tenant, user_id) DO UPDATE SET profile = EXCLUDED.profile, updated_ms = EXCLUDED.updated_ms"};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

}  // namespace

pg_profile_store::pg_profile_store(stores::pg::pg_options opts) : own_(std::move(opts)) {
  // nop: the connection opens on first use
}

template <class F>
auto pg_profile_store::with_connection(F&& fn)
  -> decltype(fn(std::declval<stores::pg::pg_connection&>())) {
  if (auto* worker = stores::pg::pg_pool::worker_connection())
    return fn(*worker);
  std::lock_guard<std::mutex> guard{own_mutex_};
  return fn(own_);
}

caf::expected<learned_profile> pg_profile_store::get(const stores::user_key& who) {
  if (who.user.empty())
    return make_error(errc::invalid_argument, "a profile needs a user");
  auto text = with_connection([&](stores::pg::pg_connection& pc) {
    return pc.run(
      [&](pqxx::connection& c) -> caf::expected<std::optional<std::string>> {
        pc.ensure_prepared(c, get_statement);
        pqxx::read_transaction tx{c};
        auto rows = tx.exec_prepared(get_statement.name, who.tenant, who.user);
        if (rows.empty())
          return std::optional<std::string>{};
        return std::optional<std::string>{rows[0][0].as<std::string>()};
      },
      stores::pg::pg_retry::once_if_stale);
  });
  if (!text)
    return std::move(text.error());
  if (!*text)
    return learned_profile{};
  auto profile = decode_profile(**text);
  if (!profile)
    return make_error(errc::agent_error, "the stored style profile of " + who.user
                                           + " is unreadable: " + protocol::describe(profile.error()));
  return profile;
}

caf::error pg_profile_store::put(const stores::user_key& who, const learned_profile& profile) {
  if (who.user.empty())
    return make_error(errc::invalid_argument, "a profile needs a user");
  auto json = encode_profile(profile);
  // A whole-row replace: repeating it after a lost answer changes nothing.
  auto done = with_connection([&](stores::pg::pg_connection& pc) {
    return pc.run(
      [&](pqxx::connection& c) -> caf::expected<bool> {
        pc.ensure_prepared(c, put_statement);
        pqxx::work tx{c};
        tx.exec_prepared(put_statement.name, who.tenant, who.user, json, now_ms());
        tx.commit();
        return true;
      },
      stores::pg::pg_retry::once_if_stale);
  });
  return done ? caf::error{} : std::move(done.error());
}

}  // namespace cartmate::style
