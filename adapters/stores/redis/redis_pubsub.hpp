// redis_pubsub.hpp — notification and price-event fan-out across nodes over Redis pub/sub:
// publish() on any connection, and redis_subscriber, which owns a thread and a connection of its
// own, (re)subscribes to its channels after every (re)connect with backoff, checks an idle
// connection with PING, and hands each message to a callback (the wiring forwards it to an
// actor with caf::anon_send). Pub/sub keeps nothing: a message published while a subscriber is
// disconnected never reaches it, so durable delivery stays with the notification outbox.
// Threading: publish() follows its connection's or client's rules. redis_subscriber's public
// functions are safe from any thread; the callback runs on the subscriber's thread, one message
// at a time, and must not block for long.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "adapters/stores/redis/redis_client.hpp"
#include "adapters/stores/redis/redis_connection.hpp"

struct redisContext;

namespace cartmate::stores::redis {

/// PUBLISH through `client` (blocks; keep it off CAF scheduler threads); the number of
/// subscribers that received the message. Retried once on a stale connection, so after a
/// connection loss a subscriber may, rarely, see a message twice.
caf::expected<int64_t> publish(redis_client& client, std::string_view channel,
                               std::string_view payload);

class redis_subscriber {
 public:
  using message_handler = std::function<void(std::string channel, std::string payload)>;

  /// Starts the subscriber thread at once; it connects, subscribes to `channels` (duplicates
  /// ignored) and calls `on_message` for every message. A down server is retried with
  /// opts.reconnect's backoff. An idle connection is checked with PING every `ping_interval`
  /// and dropped when no answer comes within opts.command_timeout. No channels: no thread.
  redis_subscriber(redis_options opts, std::vector<std::string> channels,
                   message_handler on_message,
                   std::chrono::milliseconds ping_interval = std::chrono::seconds{1});

  /// stop().
  ~redis_subscriber();

  redis_subscriber(const redis_subscriber&) = delete;
  redis_subscriber& operator=(const redis_subscriber&) = delete;

  /// Wakes the thread and joins it. Bounded: at most one connect_timeout plus one command
  /// timeout (when stop() lands in the middle of a connection attempt); usually immediate. No
  /// callback runs after stop() returns. Idempotent. Called from the callback itself it only
  /// asks the thread to end (a thread cannot join itself).
  void stop();

  /// True while subscribed to every channel on a live connection.
  bool subscribed() const noexcept { return subscribed_.load(); }

  /// Connections opened so far, counting reconnects.
  uint64_t connects() const noexcept { return connects_.load(); }

  /// Messages handed to the callback so far.
  uint64_t received() const noexcept { return received_.load(); }

  const std::vector<std::string>& channels() const noexcept { return channels_; }

 private:
  void run();
  /// Subscribes on `c` and delivers until the connection fails (the error) or stop() (none).
  caf::error serve(redisContext* c);
  /// Sleeps up to `d`; false when woken by stop().
  bool pause(std::chrono::milliseconds d);
  bool stopping() const noexcept { return stopping_.load(); }

  const redis_options opts_;
  std::vector<std::string> channels_;
  const message_handler on_message_;
  const std::chrono::milliseconds ping_interval_;
  int wake_fd_ = -1;   // eventfd: stop() makes it readable so poll() returns at once
  std::atomic<bool> stopping_{false};
  std::atomic<bool> subscribed_{false};
  std::atomic<uint64_t> connects_{0};
  std::atomic<uint64_t> received_{0};
  std::mutex join_mutex_;   // one stop() joins, concurrent ones wait for it
  std::thread thread_;
};

}  // namespace cartmate::stores::redis
