// node_config.hpp — the validated settings as plain typed structs, one per schema section, for
// the runtime to read at start-up. Threading: plain values; copy freely, no shared mutable state.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include "protocol/agent_kind.hpp"

namespace cartmate::config {

struct log_settings {
  std::string level;   // trace|debug|info|warn|error|off
  std::string format;  // text|json
  std::string file;    // empty: stderr
};

struct scheduler_settings {
  int threads = 0;  // 0: CAF's default
  std::string policy;  // stealing|sharing
};

struct supervisor_settings {
  int max_restarts = 0;
  std::chrono::milliseconds restart_window{0};
  std::chrono::milliseconds restart_delay{0};
};

struct resilience_settings {
  std::chrono::milliseconds turn_deadline{0};
  std::chrono::milliseconds attempt_timeout{0};
  int max_attempts = 0;
  std::chrono::milliseconds backoff_initial{0};
  std::chrono::milliseconds backoff_max{0};
  double backoff_multiplier = 0;
  double jitter = 0;
  int breaker_failure_threshold = 0;
  std::chrono::milliseconds breaker_reset{0};
};

struct catalog_settings {
  std::string path;
  std::string currency;
};

struct index_settings {
  int embedding_dim = 0;
};

/// The HTTP and WebSocket server of `cartmate serve`.
struct server_settings {
  std::string address;
  int port = 0;                                // 0: any free port
  int io_threads = 1;
  std::chrono::milliseconds resume_window{0};
  std::chrono::milliseconds drain{0};
};

struct auth_settings {
  bool enabled = false;
  std::string secret;
  std::chrono::seconds token_ttl{0};
};

/// Per-connection limits of the server.
struct limit_settings {
  size_t max_frame_bytes = 0;
  size_t max_message_bytes = 0;
  size_t max_queued_turns = 0;
  std::chrono::milliseconds idle_timeout{0};
  size_t max_connections = 0;
  size_t send_queue_frames = 0;
  size_t max_http_request_bytes = 0;
  size_t max_image_bytes = 0;
};

/// Per-tenant token bucket on turns.
struct rate_limit_settings {
  double turns_per_second = 0;                 // 0: unlimited
  double burst = 0;
  std::string backend = "memory";              // memory|redis
};

/// Which implementation backs each store.
struct store_settings {
  std::string cart = "memory";              // memory|postgres
  std::string history = "memory";           // memory|postgres
  std::string session_context = "memory";   // memory|redis
  std::string catalog = "file";             // file|postgres
  std::chrono::milliseconds session_context_ttl{86400000};

  bool uses_postgres() const {
    return cart == "postgres" || history == "postgres" || catalog == "postgres" || alerts == "postgres"
           || profiles == "postgres";
  }
  std::string alerts = "memory";            // memory|postgres (alerts.store)
  std::string profiles = "memory";          // memory|postgres
};

struct postgres_settings {
  std::string conninfo;
  int pool_size = 4;
  int connect_timeout_s = 3;
  std::chrono::milliseconds statement_timeout{0};   // 0: none
};

struct redis_settings {
  std::string host;
  int port = 6379;
  std::string password;
  int database = 0;
  std::string key_prefix;
  int pool_size = 2;
  std::chrono::milliseconds timeout{1000};
};

struct host_port {
  std::string host;
  uint16_t port = 0;
};

/// "host:port" (port 1..65535; the host is not resolved here), or nothing.
std::optional<host_port> parse_host_port(std::string_view text);

/// Cluster membership over CAF's middleman (see docs/cluster.md).
struct cluster_settings {
  bool enabled = false;
  std::string address;
  int port = 0;                                 // 0: any free port
  std::string advertise_host;                   // empty: address
  std::vector<std::string> seeds;               // "host:port", validated
  std::chrono::milliseconds heartbeat_interval{0};
  std::chrono::milliseconds connection_timeout{0};
  std::chrono::milliseconds connect_timeout{0};
  std::chrono::milliseconds reconnect_initial{0};
  std::chrono::milliseconds reconnect_max{0};
  std::chrono::milliseconds announce_interval{0};
  std::chrono::milliseconds join_wait{0};
  std::string tls_certificate;                  // with tls_key: TLS on every cluster link
  std::string tls_key;
  std::string tls_ca_file;                      // set: peers must present a certificate from it

  bool tls() const { return !tls_certificate.empty(); }
};

struct node_config {
  std::string name;
  std::vector<protocol::agent_kind> agents;
  bool gateway = true;                          // serve shoppers (page, WebSocket)
  log_settings log;
  scheduler_settings scheduler;
  supervisor_settings supervisor;
  resilience_settings resilience;
  catalog_settings catalog;
  index_settings index;
  server_settings server;
  auth_settings auth;
  limit_settings limits;
  rate_limit_settings rate_limit;
  store_settings stores;
  postgres_settings postgres;
  redis_settings redis;
  cluster_settings cluster;

  bool uses_redis() const { return stores.session_context == "redis" || rate_limit.backend == "redis"; }
  /// The full validated tree, for sections not mirrored above. Shared and immutable, so
  /// copying a node_config stays cheap and this header needs only json_fwd; never null in a
  /// node_config made by make_node_config.
  std::shared_ptr<const nlohmann::json> settings;
};

/// Maps a settings tree (normally load_settings' result) onto node_config. The tree is
/// validated again, so a hand-built or partial tree gets defaults and the same errors
/// (protocol::errc::invalid_argument) as a file would.
[[nodiscard]] caf::expected<node_config> make_node_config(const nlohmann::json& settings);

/// load_settings followed by make_node_config: what a node's start-up calls.
[[nodiscard]] caf::expected<node_config> load_node_config(std::string_view file_path,
                                                          const std::vector<std::string>& overrides);

}  // namespace cartmate::config
