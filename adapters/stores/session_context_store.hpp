// session_context_store.hpp — the session context store interface: one opaque value (the
// orchestrator keeps JSON there) per tenant + session, with a time-to-live that restarts on
// every put. Implementations: memory (embedded default), Redis (shared by every node).
// Threading: every implementation is safe for concurrent use; calls are synchronous. The Redis
// one blocks on the network, so callers keep it off CAF's scheduler threads.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <tuple>

#include <caf/expected.hpp>

namespace cartmate::stores {

/// Whose context it is. Tenants never share contexts, even for equal session ids.
struct session_key {
  std::string tenant;
  std::string session_id;

  friend bool operator<(const session_key& a, const session_key& b) {
    return std::tie(a.tenant, a.session_id) < std::tie(b.tenant, b.session_id);
  }
  friend bool operator==(const session_key& a, const session_key& b) {
    return a.tenant == b.tenant && a.session_id == b.session_id;
  }
};

class session_context_store {
 public:
  virtual ~session_context_store() = default;

  /// Stores `value` (any bytes) under `key`, replacing what was there; it expires `ttl` after
  /// this put, whatever an earlier put said. errc::invalid_argument for a ttl below 1 ms.
  [[nodiscard]] virtual caf::expected<void>
  put(const session_key& key, const std::string& value, std::chrono::milliseconds ttl) = 0;

  /// The value stored under `key`, or nothing when there is none or it has expired.
  [[nodiscard]] virtual caf::expected<std::optional<std::string>> get(const session_key& key) = 0;

  /// Removes `key`'s value; erasing a missing key is not an error.
  [[nodiscard]] virtual caf::expected<void> erase(const session_key& key) = 0;
};

}  // namespace cartmate::stores
