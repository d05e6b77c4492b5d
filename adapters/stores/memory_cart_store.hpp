// memory_cart_store.hpp — the in-memory cart and order store: the embedded default and the
// store of the agent tests. Lives outside any actor, so carts survive an agent restart.
// Threading: safe for concurrent use (one mutex; every call is short and never blocks on I/O).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/stores/cart_store.hpp"

namespace cartmate::stores {

class memory_cart_store final : public cart_store {
 public:
  /// Keeps the results of the last `max_keys_per_user` writes of each user for replays;
  /// older keys are forgotten (a retry arrives within seconds, not thousands of writes later).
  explicit memory_cart_store(size_t max_keys_per_user = 4096);

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
  struct write_record {
    cart_op op;
    cart_snapshot result;
  };

  struct user_data {
    cart_snapshot cart;
    std::map<std::string, write_record> writes;
    std::deque<std::string> write_keys;              // oldest first, for forgetting
    std::vector<protocol::order> orders;             // oldest first
    std::map<std::string, size_t> order_by_key;      // idempotency key -> index in orders
  };

  void remember_write(user_data& data, const std::string& key, const cart_op& op);

  const size_t max_keys_per_user_;
  std::mutex mutex_;
  std::map<user_key, user_data> users_;
  uint64_t next_order_number_ = 1;
};

}  // namespace cartmate::stores
