// node_config.cpp — maps the validated settings tree onto node_config's typed fields.
// Threading: pure functions.
#include "config/node_config.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "config/config_loader.hpp"
#include "protocol/errors.hpp"

namespace cartmate::config {
namespace {

using json = nlohmann::json;

std::chrono::milliseconds millis(const json& section, const char* key) {
  return std::chrono::milliseconds{section.at(key).get<int64_t>()};
}

caf::expected<node_config> map_settings(const json& tree) {
  node_config cfg;
  const auto& node = tree.at("node");
  cfg.name = node.at("name").get<std::string>();
  for (const auto& name : node.at("agents")) {
    auto kind = protocol::agent_kind_from_string(name.get<std::string>());
    if (!kind)  // the schema's enum and agent_kind disagree: a build defect, not a user error
      return protocol::make_error(protocol::errc::invalid_argument,
                                  "configuration key 'node.agents' names \"" + name.get<std::string>()
                                      + "\", which is not an agent kind of this build");
    cfg.agents.push_back(*kind);
  }
  cfg.gateway = node.at("gateway").get<bool>();
  const auto& log = tree.at("log");
  cfg.log = {log.at("level").get<std::string>(), log.at("format").get<std::string>(),
             log.at("file").get<std::string>()};
  const auto& scheduler = tree.at("scheduler");
  cfg.scheduler = {scheduler.at("threads").get<int>(), scheduler.at("policy").get<std::string>()};
  const auto& supervisor = tree.at("supervisor");
  cfg.supervisor = {supervisor.at("max_restarts").get<int>(), millis(supervisor, "restart_window_ms"),
                    millis(supervisor, "restart_delay_ms")};
  const auto& r = tree.at("resilience");
  cfg.resilience = {millis(r, "turn_deadline_ms"),
                    millis(r, "attempt_timeout_ms"),
                    r.at("max_attempts").get<int>(),
                    millis(r, "backoff_initial_ms"),
                    millis(r, "backoff_max_ms"),
                    r.at("backoff_multiplier").get<double>(),
                    r.at("jitter").get<double>(),
                    r.at("breaker_failure_threshold").get<int>(),
                    millis(r, "breaker_reset_ms")};
  const auto& catalog = tree.at("catalog");
  cfg.catalog = {catalog.at("path").get<std::string>(), catalog.at("currency").get<std::string>()};
  cfg.index = {tree.at("index").at("embedding_dim").get<int>()};
  const auto& server = tree.at("server");
  cfg.server = {server.at("address").get<std::string>(), server.at("port").get<int>(),
                server.at("io_threads").get<int>(), millis(server, "resume_window_ms"),
                millis(server, "drain_ms")};
  const auto& auth = tree.at("auth");
  cfg.auth = {auth.at("enabled").get<bool>(), auth.at("secret").get<std::string>(),
              std::chrono::seconds{auth.at("token_ttl_s").get<int64_t>()}};
  const auto& limits = tree.at("limits");
  cfg.limits = {limits.at("max_frame_bytes").get<size_t>(),
                limits.at("max_message_bytes").get<size_t>(),
                limits.at("max_queued_turns").get<size_t>(),
                millis(limits, "idle_timeout_ms"),
                limits.at("max_connections").get<size_t>(),
                limits.at("send_queue_frames").get<size_t>(),
                limits.at("max_http_request_bytes").get<size_t>(),
                limits.at("max_image_bytes").get<size_t>()};
  const auto& rate = tree.at("rate_limit");
  cfg.rate_limit = {rate.at("turns_per_second").get<double>(), rate.at("burst").get<double>(),
                    rate.at("backend").get<std::string>()};
  const auto& stores = tree.at("stores");
  cfg.stores = {stores.at("cart").get<std::string>(), stores.at("history").get<std::string>(),
                stores.at("session_context").get<std::string>(), stores.at("catalog").get<std::string>(),
                millis(stores, "session_context_ttl_ms"), tree.at("alerts").at("store").get<std::string>(),
                stores.at("profiles").get<std::string>()};
  const auto& pg = tree.at("postgres");
  cfg.postgres = {pg.at("conninfo").get<std::string>(), pg.at("pool_size").get<int>(),
                  pg.at("connect_timeout_s").get<int>(), millis(pg, "statement_timeout_ms")};
  const auto& redis = tree.at("redis");
  cfg.redis = {redis.at("host").get<std::string>(),     redis.at("port").get<int>(),
               redis.at("password").get<std::string>(), redis.at("database").get<int>(),
               redis.at("key_prefix").get<std::string>(), redis.at("pool_size").get<int>(),
               millis(redis, "timeout_ms")};
  const auto& cluster = tree.at("cluster");
  cfg.cluster = {cluster.at("enabled").get<bool>(),
                 cluster.at("address").get<std::string>(),
                 cluster.at("port").get<int>(),
                 cluster.at("advertise_host").get<std::string>(),
                 cluster.at("seeds").get<std::vector<std::string>>(),
                 millis(cluster, "heartbeat_interval_ms"),
                 millis(cluster, "connection_timeout_ms"),
                 millis(cluster, "connect_timeout_ms"),
                 millis(cluster, "reconnect_initial_ms"),
                 millis(cluster, "reconnect_max_ms"),
                 millis(cluster, "announce_interval_ms"),
                 millis(cluster, "join_wait_ms"),
                 cluster.at("tls_certificate").get<std::string>(),
                 cluster.at("tls_key").get<std::string>(),
                 cluster.at("tls_ca_file").get<std::string>()};
  if (cfg.cluster.tls_certificate.empty() != cfg.cluster.tls_key.empty())
    return protocol::make_error(protocol::errc::invalid_argument,
                                "configuration keys 'cluster.tls_certificate' and 'cluster.tls_key' "
                                "go together: set both (TLS) or neither");
  if (!cfg.cluster.tls_ca_file.empty() && !cfg.cluster.tls())
    return protocol::make_error(protocol::errc::invalid_argument,
                                "configuration key 'cluster.tls_ca_file' needs cluster.tls_certificate "
                                "and cluster.tls_key (a node that checks its peers must show its own)");
  for (const auto& seed : cfg.cluster.seeds)
    if (!parse_host_port(seed))
      return protocol::make_error(protocol::errc::invalid_argument,
                                  "configuration key 'cluster.seeds': \"" + seed
                                    + "\" is not host:port with a port between 1 and 65535");
  if (cfg.cluster.reconnect_max < cfg.cluster.reconnect_initial)
    return protocol::make_error(protocol::errc::invalid_argument,
                                "configuration key 'cluster.reconnect_max_ms' must not be below "
                                "cluster.reconnect_initial_ms");
  if (cfg.cluster.heartbeat_interval.count() > 0 && cfg.cluster.connection_timeout.count() > 0
      && cfg.cluster.connection_timeout <= cfg.cluster.heartbeat_interval)
    return protocol::make_error(protocol::errc::invalid_argument,
                                "configuration key 'cluster.connection_timeout_ms' must exceed "
                                "cluster.heartbeat_interval_ms (a healthy peer would be dropped)");
  if (cfg.auth.enabled && cfg.auth.secret.empty())
    return protocol::make_error(protocol::errc::invalid_argument,
                                "configuration key 'auth.secret' must be set when auth.enabled is true");
  cfg.settings = std::make_shared<const json>(tree);
  return cfg;
}

}  // namespace

std::optional<host_port> parse_host_port(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
    return std::nullopt;
  auto digits = text.substr(colon + 1);
  if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  auto port = std::stoi(std::string{digits});
  if (port < 1 || port > 65535)
    return std::nullopt;
  return host_port{std::string{text.substr(0, colon)}, static_cast<uint16_t>(port)};
}

caf::expected<node_config> make_node_config(const nlohmann::json& settings) {
  auto tree = validate_settings(settings, {});
  if (!tree)
    return std::move(tree.error());
  try {
    return map_settings(*tree);
  } catch (const json::exception& e) {  // only if schema.json and this mapping drift apart
    return protocol::make_error(protocol::errc::invalid_argument,
                                std::string{"configuration does not match node_config: "} + e.what());
  }
}

caf::expected<node_config> load_node_config(std::string_view file_path,
                                             const std::vector<std::string>& overrides) {
  auto tree = load_settings(file_path, overrides);
  if (!tree)
    return std::move(tree.error());
  return make_node_config(*tree);
}

}  // namespace cartmate::config
