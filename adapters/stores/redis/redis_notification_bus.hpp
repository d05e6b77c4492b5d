// redis_notification_bus.hpp — the notification bus across nodes: publish() queues the
// notification for this bus's publisher thread, which PUBLISHes it as JSON on
// "<prefix>notifications"; the first subscribe() starts a redis_subscriber on that channel that
// hands every message (this node's own included) to the local subscribers. So a user's session
// on any gateway gets it. Pub/sub keeps nothing: a notification published while a gateway is
// disconnected, or dropped because Redis is down, stays pending in the outbox for the next
// connect.
// Threading: safe for concurrent use; publish() only queues (safe on CAF threads). Handlers run
// on the subscriber's thread, one message at a time, and must not block.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "adapters/stores/redis/redis_connection.hpp"
#include "adapters/stores/redis/redis_pubsub.hpp"
#include "runtime/notification_bus.hpp"

namespace cartmate::stores::redis {

/// The JSON a notification travels as: {"tenant", "user", "notification": {...}}.
std::string encode_bus_message(const std::string& tenant, const std::string& user,
                               const protocol::notification_event& n);

struct bus_message {
  std::string tenant;
  std::string user;
  protocol::notification_event notification;
};

/// errc::invalid_argument for anything but what encode_bus_message makes.
[[nodiscard]] caf::expected<bus_message> decode_bus_message(const std::string& payload);

class redis_notification_bus final : public runtime::notification_bus {
 public:
  /// Connects lazily; keeps at most `max_queued` notifications waiting for the publisher.
  explicit redis_notification_bus(redis_options opts, std::string key_prefix = "cartmate:",
                                  size_t max_queued = 10000);

  /// stop().
  ~redis_notification_bus() override;

  redis_notification_bus(const redis_notification_bus&) = delete;
  redis_notification_bus& operator=(const redis_notification_bus&) = delete;

  /// Queues `n`; errc::unavailable when the queue is full or the bus stopped.
  caf::error publish(const std::string& tenant, const std::string& user,
                     const protocol::notification_event& n) override;
  subscription subscribe(handler h) override;
  void unsubscribe(subscription id) override;

  /// Publishes what is still queued (failing fast while Redis is down), then ends both
  /// threads. Idempotent; no handler runs after it returns.
  void stop();

  /// "<prefix>notifications".
  const std::string& channel() const noexcept { return channel_; }

  /// True while the subscriber (started by the first subscribe) listens on a live connection.
  bool subscribed() const;

  /// Notifications PUBLISHed so far, and ones dropped because Redis refused them.
  uint64_t published() const noexcept { return published_.load(); }
  uint64_t failed() const noexcept { return failed_.load(); }

 private:
  void run_publisher();
  void on_message(const std::string& payload);

  const redis_options opts_;
  const std::string channel_;
  const size_t max_queued_;
  runtime::in_process_notification_bus local_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread publisher_;
  std::unique_ptr<redis_subscriber> subscriber_;
  std::mutex stop_mutex_;
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> failed_{0};
};

}  // namespace cartmate::stores::redis
