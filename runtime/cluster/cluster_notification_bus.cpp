// cluster_notification_bus.cpp — local delivery plus one forward to the cluster member.
#include "runtime/cluster/cluster_notification_bus.hpp"

#include <caf/send.hpp>

#include "runtime/atoms.hpp"

namespace cartmate::runtime {

cluster_notification_bus::cluster_notification_bus(std::shared_ptr<notification_bus> local,
                                                   caf::actor member)
  : local_(std::move(local)), member_(std::move(member)) {
  // nop
}

caf::error cluster_notification_bus::publish(const std::string& tenant, const std::string& user,
                                             const protocol::notification_event& n) {
  // Peers publish what they receive on their local bus only, so nothing travels twice.
  caf::anon_send(member_, forward_atom::value, tenant, user, n);
  return local_->publish(tenant, user, n);
}

notification_bus::subscription cluster_notification_bus::subscribe(handler h) {
  return local_->subscribe(std::move(h));
}

void cluster_notification_bus::unsubscribe(subscription id) {
  local_->unsubscribe(id);
}

}  // namespace cartmate::runtime
