// memory_alert_store.hpp — the in-memory alert store: the embedded default and the store of the
// agent tests. It fires alerts into the memory_outbox_store it is given, under its own lock, so
// an alert is marked fired exactly when its notification is in the outbox.
// Threading: safe for concurrent use (one mutex; every call is short and never blocks on I/O).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/stores/alert_store.hpp"
#include "adapters/stores/memory_outbox_store.hpp"

namespace cartmate::stores {

class memory_alert_store final : public alert_store {
 public:
  /// Fired alerts' notifications go to `outbox` (required; share it with whoever reads it).
  explicit memory_alert_store(std::shared_ptr<memory_outbox_store> outbox);

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

  const std::shared_ptr<memory_outbox_store>& outbox() const noexcept { return outbox_; }

 private:
  struct record {
    std::string tenant;
    protocol::alert alert;
    std::string product_title;
    std::string idempotency_key;
    alert_spec spec;
    bool deleted = false;
  };

  /// The record created under the key, or nullptr; errc::conflict for another request.
  caf::expected<const record*> by_key(const user_key& who, const std::string& key,
                                      const alert_spec& spec) const;

  std::shared_ptr<memory_outbox_store> outbox_;
  std::mutex mutex_;
  std::map<uint64_t, record> alerts_;                      // by number: creation order
  std::map<std::string, uint64_t> by_id_;                  // alert id -> number
  std::map<user_key, std::map<std::string, uint64_t>> keys_;   // idempotency key -> number
  uint64_t next_number_ = 1;
};

}  // namespace cartmate::stores
