// store_options.hpp — the adapters' connection options from the configuration's postgres and
// redis sections, so every place that opens a server reads the same settings the same way.
// Threading: pure functions.
#pragma once

#include "adapters/stores/postgres/pg_connection.hpp"
#include "adapters/stores/redis/redis_connection.hpp"
#include "config/node_config.hpp"

namespace cartmate::actors {

inline stores::pg::pg_options pg_options_from(const config::postgres_settings& s) {
  stores::pg::pg_options o;
  o.conninfo = s.conninfo;
  o.connect_timeout_s = s.connect_timeout_s;
  o.statement_timeout_ms = static_cast<int>(s.statement_timeout.count());
  return o;
}

inline stores::redis::redis_options redis_options_from(const config::redis_settings& s) {
  stores::redis::redis_options o;
  o.host = s.host;
  o.port = static_cast<uint16_t>(s.port);
  o.password = s.password;
  o.database = s.database;
  o.connect_timeout = s.timeout;
  o.command_timeout = s.timeout;
  return o;
}

}  // namespace cartmate::actors
