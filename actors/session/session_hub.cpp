// session_hub.cpp — shared session services and the frame_handler bridge to session actors.
// Threading: the tables are guarded by mutex_; counters are atomics or lock-free metrics.
#include "actors/session/session_hub.hpp"

#include <vector>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message_id.hpp>
#include <caf/message_priority.hpp>
#include <caf/system_messages.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/session/session_actor.hpp"
#include "actors/store_options.hpp"
#include "adapters/stores/redis/redis_executor.hpp"
#include "adapters/stores/redis/redis_rate_limiter.hpp"
#include "adapters/auth/token.hpp"
#include "protocol/errors.hpp"

namespace cartmate::session {
namespace {

constexpr const char* errors_help = "Error frames sent to WebSocket clients, by code";

// Ids the hub hands out are 32 hex digits; anything else cannot name a session of ours.
constexpr size_t session_id_hex_digits = 32;

bool plausible_session_id(const std::string& id) {
  if (id.empty() || id.size() > 64)
    return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

/// Lives in the Beast session; forwards to the session actor. The actor must hear of the close
/// exactly once, whether the connection ends or the server drops the handler.
class session_bridge final : public http::frame_handler {
 public:
  explicit session_bridge(caf::actor actor) : actor_(std::move(actor)) {
    // nop
  }

  ~session_bridge() override { on_closed(); }

  void on_frame(std::string data, bool is_text) override {
    caf::anon_send(actor_, frame_atom::value, std::move(data), is_text);
  }

  void on_closed() override {
    if (closed_)
      return;
    closed_ = true;
    caf::anon_send(actor_, closed_atom::value);
  }

 private:
  caf::actor actor_;
  bool closed_ = false;
};

}  // namespace

session_settings settings_from(const config::node_config& cfg) {
  session_settings s;
  s.limits = cfg.limits;
  s.auth = cfg.auth;
  s.rate_limit = cfg.rate_limit;
  s.resume_window = cfg.server.resume_window;
  s.turn_deadline = cfg.resilience.turn_deadline;
  s.redis = cfg.redis;
  s.shared_sessions = cfg.stores.session_context == "redis";
  return s;
}

session_hub::session_hub(caf::actor_system& sys, runtime::agent_directory& directory,
                         runtime::metrics_registry& metrics, session_settings settings,
                         runtime::rate_limiter::clock_fn now)
  : sys_(&sys),
    directory_(&directory),
    metrics_(&metrics),
    settings_(std::move(settings)),
    now_(now),
    limiter_(settings_.rate_limit.turns_per_second, settings_.rate_limit.burst, std::move(now)),
    limiter_executor_(stores::inline_executor()) {
  if (settings_.rate_limit.backend == "redis" && settings_.rate_limit.turns_per_second > 0) {
    auto opts = actors::redis_options_from(settings_.redis);
    stores::redis::redis_rate_limiter::settings rl;
    rl.rate = settings_.rate_limit.turns_per_second;
    rl.burst = settings_.rate_limit.burst;
    rl.key_prefix = settings_.redis.key_prefix;
    shared_limiter_ = std::make_shared<stores::redis::redis_rate_limiter>(opts, rl, 1);
    limiter_pool_ = std::make_shared<stores::redis::redis_pool>(opts, 1);
    limiter_executor_ = std::make_shared<stores::redis::redis_executor>(limiter_pool_);
  }
  // Every code shows up in /metrics from the start, at zero.
  for (const char* code : {"bad_frame", "text_too_long", "queue_full", "rate_limited",
                           "unauthorized", "shutting_down", "turn_failed", "superseded", "bad_image",
                           "image_too_large"})
    metrics_->counter_for("cartmate_ws_errors_total", errors_help, {{"code", code}});
}

std::unique_ptr<http::frame_handler> session_hub::open(std::weak_ptr<http::frame_sink> sink) {
  auto actor = spawn_session_actor(*sys_, shared_from_this(), std::move(sink));
  {
    std::lock_guard<std::mutex> guard{mutex_};
    live_.emplace(actor.id(), actor);
  }
  // A connection that opens during the drain is told at once.
  if (draining())
    caf::anon_send(actor, drain_atom::value);
  return std::make_unique<session_bridge>(std::move(actor));
}

runtime::rate_limiter::decision session_hub::decide_turn(const std::string& tenant) {
  if (shared_limiter_)
    return shared_limiter_->try_acquire(tenant);
  return limiter_.try_acquire(tenant);
}

session_hub::~session_hub() {
  close();
}

void session_hub::listen(std::shared_ptr<runtime::notification_bus> bus) {
  if (!bus || bus_)
    return;
  bus_ = std::move(bus);
  std::weak_ptr<session_hub> weak = shared_from_this();
  subscription_ = bus_->subscribe([weak](const std::string& tenant, const std::string& user,
                                         const protocol::notification_event& n) {
    if (auto hub = weak.lock()) {
      std::vector<caf::actor> targets;
      {
        std::lock_guard<std::mutex> guard{hub->mutex_};
        auto [first, last] = hub->by_user_.equal_range(tenant + '\n' + user);
        for (auto i = first; i != last; ++i)
          if (auto a = hub->live_.find(i->second); a != hub->live_.end())
            targets.push_back(a->second);
      }
      for (auto& a : targets)
        caf::anon_send(a, n);
    }
  });
}

void session_hub::attach_user(const std::string& tenant, const std::string& user, caf::actor_id id) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto key = tenant + '\n' + user;
  if (user_of_.emplace(id, key).second)
    by_user_.emplace(std::move(key), id);
}

void session_hub::close() {
  if (bus_ && subscription_ != 0) {
    bus_->unsubscribe(subscription_);
    subscription_ = 0;
  }
  if (limiter_pool_)
    limiter_pool_->stop();
}

void session_hub::drain() {
  draining_ = true;
  std::vector<caf::actor> actors;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& [id, a] : live_)
      actors.push_back(a);
  }
  for (auto& a : actors)
    caf::anon_send(a, drain_atom::value);
}

