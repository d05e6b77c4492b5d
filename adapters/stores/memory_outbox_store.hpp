// memory_outbox_store.hpp — the in-memory notification outbox: the embedded default, filled by
// a memory_alert_store that shares it. Delivered notifications are kept (as ids) so a repeated
// trigger or ack stays harmless; they are as many as fired alerts.
// Threading: safe for concurrent use (one mutex; every call is short and never blocks on I/O).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "adapters/stores/outbox_store.hpp"

namespace cartmate::stores {

class memory_outbox_store final : public outbox_store {
 public:
  caf::expected<std::vector<protocol::notification_event>> pending(const user_key& who) override;
  caf::error acknowledge(const user_key& who, const std::string& notification_id) override;

  /// Adds `n` to the outbox of (tenant, n.user) unless its id is there; true when added.
  /// memory_alert_store::fire calls it while it holds its own lock.
  bool add(const std::string& tenant, const protocol::notification_event& n);

  /// Whether (tenant, notification_id) was ever added.
  bool contains(const std::string& tenant, const std::string& notification_id);

 private:
  struct entry {
    protocol::notification_event event;
    bool delivered = false;
  };

  std::mutex mutex_;
  std::map<user_key, std::vector<entry>> by_user_;   // oldest first
  // (tenant, notification id) -> the user whose outbox holds it
  std::map<std::pair<std::string, std::string>, std::string> owner_;
};

}  // namespace cartmate::stores
