// redis_session_context_store.cpp — the three commands and the key layout.
#include "adapters/stores/redis/redis_session_context_store.hpp"

#include <utility>

#include "protocol/errors.hpp"

namespace cartmate::stores::redis {

namespace {

using protocol::errc;
using protocol::make_error;

caf::error unexpected_reply(const char* command) {
  return make_error(errc::agent_error, std::string{"Redis "} + command + ": unexpected reply");
}

}  // namespace

redis_session_context_store::redis_session_context_store(std::shared_ptr<redis_client> client,
                                                         std::string key_prefix)
  : client_(std::move(client)), prefix_(std::move(key_prefix)) {
  // nop
}

redis_session_context_store::redis_session_context_store(redis_options opts,
                                                         std::string key_prefix,
                                                         size_t connections)
  : redis_session_context_store(std::make_shared<redis_client>(std::move(opts), connections),
                                std::move(key_prefix)) {
  // nop
}

std::string redis_session_context_store::redis_key(const session_key& key) const {
  // The tenant's length makes the split unambiguous whatever characters the ids contain.
  return prefix_ + "session:" + std::to_string(key.tenant.size()) + ":" + key.tenant + ":"
         + key.session_id;
}

caf::expected<void> redis_session_context_store::put(const session_key& key,
                                                     const std::string& value,
                                                     std::chrono::milliseconds ttl) {
  if (ttl.count() < 1)
    return make_error(errc::invalid_argument, "session context ttl must be at least 1 ms");
  // SET ... PX replaces value and expiry together, so the TTL restarts on every put.
  auto reply = client_->command({"SET", redis_key(key), value, "PX", std::to_string(ttl.count())},
                                redis_retry::once_if_stale);
  if (!reply)
    return std::move(reply.error());
  if (reply->type != redis_reply::kind::status)
    return unexpected_reply("SET");
  return caf::unit;
}

caf::expected<std::optional<std::string>>
redis_session_context_store::get(const session_key& key) {
  auto reply = client_->command({"GET", redis_key(key)}, redis_retry::once_if_stale);
  if (!reply)
    return std::move(reply.error());
  if (reply->is_nil())
    return std::optional<std::string>{};
  if (reply->type != redis_reply::kind::string)
    return unexpected_reply("GET");
  return std::optional<std::string>{std::move(reply->str)};
}

caf::expected<void> redis_session_context_store::erase(const session_key& key) {
  auto reply = client_->command({"DEL", redis_key(key)}, redis_retry::once_if_stale);
  if (!reply)
    return std::move(reply.error());
  if (reply->type != redis_reply::kind::integer)
    return unexpected_reply("DEL");
  return caf::unit;
}

}  // namespace cartmate::stores::redis
