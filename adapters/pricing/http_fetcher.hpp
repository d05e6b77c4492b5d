// http_fetcher.hpp — the seam between the price agent and HTTP: GET a URL within a timeout and
// hear back once. The libcurl implementation is curl_multi_fetcher.
// Threading: fetch() may be called from any thread; callbacks run on the fetcher's own thread,
// so they must be short and thread-safe (the agent's callback only does caf::anon_send).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include <caf/expected.hpp>

namespace cartmate::pricing {

struct http_request {
  std::string url;
  std::chrono::milliseconds timeout{500};   // the whole transfer, connect included
  size_t max_body_bytes = 256 * 1024;       // a longer answer fails instead of filling memory
};

struct http_response {
  long status = 0;
  std::string body;
};

/// Called exactly once per fetch: the response (any status), or errc::timeout ("timed out
/// after 300 ms"), errc::unavailable (cannot connect, fetcher stopped) or errc::agent_error
/// (body too large, protocol error).
using fetch_callback = std::function<void(caf::expected<http_response>)>;

class http_fetcher {
 public:
  virtual ~http_fetcher() = default;

  /// Starts a GET of `req.url`; returns at once.
  virtual void fetch(http_request req, fetch_callback done) = 0;
};

}  // namespace cartmate::pricing
