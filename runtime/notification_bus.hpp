// notification_bus.hpp — live fan-out of fired notifications to whoever holds a session of the
// user: publish(tenant, user, notification) and subscribe(handler). The in-process bus here
// serves one node; redis_notification_bus (adapters/stores/redis) spans every gateway. A bus
// keeps nothing: delivery that must survive lives in the outbox (stores::outbox_store).
// Threading: every implementation is safe for concurrent use, and publish() never blocks on
// I/O (safe on a CAF scheduler thread). Handlers run on the publisher's thread (in process) or
// the bus's own thread (Redis); they must be quick and must not block (use caf::anon_send).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <caf/error.hpp>

#include "protocol/orchestrator_messages.hpp"

namespace cartmate::runtime {

class notification_bus {
 public:
  using handler = std::function<void(const std::string& tenant, const std::string& user,
                                     const protocol::notification_event& n)>;
  using subscription = uint64_t;

  virtual ~notification_bus() = default;

  /// Hands `n` for (tenant, user) to every subscriber (of every node, for a shared bus). An
  /// error means it may reach nobody; the outbox still holds it for the next connect.
  [[nodiscard]] virtual caf::error publish(const std::string& tenant, const std::string& user,
                                           const protocol::notification_event& n) = 0;

  /// Calls `h` for every notification published from now on; the id ends it.
  virtual subscription subscribe(handler h) = 0;

  /// No call of the subscription starts after this returns (one already running may finish).
  virtual void unsubscribe(subscription id) = 0;
};

/// The subscribers of one node; also what a shared bus fans out to locally.
class in_process_notification_bus final : public notification_bus {
 public:
  /// Calls each subscriber in turn on this thread; a throwing handler is logged and skipped.
  caf::error publish(const std::string& tenant, const std::string& user,
                     const protocol::notification_event& n) override;
  subscription subscribe(handler h) override;
  void unsubscribe(subscription id) override;

  /// Subscribers right now.
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<subscription, std::shared_ptr<handler>> handlers_;
  subscription next_id_ = 1;
};

}  // namespace cartmate::runtime
