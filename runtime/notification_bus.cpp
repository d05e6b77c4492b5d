// notification_bus.cpp — the in-process bus: handlers copied out under the lock, called outside
// it, so a handler may subscribe or unsubscribe without deadlocking.
#include "runtime/notification_bus.hpp"

#include <exception>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace cartmate::runtime {

caf::error in_process_notification_bus::publish(const std::string& tenant,
                                                const std::string& user,
                                                const protocol::notification_event& n) {
  std::vector<std::shared_ptr<handler>> targets;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    targets.reserve(handlers_.size());
    for (const auto& [id, h] : handlers_)
      targets.push_back(h);
  }
  for (const auto& h : targets) {
    try {
      (*h)(tenant, user, n);
    } catch (const std::exception& e) {
      spdlog::warn("notification bus: a subscriber failed on {}: {}", n.notification_id,
                   e.what());
    }
  }
  return {};
}

notification_bus::subscription in_process_notification_bus::subscribe(handler h) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto id = next_id_++;
  handlers_.emplace(id, std::make_shared<handler>(std::move(h)));
  return id;
}

void in_process_notification_bus::unsubscribe(subscription id) {
  std::lock_guard<std::mutex> guard{mutex_};
  handlers_.erase(id);
}

size_t in_process_notification_bus::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return handlers_.size();
}

}  // namespace cartmate::runtime
