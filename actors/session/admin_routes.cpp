// admin_routes.cpp — POST /admin/prices and the relay actor behind it.
// Threading: the handler runs on an io thread (parse, check, anon_send); the relay is an actor.
#include "actors/session/admin_routes.hpp"

#include <chrono>
#include <cmath>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/alerts/alert_rules.hpp"
#include "adapters/auth/token.hpp"
#include "protocol/alert_messages.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"
#include "runtime/logging.hpp"
#include "runtime/node.hpp"

namespace cartmate::session {
namespace {

using json = nlohmann::json;
constexpr auto relay_timeout = std::chrono::seconds{5};
constexpr size_t max_updates = 10000;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// Applies each update in discovery, then tells alerts what changed. Updates are independent:
// one failing is logged and the rest go on.
caf::behavior price_relay(caf::event_based_actor* self, runtime::agent_directory* directory) {
  return {[=](protocol::catalog_update& update) {
    auto discovery = directory->lookup(protocol::agent_kind::product_discovery);
    if (!discovery) {
      spdlog::warn("price update of {} dropped: {}", update.product_id, protocol::describe(discovery.error()));
      return;
    }
    auto env = update.env;
    self->request(*discovery, relay_timeout, std::move(update))
      .then(
        [=](protocol::catalog_change& change) {
          auto alerts = directory->lookup(protocol::agent_kind::alerts);
          if (!alerts)
            return;   // no alerts agent: prices still changed
          self->request(*alerts, relay_timeout, actors::alerts::price_event_of(change, env))
            .then([](protocol::ack&) {},
                  [id = change.after.id](caf::error& err) {
                    spdlog::warn("alerts did not take the price change of {}: {}", id, protocol::describe(err));
                  });
        },
        [id = env.idempotency_key](caf::error& err) {
          spdlog::warn("price update {} refused: {}", id, protocol::describe(err));
        });
  }};
}

http::http_response text(int status, std::string body) {
  return {status, "application/json", json{{"error", std::move(body)}}.dump()};
}

}  // namespace

void add_admin_routes(http::server& server, runtime::node& node, const config::node_config& cfg) {
  auto relay = node.system().spawn(price_relay, &node.directory());
  node.at_stop([relay] { caf::anon_send_exit(relay, caf::exit_reason::user_shutdown); });
  std::string secret = cfg.auth.secret;
  std::string currency = cfg.catalog.currency;
  server.add_post_route("/admin/prices", [relay, secret, currency](const http::post_request& req) {
    if (secret.empty())
      return text(403, "the admin endpoint is off: configure auth.secret and use a token for user 'admin'");
    constexpr std::string_view bearer = "Bearer ";
    if (req.authorization.substr(0, bearer.size()) != bearer)
      return text(401, "send 'Authorization: Bearer <token>' (cartmate token --tenant=ops --user=admin)");
    auto now_s = now_ms() / 1000;
    auto claims = auth::verify_token(secret, req.authorization.substr(bearer.size()), now_s);
    if (!claims)
      return text(401, protocol::describe(claims.error()));
    if (claims->user != admin_user)
      return text(403, "only user 'admin' may change prices");
    auto body = protocol::parse_json(req.body);
    if (!body || !body->is_object() || !body->contains("updates") || !(*body)["updates"].is_array())
      return text(400, "the body must be a JSON object with an array 'updates'");
    const auto& updates = (*body)["updates"];
    if (updates.size() > max_updates)
      return text(400, "at most " + std::to_string(max_updates) + " updates per request");
    std::vector<protocol::catalog_update> accepted;
    for (size_t i = 0; i < updates.size(); ++i) {
      const auto& u = updates[i];
      auto where = "updates[" + std::to_string(i) + "]";
      if (!u.is_object() || !u.contains("product_id") || !u["product_id"].is_string()
          || u["product_id"].get<std::string>().empty())
        return text(400, where + ": needs a string 'product_id'");
      protocol::catalog_update update;
      update.product_id = u["product_id"].get<std::string>();
      if (u.contains("price")) {
        if (!u["price"].is_number() || u["price"].get<double>() < 0 || !std::isfinite(u["price"].get<double>()))
          return text(400, where + ".price: a non-negative number in major units");
        update.price_minor = std::llround(u["price"].get<double>() * 100.0);
      }
      if (u.contains("stock")) {
        if (!u["stock"].is_number_integer() || u["stock"].get<int64_t>() < 0
            || u["stock"].get<int64_t>() > 1000000000)
          return text(400, where + ".stock: a non-negative integer");
        update.stock = u["stock"].get<int32_t>();
      }
      if (update.price_minor < 0 && update.stock < 0)
        return text(400, where + ": give 'price' or 'stock'");
      update.env.tenant = claims->tenant;
      update.env.user = claims->user;
      update.env.trace_id = runtime::new_trace_id();
      update.env.deadline_ms = now_ms() + 5000;
      // Same update, same key: a retried request fires no alert twice.
      update.env.idempotency_key = "admin:" + update.product_id + ":" + std::to_string(update.price_minor)
                                   + ":" + std::to_string(update.stock);
      accepted.push_back(std::move(update));
    }
    for (auto& update : accepted)
      caf::anon_send(relay, std::move(update));
    return http::http_response{202, "application/json",
                               json{{"accepted", accepted.size()}, {"currency", currency}}.dump()};
  });
}

}  // namespace cartmate::session