void session_hub::stop_all() {
  // Entries stay until each actor has ended (forget): live_sessions() is what callers wait on.
  std::vector<caf::actor> actors;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& [id, a] : live_)
      actors.push_back(a);
  }
  // Urgent, unlike anon_send_exit: a session with a backlog of client frames ends now instead
  // of answering them all into a closed socket first.
  for (auto& a : actors)
    a->enqueue(nullptr, caf::make_message_id(caf::message_priority::high),
               caf::make_message(caf::exit_msg{a.address(), caf::exit_reason::user_shutdown}), nullptr);
}

size_t session_hub::live_sessions() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return live_.size();
}

void session_hub::forget(caf::actor_id id) {
  std::lock_guard<std::mutex> guard{mutex_};
  live_.erase(id);
  auto u = user_of_.find(id);
  if (u == user_of_.end())
    return;
  auto [first, last] = by_user_.equal_range(u->second);
  for (auto i = first; i != last; ++i)
    if (i->second == id) {
      by_user_.erase(i);
      break;
    }
  user_of_.erase(u);
}

void session_hub::count_error(const std::string& code) {
  metrics_->counter_for("cartmate_ws_errors_total", errors_help, {{"code", code}}).inc();
}

caf::expected<identity> session_hub::hello(const std::string& token, const std::string& session_id,
                                           caf::actor_id requester) {
  identity id;
  if (settings_.auth.enabled) {
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    auto claims = auth::verify_token(settings_.auth.secret, token, now_s);
    if (!claims)
      return std::move(claims.error());
    id.tenant = std::move(claims->tenant);
    id.user = std::move(claims->user);
  } else {
    id.tenant = anonymous_tenant;
  }
  auto now = now_();
  std::lock_guard<std::mutex> guard{mutex_};
  if (plausible_session_id(session_id)) {
    auto i = sessions_.find(session_id);
    if (i != sessions_.end()) {
      auto& r = i->second;
      bool same_owner = r.tenant == id.tenant && (!settings_.auth.enabled || r.user == id.user);
      bool resumable = r.connected ? r.owner != requester : now < r.expires;
      if (resumable && same_owner) {
        if (r.connected) {
          // Its old connection is still open as far as we know: the newer one wins, so a
          // client that lost its network need not wait for the server to notice.
          if (auto old = live_.find(r.owner); old != live_.end())
            caf::anon_send(old->second, superseded_atom::value);
        }
        r.connected = true;
        r.owner = requester;
        id.user = r.user;   // auth off: the anonymous user comes back with its session
        id.session_id = session_id;
        id.resumed = true;
        return id;
      }
    }
  }
  if (sessions_.size() >= prune_at_)
    prune_locked(now);
  if (settings_.shared_sessions && session_id.size() == session_id_hex_digits
      && plausible_session_id(session_id) && sessions_.count(session_id) == 0) {
    // Started on another gateway: its context is in the shared store, keyed by tenant and id.
    // The id is 128 random bits only its holder has seen, as for a resume on this gateway.
    id.session_id = session_id;
    id.resumed = true;
  } else {
    do {
      id.session_id = auth::random_hex(session_id_hex_digits / 2);
    } while (sessions_.count(id.session_id) != 0);
  }
  // Anonymous users are named after their session, so every gateway names them alike.
  if (id.user.empty())
    id.user = "anon-" + id.session_id.substr(0, 12);
  sessions_.emplace(id.session_id, resumable{id.tenant, id.user, true, requester, {}});
  return id;
}

void session_hub::release(const std::string& session_id, caf::actor_id owner) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = sessions_.find(session_id);
  if (i == sessions_.end() || !i->second.connected || i->second.owner != owner)
    return;
  if (settings_.resume_window.count() <= 0) {
    sessions_.erase(i);
    return;
  }
  i->second.connected = false;
  i->second.expires = now_() + settings_.resume_window;
}

void session_hub::prune_locked(clock::time_point now) {
  for (auto i = sessions_.begin(); i != sessions_.end();) {
    if (!i->second.connected && i->second.expires <= now)
      i = sessions_.erase(i);
    else
      ++i;
  }
  prune_at_ = std::max<size_t>(1024, sessions_.size() * 2);
}

nlohmann::json session_hub::limits_json() const {
  const auto& l = settings_.limits;
  return nlohmann::json{{"max_frame_bytes", l.max_frame_bytes},
                        {"max_image_bytes", l.max_image_bytes},
                        {"max_message_bytes", l.max_message_bytes},
                        {"max_queued_turns", l.max_queued_turns},
                        {"idle_timeout_ms", l.idle_timeout.count()},
                        {"send_queue_frames", l.send_queue_frames},
                        {"resume_window_ms", settings_.resume_window.count()},
                        {"turns_per_second", settings_.rate_limit.turns_per_second},
                        {"burst", settings_.rate_limit.burst}};
}

}  // namespace cartmate::session
