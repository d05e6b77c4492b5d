// ws_test_client.hpp — a small blocking Beast client for the server tests: raw HTTP requests
// and a WebSocket that reads one JSON frame at a time. Every read has a socket timeout (so a
// bug fails the test instead of hanging it); no assertion depends on timing.
// Threading: one client per test thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace cartmate::testing {

struct http_reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

/// GET (or another method) of `target` on 127.0.0.1:port.
http_reply http_request(uint16_t port, const std::string& target, const std::string& method = "GET");

/// Sends `raw` bytes as they are and returns the status of the answer (0 when none came).
int raw_http_status(uint16_t port, const std::string& raw);

class ws_client {
 public:
  /// Connects and completes the WebSocket handshake; connected() says whether it worked.
  explicit ws_client(uint16_t port, const std::string& target = "/ws");
  ~ws_client();

  bool connected() const;
  void send(const std::string& text);
  void send(const nlohmann::json& frame) { send(frame.dump()); }
  void send_binary(const std::string& bytes);

  /// The next text frame as JSON; nothing when the connection closed (see close_code) or the
  /// read timed out.
  std::optional<nlohmann::json> next();

  /// Frames up to and including the next one of `type` (nothing if the connection ends first).
  std::optional<nlohmann::json> next_of_type(const std::string& type,
                                             std::vector<nlohmann::json>* seen = nullptr);

  bool closed() const { return closed_; }
  /// The close code the server sent (0 before a close or when the TCP connection just ended).
  uint16_t close_code() const { return close_code_; }
  /// Why reading stopped, for failure messages.
  const std::string& end_reason() const { return end_reason_; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  bool closed_ = false;
  uint16_t close_code_ = 0;
  std::string end_reason_;
};

}  // namespace cartmate::testing
