// webhook_sender.hpp — POSTs notifications as JSON to webhook URLs (per user, or one global),
// retrying connection failures, 5xx and 429 answers with exponential backoff and jitter up to
// a number of attempts; other 4xx answers are final. Every POST carries the notification id as
// Idempotency-Key, so a receiver can drop the repeats that at-least-once delivery allows.
// Threading: send() and stop() are safe from any thread (send only queues; safe on CAF
// threads). libcurl runs on the sender's single worker thread; `done` callbacks run there too
// and must not block.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <caf/error.hpp>

#include "protocol/orchestrator_messages.hpp"
#include "runtime/backoff.hpp"

namespace cartmate::notify {

struct webhook_options {
  /// Limit of one attempt (connect included).
  std::chrono::milliseconds timeout{3000};
  /// Attempts per notification, the first included.
  int max_attempts = 5;
  /// Pause before retry n is backoff_delay(backoff, n, ...).
  runtime::backoff_policy backoff{std::chrono::milliseconds{500}, std::chrono::seconds{30}, 2.0,
                                  0.2};
  /// Notifications waiting (first attempts and retries); send() refuses more.
  size_t max_queued = 1000;
};

/// Where a user's notifications go: a URL of their own, else the global one ("" for none).
struct webhook_targets {
  std::string global_url;
  /// Keyed "tenant/user"; a key without '/' ("user") matches that user in every tenant.
  std::map<std::string, std::string> per_user;

  std::string url_for(const std::string& tenant, const std::string& user) const;
  bool empty() const { return global_url.empty() && per_user.empty(); }
};

/// How one notification's delivery ended.
struct webhook_outcome {
  std::string url;
  std::string notification_id;
  int attempts = 0;
  long status = 0;     // the last HTTP status, 0 when none came
  caf::error error;    // none when delivered (2xx)

  bool delivered() const { return !error; }
};

/// {"type":"notification","tenant":..,"user":..,"notification_id":..,"product_id":..,"text":..,
/// "created_ms":..}.
std::string webhook_body(const std::string& tenant, const protocol::notification_event& n);

class webhook_sender {
 public:
  using done_fn = std::function<void(const webhook_outcome&)>;

  explicit webhook_sender(webhook_options opts = {});

  /// stop().
  ~webhook_sender();

  webhook_sender(const webhook_sender&) = delete;
  webhook_sender& operator=(const webhook_sender&) = delete;

  /// Queues a POST of `body` to `url` (http or https). `done` runs once when it is delivered or
  /// given up. errc::invalid_argument for an empty URL; errc::unavailable when the queue is
  /// full or the sender stopped (then `done` never runs).
  caf::error send(std::string url, std::string notification_id, std::string body,
                  done_fn done = {});

  /// Ends the worker after the attempt in progress (bounded by the timeout); notifications
  /// still waiting are given up with errc::unavailable. Idempotent.
  void stop();

  /// Notifications waiting for an attempt.
  size_t queued() const;

 private:
  struct job {
    std::string url;
    std::string notification_id;
    std::string body;
    done_fn done;
    int attempts = 0;
  };

  using clock = std::chrono::steady_clock;

  void run();
  /// One POST; the status (0 when none) and an error when it failed.
  std::pair<long, caf::error> attempt(const job& j);
  void settle(job& j, long status, caf::error err);

  const webhook_options opts_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<clock::time_point, job> due_;   // by when the next attempt may start
  bool stopping_ = false;
  std::mutex stop_mutex_;
  std::thread worker_;
};

}  // namespace cartmate::notify
