// redis_session_context_store.hpp — session contexts in Redis, shared by every node: SET key
// value PX ttl / GET / DEL under a configurable key prefix. Redis expires the keys itself.
// Threading: safe for concurrent use. Every call BLOCKS on Redis (see redis_client): call it
// from a redis_pool job or a thread of your own, never from a CAF scheduler thread. A down
// server gives errc::unavailable (errc::timeout for a hung one), never an exception.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "adapters/stores/redis/redis_client.hpp"
#include "adapters/stores/session_context_store.hpp"

namespace cartmate::stores::redis {

class redis_session_context_store final : public session_context_store {
 public:
  /// Uses `client`'s connections (shareable with other Redis stores). Keys look like
  /// "<key_prefix>session:<tenant length>:<tenant>:<session id>", so no tenant name can reach
  /// into another tenant's keys.
  explicit redis_session_context_store(std::shared_ptr<redis_client> client,
                                       std::string key_prefix = "cartmate:");

  /// With a client of its own of up to `connections` connections.
  explicit redis_session_context_store(redis_options opts, std::string key_prefix = "cartmate:",
                                       size_t connections = 4);

  caf::expected<void> put(const session_key& key, const std::string& value,
                          std::chrono::milliseconds ttl) override;
  caf::expected<std::optional<std::string>> get(const session_key& key) override;
  caf::expected<void> erase(const session_key& key) override;

  /// The Redis key that holds `key`'s context.
  std::string redis_key(const session_key& key) const;

 private:
  std::shared_ptr<redis_client> client_;
  std::string prefix_;
};

}  // namespace cartmate::stores::redis
