// pg_alert_store.hpp — alerts on PostgreSQL: the same behaviour as memory_alert_store, durable;
// fire() marks the alert fired and inserts its notification_outbox row in one transaction (read
// by pg_outbox_store on the same database). Needs migration 0004 applied.
// Threading: safe for concurrent use. Every method BLOCKS the calling thread on PostgreSQL: call
// it from a pg_pool job (it then uses that worker's connection) or from a thread of your own,
// never from a CAF scheduler thread. A down server gives errc::unavailable, never an exception.
#pragma once

#include <mutex>

#include "adapters/stores/alert_store.hpp"
#include "adapters/stores/postgres/pg_connection.hpp"

namespace cartmate::stores::pg {

class pg_alert_store final : public alert_store {
 public:
  /// Inside a pg_pool job the worker's connection is used; calls from other threads share one
  /// connection of this store, one call at a time.
  explicit pg_alert_store(pg_options opts);

  caf::expected<protocol::alert> create(const user_key& who, const std::string& idempotency_key,
                                        const alert_spec& spec) override;
  caf::expected<std::optional<protocol::alert>>
  find_created(const user_key& who, const std::string& idempotency_key,
               const alert_spec& spec) override;
  caf::expected<std::vector<protocol::alert>> list(const user_key& who) override;
  caf::error remove(const user_key& who, const std::string& alert_id) override;
  caf::expected<std::vector<stored_alert>> watching(const std::string& product_id) override;
  caf::expected<std::vector<std::string>> watched_products() override;
  caf::expected<bool> fire(const std::string& tenant, const std::string& alert_id,
                           const protocol::notification_event& n) override;

 private:
  template <class F>
  auto with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>()));

  std::mutex own_mutex_;
  pg_connection own_;
};

}  // namespace cartmate::stores::pg
