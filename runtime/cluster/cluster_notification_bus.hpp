// cluster_notification_bus.hpp — the notification bus of a cluster node without a shared (Redis)
// bus: a notification published here reaches this node's sessions and, through the cluster
// member, every other node's, so a shopper hears an alert fired on another node.
// Threading: as notification_bus (publish never blocks: forwarding is one anon_send).
#pragma once

#include <memory>

#include <caf/actor.hpp>

#include "runtime/notification_bus.hpp"

namespace cartmate::runtime {

class cluster_notification_bus final : public notification_bus {
 public:
  /// `local` holds this node's subscribers; `member` forwards to the peers' local buses.
  cluster_notification_bus(std::shared_ptr<notification_bus> local, caf::actor member);

  caf::error publish(const std::string& tenant, const std::string& user,
                     const protocol::notification_event& n) override;
  subscription subscribe(handler h) override;
  void unsubscribe(subscription id) override;

 private:
  std::shared_ptr<notification_bus> local_;
  caf::actor member_;
};

}  // namespace cartmate::runtime
