// fixture_http_server.hpp — a small real HTTP/1.1 server on 127.0.0.1 (port 0: the kernel
// picks) that serves canned answers per path: a fixture file or a string, any status code, an
// optional delay, raw bytes that are not HTTP at all, a body streamed in chunks with pauses, or a
// sequence of answers (429 then 200). It counts and records requests so a test can tell a cache
// hit from a fetch. Used by the pricing, webhook and LLM client tests.
// Threading: the server runs on its own thread; every public method is safe from any thread.
// stop() (or the destructor) cancels delayed answers and closes connections, then joins.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cartmate::testing {

/// What the server answers on one path.
struct fixture_route {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  /// Wait this long before answering (a slow retailer); stop() cuts the wait short.
  std::chrono::milliseconds delay{0};
  /// When set, these bytes are written instead of an HTTP response and the connection is then
  /// closed (an empty string closes without a byte): for answers that break the protocol.
  std::optional<std::string> raw;
  /// Extra response headers.
  std::map<std::string, std::string> headers;
  /// When not empty, the body is these pieces instead of `body`, sent with
  /// Transfer-Encoding: chunked, one HTTP chunk each, `chunk_pause` apart (so a client sees
  /// real chunk boundaries, e.g. server-sent events split mid-line); the connection then closes.
  std::vector<std::string> chunks;
  std::chrono::milliseconds chunk_pause{20};
};

/// One request the server received.
struct recorded_request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // path and query, as sent
  std::string path;     // target without the query
  std::string body;
  std::map<std::string, std::string> headers;   // names lower-cased
};

class fixture_http_server {
 public:
  /// Binds 127.0.0.1 on a free port and starts serving; an unknown path answers 404.
  fixture_http_server();
  ~fixture_http_server();

  fixture_http_server(const fixture_http_server&) = delete;
  fixture_http_server& operator=(const fixture_http_server&) = delete;

  uint16_t port() const;

  /// "http://127.0.0.1:<port>".
  std::string base_url() const;

  /// Serves `route` on `path` (matched without the query string); replaces an earlier route.
  void route(const std::string& path, fixture_route route);

  /// Serves `sequence` on `path`: the n-th request gets the n-th answer, and once the sequence
  /// is used up the last answer repeats. Replaces an earlier route or sequence on `path`.
  void route_sequence(const std::string& path, std::vector<fixture_route> sequence);

  /// Serves the content of `file` on `path` with `status` after `delay`. Returns false when the
  /// file cannot be read (the route is not added then).
  bool route_file(const std::string& path, const std::string& file, int status = 200,
                  std::chrono::milliseconds delay = std::chrono::milliseconds{0});

  /// Requests received on `path` (query ignored), answered or not.
  int hits(const std::string& path) const;
  int total_hits() const;
  std::vector<recorded_request> requests() const;

  /// Stops accepting, cancels delayed answers, closes every connection and joins the thread.
  /// Idempotent.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The content of a file, or nullopt when it cannot be read.
std::optional<std::string> read_text_file(const std::string& path);

}  // namespace cartmate::testing
