// memory_session_context_store.hpp — session contexts in process memory with a TTL: the embedded
// default and the test double. The clock is injected so tests control expiry.
// Threading: safe for concurrent use (one mutex; every call is short and never blocks on I/O).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>

#include "adapters/stores/session_context_store.hpp"

namespace cartmate::stores {

class memory_session_context_store final : public session_context_store {
 public:
  using clock = std::chrono::steady_clock;
  using clock_fn = std::function<clock::time_point()>;

  explicit memory_session_context_store(clock_fn now = [] { return clock::now(); });

  caf::expected<void> put(const session_key& key, const std::string& value,
                          std::chrono::milliseconds ttl) override;
  caf::expected<std::optional<std::string>> get(const session_key& key) override;
  caf::expected<void> erase(const session_key& key) override;

  /// Entries held, expired ones not yet swept included (for tests and metrics).
  size_t size() const;

 private:
  struct entry {
    std::string value;
    clock::time_point expires;
  };

  void sweep(clock::time_point now);

  clock_fn now_;
  mutable std::mutex mutex_;
  std::map<session_key, entry> entries_;
  size_t sweep_at_ = 1024;   // expired entries are dropped when the map grows past this
};

}  // namespace cartmate::stores
