// pg_cart_store.hpp — the cart and order store on PostgreSQL: the same behaviour as
// memory_cart_store, durable, with idempotency keys under a unique constraint and each order
// placed (items plus emptied cart) in one transaction. Needs migration 0001 applied.
// Threading: safe for concurrent use. Every method BLOCKS the calling thread on PostgreSQL: call
// it from a pg_pool job (it then uses that worker's connection), or from a thread of your own,
// never from a CAF scheduler thread. A down server gives errc::unavailable, never an exception.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "adapters/stores/cart_store.hpp"
#include "adapters/stores/postgres/pg_connection.hpp"

namespace cartmate::stores::pg {

class pg_cart_store final : public cart_store {
 public:
  /// Inside a pg_pool job the worker's connection is used. Other threads share up to
  /// `own_connections` connections of this store (opened on first use; a caller waits while all
  /// are busy). Write results are kept for every key (no forgetting, unlike the memory store).
  explicit pg_cart_store(pg_options opts, size_t own_connections = 4);
  ~pg_cart_store() override;

  caf::expected<cart_snapshot> get_cart(const user_key& who) override;
  caf::expected<std::optional<cart_snapshot>>
  find_write(const user_key& who, const std::string& idempotency_key, const cart_op& op) override;
  caf::expected<cart_snapshot> apply_write(const user_key& who,
                                           const std::string& idempotency_key,
                                           const cart_op& op, const line_facts& facts) override;
  caf::expected<protocol::order> place_order(const user_key& who,
                                             const checkout_snapshot& snapshot,
                                             const std::string& idempotency_key,
                                             int64_t created_ms) override;
  caf::expected<std::optional<protocol::order>>
  find_order(const user_key& who, const std::string& idempotency_key) override;
  caf::expected<std::vector<protocol::order>> list_orders(const user_key& who) override;

 private:
  /// Runs `fn(pg_connection&)` on the pool worker's connection or on one of ours.
  template <class F>
  auto with_connection(F&& fn) -> decltype(fn(std::declval<pg_connection&>()));

  std::unique_ptr<pg_connection> checkout();
  void checkin(std::unique_ptr<pg_connection> conn);

  const pg_options opts_;
  const size_t max_own_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pg_connection>> idle_;
  size_t open_ = 0;   // own connections in existence (idle or lent)
};

}  // namespace cartmate::stores::pg
