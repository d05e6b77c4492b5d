// history_command.cpp — `cartmate history [SESSION]`: a session's recorded turns as a replay
// script, or the latest sessions, read from the configured history store.
// Threading: main thread only; blocking PostgreSQL calls are fine here (no actor system runs).
#include <iostream>

#include "actors/replay/history_script.hpp"
#include "actors/store_options.hpp"
#include "adapters/stores/postgres/pg_history_store.hpp"
#include "protocol/errors.hpp"
#include "runtime/cli/commands.hpp"

namespace cartmate::cli {

int history_command(const cli_options& opts, const config::node_config& cfg) {
  if (cfg.stores.history != "postgres") {
    std::cerr << "cartmate history: this configuration keeps history in memory (stores.history="
              << cfg.stores.history << "), which ends with the process that served the turns; "
              << "set stores.history=postgres to record sessions durably\n";
    return 2;
  }
  if (opts.positional.size() > 1) {
    std::cerr << "cartmate history: give at most one session id\n";
    return 2;
  }
  auto flag = [&](const char* name, const char* fallback) {
    auto f = opts.flags.find(name);
    return f == opts.flags.end() ? std::string{fallback} : f->second;
  };
  auto tenant = flag("tenant", "demo");
  stores::pg::pg_history_store store{actors::pg_options_from(cfg.postgres)};
  if (opts.positional.empty()) {
    auto user = flag("user", "");
    auto sessions = store.list_sessions(tenant, user.empty() ? std::nullopt : std::optional{user});
    if (!sessions) {
      std::cerr << "cartmate history: " << protocol::describe(sessions.error()) << "\n";
      return 1;
    }
    if (sessions->empty())
      std::cout << "no recorded session for tenant " << tenant << "\n";
    for (const auto& s : *sessions)
      std::cout << s.session_id << "  user " << s.user << "  " << s.turns << " turn(s)\n";
    return 0;
  }
  const auto& session = opts.positional.front();
  auto turns = store.list(tenant, session);
  if (!turns) {
    std::cerr << "cartmate history: " << protocol::describe(turns.error()) << "\n";
    return 1;
  }
  if (turns->empty()) {
    std::cerr << "cartmate history: no turns recorded for session " << session << " of tenant "
              << tenant << "\n";
    return 1;
  }
  auto script = replay::history_to_script(*turns);
  if (!script) {
    std::cerr << "cartmate history: " << protocol::describe(script.error()) << "\n";
    return 1;
  }
  std::cout << *script;
  return 0;
}

}  // namespace cartmate::cli
