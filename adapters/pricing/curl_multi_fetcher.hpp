// curl_multi_fetcher.hpp — http_fetcher on the libcurl multi interface: every transfer runs
// concurrently on ONE dedicated thread owned by this object, never on a CAF scheduler thread.
// Threading: fetch() is safe from any thread; callbacks run on the fetcher thread; the
// destructor (or stop()) ends the thread and fails the transfers still running.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/pricing/http_fetcher.hpp"

namespace cartmate::pricing {

struct curl_fetcher_options {
  /// Transfers running at once; further fetches wait in a queue.
  size_t max_concurrent = 32;
  /// Idle connections kept per host for reuse.
  long max_host_connections = 8;
};

class curl_multi_fetcher final : public http_fetcher {
 public:
  explicit curl_multi_fetcher(curl_fetcher_options options = {});
  ~curl_multi_fetcher() override;

  curl_multi_fetcher(const curl_multi_fetcher&) = delete;
  curl_multi_fetcher& operator=(const curl_multi_fetcher&) = delete;

  /// Queues a GET; after stop() the callback is called at once with errc::unavailable.
  void fetch(http_request req, fetch_callback done) override;

  /// Ends the thread, failing queued and running transfers with errc::unavailable. Idempotent.
  void stop();

 private:
  struct transfer;
  struct pending {
    http_request req;
    fetch_callback done;
  };

  void run();
  void start_queued();
  void finish(transfer* t, int curl_code);

  curl_fetcher_options options_;
  void* multi_ = nullptr;           // CURLM*, touched only by the fetcher thread after start
  std::mutex mutex_;                // guards queue_ and stopping_
  std::deque<pending> queue_;
  bool stopping_ = false;
  std::vector<transfer*> active_;   // running transfers, fetcher thread only (owned)
  std::thread thread_;
};

}  // namespace cartmate::pricing
