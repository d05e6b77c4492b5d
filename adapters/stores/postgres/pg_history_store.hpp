// pg_history_store.hpp — conversation history on PostgreSQL: the same behaviour as
// memory_history_store, durable; the (tenant, session, seq) primary key makes a retried append
// store the turn once. Needs migration 0002 applied.
// Threading: safe for concurrent use. Every method BLOCKS the calling thread on PostgreSQL: call
// it from a pg_pool job (it then uses that worker's connection) or from a thread of your own,
// never from a CAF scheduler thread. A down server gives errc::unavailable, never an exception.
#pragma once

#include <mutex>

#include "adapters/stores/history_store.hpp"
#include "adapters/stores/postgres/pg_connection.hpp"

namespace cartmate::stores::pg {

class pg_history_store final : public history_store {
 public:
  /// Inside a pg_pool job the worker's connection is used; calls from other threads share one
  /// connection of this store, one call at a time (history is written from the pool; the
  /// store's own connection serves the CLI and tests).
  explicit pg_history_store(pg_options opts);

  caf::error append(const turn_record& turn) override;
  caf::expected<std::vector<turn_record>> list(const std::string& tenant,
                                               const std::string& session_id) override;
  caf::expected<std::vector<session_info>>
  list_sessions(const std::string& tenant, const std::optional<std::string>& user,
                size_t limit = 100) override;

 private:
  template <class F>
  auto with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>()));

  std::mutex own_mutex_;
  pg_connection own_;
};

}  // namespace cartmate::stores::pg
