// http_client.hpp — the seam between CartMate and outbound HTTP: send one request (GET or POST,
// headers, body) within a timeout and hear back once, optionally receiving the body as it
// arrives (server-sent events). The libcurl implementation is curl_http_client.
// Threading: send() may be called from any thread; callbacks (done and on_chunk) run on the
// client's own thread, so they must be short and thread-safe (actors only caf::anon_send there).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace cartmate::http {

enum class http_method { get, post };

/// Receives body bytes of a 2xx answer as they arrive; returning false aborts the transfer
/// (the request then ends with errc::unavailable "aborted by the receiver").
using chunk_callback = std::function<bool(std::string_view bytes)>;

struct http_request {
  http_method method = http_method::get;
  std::string url;
  /// Sent as given; "Accept: application/json" is added unless an Accept header is present.
  std::map<std::string, std::string> headers;
  std::string body;                          // POST only
  std::chrono::milliseconds timeout{500};   // the whole transfer, connect included
  size_t max_body_bytes = 256 * 1024;       // a longer answer fails instead of filling memory
  /// When set, a 2xx answer's body goes here piece by piece instead of into http_response::body
  /// (max_body_bytes still bounds the total). A non-2xx answer's body is collected as usual.
  chunk_callback on_chunk;
};

struct http_response {
  long status = 0;
  std::string body;
  /// Headers of the final answer (after redirects), names lower-cased; a repeated header keeps
  /// its last value.
  std::map<std::string, std::string> headers;

  /// The value of header `name` (any case), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

/// Called exactly once per request: the response (any status), or errc::timeout ("timed out
/// after 300 ms"), errc::unavailable (cannot connect, client stopped, aborted by on_chunk) or
/// errc::agent_error (body too large, protocol error) or errc::invalid_argument (bad URL).
using response_callback = std::function<void(caf::expected<http_response>)>;

class http_client {
 public:
  virtual ~http_client() = default;

  /// Starts `req`; returns at once.
  virtual void send(http_request req, response_callback done) = 0;
};

}  // namespace cartmate::http
