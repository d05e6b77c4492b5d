// server.hpp — the HTTP and WebSocket server of `cartmate serve` (Boost.Beast behind this
// interface: nothing here includes Beast or CAF, so callers stay cheap to compile).
// Threading: construct, start, stop_accepting, close_all and stop from one thread (main). The
// server runs its own io_context on server_options::io_threads threads of its own; route
// handlers and frame handlers are called on those threads. frame_sink is safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace cartmate::runtime {
class metrics_registry;
}

namespace cartmate::http {

namespace detail {
struct server_impl;
}

struct server_options {
  std::string address = "127.0.0.1";
  uint16_t port = 0;                       // 0: any free port (start() returns the real one)
  int io_threads = 1;
  size_t max_frame_bytes = 65536;          // bigger WebSocket messages: close 1009
  size_t max_connections = 10000;          // more WebSocket sessions: close 1013
  std::chrono::milliseconds idle_timeout{300000};   // no frame either way: close 1000
  size_t send_queue_frames = 256;          // more unsent frames: the connection is dropped
  size_t max_http_request_bytes = 16384;   // header limit and body limit, each
  std::chrono::milliseconds http_read_timeout{30000};
  bool accept_websockets = true;           // false: upgrades answer 404 (a node that serves no shoppers)
};

struct http_response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// Answers one route (GET or HEAD of an exact path); runs on an io thread, so it must be quick.
using route_handler = std::function<http_response()>;

/// What a POST route sees of its request (valid during the call only).
struct post_request {
  std::string_view body;
  std::string_view authorization;   // the Authorization header, "" when absent
};

/// Answers a POST of an exact path; runs on an io thread: hand work off, answer at once (202).
using post_handler = std::function<http_response(const post_request&)>;

/// The server's side of one WebSocket connection, given to the application. Safe from any
/// thread; calls after the connection closed, or once server::stop() has begun, are ignored.
/// A sink does not own its connection: holding one (even past the server) keeps nothing of the
/// server alive.
class frame_sink {
 public:
  virtual ~frame_sink() = default;
  /// Queues a text frame. When more than send_queue_frames are unsent, the client is too slow:
  /// the queue is dropped and so is the connection.
  virtual void send_text(std::string frame) = 0;
  /// Sends the queued frames, then a close frame with `code`, then closes.
  virtual void close(uint16_t code, std::string reason) = 0;
};

/// The application's side of one WebSocket connection. Called on the connection's strand,
/// never concurrently; on_closed comes exactly once, last (also when the server stops).
class frame_handler {
 public:
  virtual ~frame_handler() = default;
  virtual void on_frame(std::string data, bool is_text) = 0;
  virtual void on_closed() = 0;
};

/// Makes the handler of a new connection. The connection owns the sink: keep the weak_ptr and
/// lock it per use.
using session_factory = std::function<std::unique_ptr<frame_handler>(std::weak_ptr<frame_sink>)>;

/// WebSocket close codes the server uses.
namespace close_code {
inline constexpr uint16_t normal = 1000;
inline constexpr uint16_t going_away = 1001;
inline constexpr uint16_t policy_violation = 1008;
inline constexpr uint16_t too_big = 1009;
inline constexpr uint16_t internal_error = 1011;
inline constexpr uint16_t try_again_later = 1013;
/// Application range (4000-4999): the session was resumed on a newer connection.
inline constexpr uint16_t superseded = 4000;
}  // namespace close_code

class server {
 public:
  /// `routes` maps exact paths ("/healthz") to their handlers; other paths are WebSocket
  /// upgrades (any path) or 404. `metrics` may be null.
  server(server_options options, session_factory factory, std::map<std::string, route_handler> routes,
         runtime::metrics_registry* metrics);
  ~server();   // stop()

  /// Adds a POST route; call before start(). Other methods on its path get 405.
  void add_post_route(std::string path, post_handler handler);

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds, listens and starts the io threads. Returns the bound port.
  [[nodiscard]] caf::expected<uint16_t> start();

  /// Closes the listening socket; open connections keep going.
  void stop_accepting();

  /// Asks every open WebSocket to close with `code` after its queued frames.
  void close_all(uint16_t code, std::string reason);

  /// Open WebSocket sessions.
  size_t open_sessions() const;

  /// Stops the io threads and drops every connection (without close frames); from its start,
  /// frame_sink calls do nothing. Idempotent.
  void stop();

 private:
  std::unique_ptr<detail::server_impl> impl_;
};

}  // namespace cartmate::http
