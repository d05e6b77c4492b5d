// pg_outbox_store.hpp — the notification outbox on PostgreSQL (table notification_outbox, filled
// by pg_alert_store::fire): pending rows per user, delivered_at set on acknowledgement. Rows
// survive a restart, so a notification published but never acknowledged is pending again on
// the next connect. Needs migration 0004 applied.
// Threading: safe for concurrent use. Every method BLOCKS on PostgreSQL: call it from a pg_pool
// job or a thread of your own, never from a CAF scheduler thread. A down server gives
// errc::unavailable, never an exception.
#pragma once

#include <mutex>

#include "adapters/stores/outbox_store.hpp"
#include "adapters/stores/postgres/pg_connection.hpp"

namespace cartmate::stores::pg {

class pg_outbox_store final : public outbox_store {
 public:
  /// Inside a pg_pool job the worker's connection is used; calls from other threads share one
  /// connection of this store, one call at a time.
  explicit pg_outbox_store(pg_options opts);

  caf::expected<std::vector<protocol::notification_event>> pending(const user_key& who) override;
  caf::error acknowledge(const user_key& who, const std::string& notification_id) override;

 private:
  template <class F>
  auto with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>()));

  std::mutex own_mutex_;
  pg_connection own_;
};

}  // namespace cartmate::stores::pg
