// front_end.hpp — the server side of `cartmate serve` as one piece: the session hub, the HTTP
// routes (/healthz, /readyz, /metrics, / and /cluster) and the HTTP/WebSocket server on a running node,
// with the graceful shutdown sequence. The serve command and the server tests both use it.
// Threading: construct, start and shut down from one thread (main); the node must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <caf/expected.hpp>

#include "actors/session/session_hub.hpp"
#include "adapters/http/server.hpp"
#include "config/node_config.hpp"

namespace cartmate::runtime {
class node;
}

namespace cartmate::session {

/// The /readyz answer: 200 when every configured agent the node hosts is live in the
/// directory and every store probe (node.readiness()) passes, else 503; the JSON body names
/// each agent's and store's state and what is missing.
std::pair<int, std::string> readiness(runtime::node& node);

/// The HTTP routes of the server, reading `node` (which must outlive them).
std::map<std::string, http::route_handler> make_routes(runtime::node& node);

/// The server's settings from the configuration.
http::server_options server_options_from(const config::node_config& cfg);

class front_end {
 public:
  /// `cfg` is normally node.config(); tests pass variations.
  front_end(runtime::node& node, const config::node_config& cfg);
  ~front_end();   // shutdown()

  /// Binds and starts serving; the bound port.
  [[nodiscard]] caf::expected<uint16_t> start();

  /// Stops accepting, lets running turns finish within server.drain_ms, closes every socket
  /// with 1001, stops the io threads and ends the session actors. Idempotent.
  void shutdown();

  session_hub& hub() { return *hub_; }
  http::server& server() { return *server_; }

 private:
  config::node_config cfg_;
  std::shared_ptr<session_hub> hub_;
  std::unique_ptr<http::server> server_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace cartmate::session
