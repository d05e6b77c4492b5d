// front_end.cpp — routes, readiness and the ordered start/shutdown of hub and server.
// Threading: main thread (shutdown polls with short sleeps; it is not an actor).
#include "actors/session/front_end.hpp"

#include "actors/session/admin_routes.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/http/web_page.hpp"
#include "protocol/agent_kind.hpp"
#include "runtime/cluster/cluster_member.hpp"
#include "runtime/node.hpp"

namespace cartmate::session {
namespace {

using steady = std::chrono::steady_clock;

// Polls `done` until it holds or `limit` has passed; shutdown steps only.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto give_up = steady::now() + limit;
  while (!done()) {
    if (steady::now() >= give_up)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

}  // namespace

std::pair<int, std::string> readiness(runtime::node& node) {
  auto status = node.directory().status();
  nlohmann::json agents = nlohmann::json::object();
  nlohmann::json missing = nlohmann::json::array();
  for (auto kind : node.config().agents) {
    auto name = std::string{protocol::to_string(kind)};
    auto it = std::find_if(status.begin(), status.end(),
                           [kind](const runtime::agent_status& s) { return s.kind == kind; });
    if (it == status.end()) {
      agents[name] = "not implemented in this build";   // its requests degrade; not a failure
    } else if (it->available) {
      agents[name] = "available";
    } else {
      auto why = it->reason.empty() ? std::string{"no live replica"} : it->reason;
      agents[name] = "unavailable: " + why;
      missing.push_back(name + ": " + why);
    }
  }
  nlohmann::json stores = nlohmann::json::object();
  for (auto& [name, result] : node.readiness().check()) {
    stores[name] = result.ready ? std::string{"available"} : "unavailable: " + result.detail;
    if (!result.ready)
      missing.push_back(name + ": " + result.detail);
  }
  bool ready = missing.empty();
  nlohmann::json body{{"ready", ready}, {"agents", agents}, {"stores", stores}, {"missing", missing}};
  return {ready ? 200 : 503, body.dump()};
}

std::map<std::string, http::route_handler> make_routes(runtime::node& node) {
  std::map<std::string, http::route_handler> routes;
  routes["/healthz"] = [] { return http::http_response{200, "text/plain; charset=utf-8", "ok"}; };
  routes["/readyz"] = [&node] {
    auto [status, body] = readiness(node);
    return http::http_response{status, "application/json", std::move(body)};
  };
  routes["/metrics"] = [&node] {
    return http::http_response{200, "text/plain; version=0.0.4; charset=utf-8",
                               node.metrics().render_prometheus()};
  };
  if (node.config().gateway)
    routes["/"] = [] {
      return http::http_response{200, "text/html; charset=utf-8", std::string{http::web_chat_page()}};
    };
  if (auto* cluster = node.cluster())
    routes["/cluster"] = [cluster] {
      return http::http_response{200, "application/json", cluster->status_json()};
    };
  return routes;
}

http::server_options server_options_from(const config::node_config& cfg) {
  http::server_options o;
  o.address = cfg.server.address;
  o.port = static_cast<uint16_t>(cfg.server.port);
  o.io_threads = cfg.server.io_threads;
  // Image frames carry base64 (4 characters per 3 bytes) plus a little JSON; other frames are
  // held to max_frame_bytes by the session actor.
  o.max_frame_bytes = std::max(cfg.limits.max_frame_bytes, cfg.limits.max_image_bytes / 3 * 4 + 4096);
  o.max_connections = cfg.limits.max_connections;
  o.idle_timeout = cfg.limits.idle_timeout;
  o.send_queue_frames = cfg.limits.send_queue_frames;
  o.max_http_request_bytes = cfg.limits.max_http_request_bytes;
  o.accept_websockets = cfg.gateway;
  return o;
}

front_end::front_end(runtime::node& node, const config::node_config& cfg)
  : cfg_(cfg),
    hub_(std::make_shared<session_hub>(node.system(), node.directory(), node.metrics(),
                                       settings_from(cfg))) {
  hub_->listen(node.notifications());
  auto hub = hub_;
  server_ = std::make_unique<http::server>(
    server_options_from(cfg),
    [hub](std::weak_ptr<http::frame_sink> sink) { return hub->open(std::move(sink)); },
    make_routes(node), &node.metrics());
  add_admin_routes(*server_, node, cfg);
}

front_end::~front_end() {
  shutdown();
}

caf::expected<uint16_t> front_end::start() {
  auto port = server_->start();
  started_ = static_cast<bool>(port);
  return port;
}

void front_end::shutdown() {
  if (stopped_)
    return;
  stopped_ = true;
  if (started_) {
    server_->stop_accepting();
    hub_->drain();
    if (!wait_until([this] { return hub_->running_turns() == 0; }, cfg_.server.drain))
      spdlog::warn("{} turns still running after the drain; closing anyway", hub_->running_turns());
    server_->close_all(http::close_code::going_away, "server shutting down");
    wait_until([this] { return server_->open_sessions() == 0; }, std::chrono::milliseconds{2000});
  }
  server_->stop();   // from here on the actors' frames go nowhere; the sockets are gone
  hub_->stop_all();
  if (!wait_until([this] { return hub_->live_sessions() == 0; }, std::chrono::milliseconds{2000}))
    spdlog::warn("{} session actors still running after shutdown", hub_->live_sessions());
  hub_->close();
}

}  // namespace cartmate::session
