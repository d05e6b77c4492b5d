// migrations.cpp — parsing migration file names and applying them one transaction at a time.
#include "adapters/stores/postgres/migrations.hpp"

#include <algorithm>
#include <cctype>

#include <pqxx/pqxx>

#include <spdlog/spdlog.h>

#include "protocol/errors.hpp"

namespace cartmate::stores::pg {

std::vector<std::pair<std::string, std::string>> embedded_migration_sources();   // generated

namespace {

using protocol::errc;
using protocol::make_error;

// Any constant shared by every runner; it only has to differ from other advisory locks.
constexpr int64_t migration_lock_id = 0x636172746d617465;   // "cartmate"

constexpr const char* create_table_sql =
  "CREATE TABLE IF NOT EXISTS schema_migrations ("
  " version integer PRIMARY KEY,"
  " name text NOT NULL,"
  " checksum bigint NOT NULL,"
  " applied_at timestamptz NOT NULL DEFAULT now())";

/// The NNNN of "NNNN_name.sql", or -1 when the name has another shape.
int version_of(const std::string& name) {
  constexpr size_t digits = 4;
  const std::string suffix = ".sql";
  if (name.size() < digits + 1 + 1 + suffix.size() || name[digits] != '_'
      || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  int version = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i])))
      return -1;
    version = version * 10 + (name[i] - '0');
  }
  for (size_t i = digits + 1; i < name.size() - suffix.size(); ++i) {
    auto ch = static_cast<unsigned char>(name[i]);
    if (!(std::islower(ch) || std::isdigit(ch) || ch == '_'))
      return -1;
  }
  return version;
}

}  // namespace

caf::expected<std::vector<migration>>
make_migrations(std::vector<std::pair<std::string, std::string>> sources) {
  std::vector<migration> out;
  out.reserve(sources.size());
  for (auto& [name, sql] : sources) {
    auto version = version_of(name);
    if (version <= 0)
      return make_error(errc::invalid_argument,
                        "migration file " + name + " is not named NNNN_lower_case_name.sql "
                        "with NNNN above 0000");
    out.push_back(migration{version, std::move(name), std::move(sql)});
  }
  std::sort(out.begin(), out.end(),
            [](const migration& a, const migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version)
      return make_error(errc::invalid_argument, "migration files " + out[i - 1].name + " and "
                                                  + out[i].name + " share a version");
  return out;
}

caf::expected<std::vector<migration>> embedded_migrations() {
  return make_migrations(embedded_migration_sources());
}

int64_t migration_checksum(const std::string& sql) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char ch : sql) {
    hash ^= ch;
    hash *= 1099511628211ull;
  }
  return static_cast<int64_t>(hash);
}

caf::expected<std::vector<int>> applied_migrations(pg_connection& conn) {
  return conn.run([](pqxx::connection& c) -> caf::expected<std::vector<int>> {
    pqxx::read_transaction tx{c};
    auto exists = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
    std::vector<int> versions;
    if (!exists[0][0].as<bool>())
      return versions;
    for (const auto& row : tx.exec("SELECT version FROM schema_migrations ORDER BY version"))
      versions.push_back(row[0].as<int>());
    return versions;
  }, pg_retry::once_if_stale);
}

caf::expected<std::vector<int>> apply_migrations(pg_connection& conn,
                                                  const std::vector<migration>& migrations) {
  std::vector<int> applied;
  for (const auto& m : migrations) {
    // Re-running a migration's transaction is safe: it re-checks the record under the lock.
    auto step = conn.run([&m](pqxx::connection& c) -> caf::expected<bool> {
      pqxx::work tx{c};
      tx.exec("SET LOCAL client_min_messages = warning");
      tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(migration_lock_id) + ")");
      tx.exec(create_table_sql);
      auto recorded = tx.exec("SELECT checksum FROM schema_migrations WHERE version = "
                              + std::to_string(m.version));
      auto checksum = migration_checksum(m.sql);
      if (!recorded.empty()) {
        if (recorded[0][0].as<int64_t>() != checksum)
          return make_error(errc::conflict, "migration " + m.name
                                              + " was changed after it was applied; add a new "
                                                "migration instead of editing an applied one");
        return false;
      }
      try {
        tx.exec(m.sql);
      } catch (const pqxx::sql_error& e) {
        if (is_connection_sqlstate(e.sqlstate()))
          throw;
        return make_error(errc::agent_error, "migration " + m.name + " failed: " + e.what());
      }
      tx.exec("INSERT INTO schema_migrations (version, name, checksum) VALUES ("
              + std::to_string(m.version) + ", " + tx.quote(m.name) + ", "
              + std::to_string(checksum) + ")");
      tx.commit();
      return true;
    }, pg_retry::once_if_stale);
    if (!step) {
      auto detail = protocol::describe(step.error());
      spdlog::error("postgres: {}", detail);
      if (protocol::errc_of(step.error()) == errc::unavailable)
        return make_error(errc::unavailable, "migration " + m.name + " not applied: " + detail);
      return std::move(step.error());
    }
    if (*step) {
      spdlog::info("postgres: applied migration {}", m.name);
      applied.push_back(m.version);
    }
  }
  return applied;
}

}  // namespace cartmate::stores::pg
