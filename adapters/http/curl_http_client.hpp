// curl_http_client.hpp — http_client on the libcurl multi interface: every transfer runs
// concurrently on ONE dedicated thread owned by this object, never on a CAF scheduler thread.
// Threading: send() is safe from any thread; callbacks run on the client thread; the
// destructor (or stop()) ends the thread and fails the transfers still running.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/http/http_client.hpp"

namespace cartmate::http {

struct curl_http_client_options {
  /// Transfers running at once; further requests wait in a queue.
  size_t max_concurrent = 32;
  /// Idle connections kept per host for reuse.
  long max_host_connections = 8;
  std::string user_agent = "CartMate/0.1";
};

class curl_http_client final : public http_client {
 public:
  explicit curl_http_client(curl_http_client_options options = {});
  ~curl_http_client() override;

  curl_http_client(const curl_http_client&) = delete;
  curl_http_client& operator=(const curl_http_client&) = delete;

  /// Queues `req`; after stop() the callback is called at once with errc::unavailable.
  void send(http_request req, response_callback done) override;

  /// Ends the thread, failing queued and running transfers with errc::unavailable. Idempotent.
  void stop();

 private:
  struct transfer;
  struct pending {
    http_request req;
    response_callback done;
  };

  void run();
  void start_queued();
  void finish(transfer* t, int curl_code);

  curl_http_client_options options_;
  void* multi_ = nullptr;           // CURLM*, touched only by the client thread after start
  std::mutex mutex_;                // guards queue_ and stopping_
  std::deque<pending> queue_;
  bool stopping_ = false;
  std::vector<transfer*> active_;   // running transfers, client thread only (owned)
  std::thread thread_;
};

}  // namespace cartmate::http
