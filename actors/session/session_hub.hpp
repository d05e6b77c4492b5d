// session_hub.hpp — what every WebSocket session front-end shares: settings, token checks, the
// per-tenant rate limiter, the table of resumable sessions, the live session actors (for the
// shutdown drain) and the server's error counters. It makes the frame_handler of each new
// connection, which spawns that connection's session actor.
// Threading: every member function is safe from any thread (io threads, CAF workers, main).
// Session actors hold the hub by shared_ptr, so it outlives them; the directory and metrics it
// points to must outlive the actor system (the node's do).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <nlohmann/json_fwd.hpp>

#include "adapters/http/server.hpp"
#include "config/node_config.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/notification_bus.hpp"
#include "adapters/stores/store_executor.hpp"
#include "runtime/rate_limiter.hpp"

namespace cartmate::stores::redis {
class redis_pool;
class redis_rate_limiter;
}

namespace cartmate::session {

struct session_settings {
  config::limit_settings limits;
  config::auth_settings auth;
  config::rate_limit_settings rate_limit;
  std::chrono::milliseconds resume_window{120000};
  std::chrono::milliseconds turn_deadline{3000};
  /// Extra time the orchestrator gets to answer after the turn deadline (its own summary).
  std::chrono::milliseconds reply_margin{1000};
  /// Where the token buckets live when rate_limit.backend is redis.
  config::redis_settings redis;
  /// Session contexts live in a store every gateway shares (Redis): a hello naming a session
  /// this gateway does not know adopts it, so a shopper can move to another gateway.
  bool shared_sessions = false;
};

/// Settings of `cfg`'s server, auth, limits, rate_limit and resilience sections.
session_settings settings_from(const config::node_config& cfg);

/// Who a session talks for; fixed at hello.
struct identity {
  std::string tenant;
  std::string user;
  std::string session_id;
  bool resumed = false;
};

/// Tenant of every anonymous (auth off) session.
inline constexpr const char* anonymous_tenant = "demo";

class session_hub : public std::enable_shared_from_this<session_hub> {
 public:
  using clock = std::chrono::steady_clock;

  session_hub(caf::actor_system& sys, runtime::agent_directory& directory,
              runtime::metrics_registry& metrics, session_settings settings,
              runtime::rate_limiter::clock_fn now = [] { return clock::now(); });
  ~session_hub();

  /// Delivers notifications published on `bus` to the sessions of their user on this node.
  /// Call once, before open(); the hub unsubscribes in close() and on destruction.
  void listen(std::shared_ptr<runtime::notification_bus> bus);

  /// The handler of a new WebSocket connection (spawns its session actor). Pass this as the
  /// server's session_factory through a lambda holding the hub's shared_ptr.
  std::unique_ptr<http::frame_handler> open(std::weak_ptr<http::frame_sink> sink);

  /// Shutdown, step one: every session refuses new turns, drops its queue and closes with 1001
  /// once its running turn has ended.
  void drain();
  bool draining() const { return draining_.load(); }

  /// Ends every session actor still alive (shutdown, last step); wait for live_sessions() to
  /// reach 0 to know they have.
  void stop_all();

  size_t running_turns() const { return running_turns_.load(); }

  /// Shutdown, after the session actors ended: stops the shared rate limiter's Redis workers.
  void close();
  /// Session actors that have not ended yet.
  size_t live_sessions() const;

  // -- used by the session actors -------------------------------------------------------------

  const session_settings& settings() const { return settings_; }
  runtime::agent_directory& directory() { return *directory_; }
  /// Whether `tenant` may start a turn now. With rate_limit.backend=redis it asks Redis (shared
  /// by every gateway) and blocks: call it where limiter_executor() says.
  runtime::rate_limiter::decision decide_turn(const std::string& tenant);
  /// Inline for the in-process buckets, a Redis worker pool for shared ones.
  stores::store_executor& limiter_executor() { return *limiter_executor_; }

  /// The identity for a hello from session actor `requester`: checks the token when auth is on
  /// (the error's text is safe to show), resumes `session_id` when it may, else starts a new
  /// session. A session still held by another connection (whose close the server has not seen
  /// yet, as after a network change) is handed over: that connection is told superseded_atom.
  [[nodiscard]] caf::expected<identity> hello(const std::string& token, const std::string& session_id,
                                              caf::actor_id requester);

  /// Connection `owner` of `session_id` ended: the session may be resumed within the resume
  /// window. Does nothing when the session has been handed to another connection since.
  void release(const std::string& session_id, caf::actor_id owner);

  /// Running-turn bookkeeping for the drain.
  void turn_started() { ++running_turns_; }
  void turn_ended() { --running_turns_; }

  void count_error(const std::string& code);
  void forget(caf::actor_id id);

  /// Session actor `id` speaks for (tenant, user) from now on: it gets their notifications.
  void attach_user(const std::string& tenant, const std::string& user, caf::actor_id id);

  /// The welcome frame's "limits" object.
  nlohmann::json limits_json() const;

 private:
  struct resumable {
    std::string tenant;
    std::string user;
    bool connected = true;
    caf::actor_id owner = 0;   // the session actor holding it while connected
    clock::time_point expires{};
  };

  void prune_locked(clock::time_point now);

  caf::actor_system* sys_;
  runtime::agent_directory* directory_;
  runtime::metrics_registry* metrics_;
  session_settings settings_;
  runtime::rate_limiter::clock_fn now_;
  runtime::rate_limiter limiter_;
  std::shared_ptr<stores::redis::redis_rate_limiter> shared_limiter_;   // backend redis
  std::shared_ptr<stores::store_executor> limiter_executor_;
  std::shared_ptr<stores::redis::redis_pool> limiter_pool_;
  std::atomic<bool> draining_{false};
  std::atomic<size_t> running_turns_{0};

  mutable std::mutex mutex_;   // guards the two tables below
  std::unordered_map<std::string, resumable> sessions_;
  size_t prune_at_ = 1024;
  std::unordered_map<caf::actor_id, caf::actor> live_;
  // (tenant + '\n' + user) -> session actors of that user on this node; guarded by mutex_.
  std::unordered_multimap<std::string, caf::actor_id> by_user_;
  std::unordered_map<caf::actor_id, std::string> user_of_;
  std::shared_ptr<runtime::notification_bus> bus_;
  runtime::notification_bus::subscription subscription_ = 0;
};

}  // namespace cartmate::session
