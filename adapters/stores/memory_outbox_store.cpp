// memory_outbox_store.cpp — per-user vectors of notifications under one mutex.
#include "adapters/stores/memory_outbox_store.hpp"

#include "protocol/errors.hpp"

namespace cartmate::stores {

caf::expected<std::vector<protocol::notification_event>>
memory_outbox_store::pending(const user_key& who) {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<protocol::notification_event> out;
  auto i = by_user_.find(who);
  if (i == by_user_.end())
    return out;
  for (const auto& e : i->second)
    if (!e.delivered)
      out.push_back(e.event);
  return out;
}

caf::error memory_outbox_store::acknowledge(const user_key& who,
                                            const std::string& notification_id) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = by_user_.find(who);
  if (i != by_user_.end())
    for (auto& e : i->second)
      if (e.event.notification_id == notification_id) {
        e.delivered = true;
        return {};
      }
  return protocol::make_error(protocol::errc::not_found,
                              "no notification " + notification_id + " for this user");
}

bool memory_outbox_store::add(const std::string& tenant, const protocol::notification_event& n) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (!owner_.emplace(std::make_pair(tenant, n.notification_id), n.user).second)
    return false;
  by_user_[user_key{tenant, n.user}].push_back(entry{n, false});
  return true;
}

bool memory_outbox_store::contains(const std::string& tenant,
                                   const std::string& notification_id) {
  std::lock_guard<std::mutex> guard{mutex_};
  return owner_.count(std::make_pair(tenant, notification_id)) != 0;
}

}  // namespace cartmate::stores
