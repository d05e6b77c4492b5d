// cluster_member.hpp — this node's membership in a cluster: one well-known member actor,
// published on the cluster port, that joins the seeds, learns the other members from them,
// puts their agents into the directory as remote replicas, watches them (CAF 0.17 has no node
// monitor, so the member actor stands for its node), takes them out when a node dies, and
// reconnects with backoff until it is back. It also carries notifications between nodes.
// Threading: construct, join() and leave() from the main thread; view() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <chrono>
#include <vector>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "config/node_config.hpp"

namespace cartmate::runtime {

class agent_directory;
class breaker_registry;
class metrics_registry;
class notification_bus;

/// What one member knows of a peer, for `cartmate status` and /cluster.
struct peer_view {
  std::string address;      // host:port dialled or advertised
  std::string node;         // empty until it answered
  std::string state;        // connecting | up | down | refused
  bool gateway = false;     // it accepts shoppers (node.gateway)
  std::vector<std::string> agents;
  std::string last_error;
  int64_t since_ms = 0;     // wall clock of the last state change
};

/// The member's picture of the cluster, updated by the member actor, read by anyone.
class cluster_view {
 public:
  void set_peers(std::vector<peer_view> peers);
  std::vector<peer_view> peers() const;

 private:
  mutable std::mutex mutex_;
  std::vector<peer_view> peers_;
};

struct cluster_member_deps {
  agent_directory* directory = nullptr;    // must outlive the member
  breaker_registry* breakers = nullptr;    // must outlive the member
  metrics_registry* metrics = nullptr;     // must outlive the member
  /// Where notifications forwarded by peers are published (the node's own subscribers).
  std::shared_ptr<notification_bus> local_bus;
  std::string node_name;
  bool gateway = false;
  config::cluster_settings settings;
};

class cluster_membership {
 public:
  /// Spawns the member actor; nothing is published or dialled before join().
  cluster_membership(caf::actor_system& sys, cluster_member_deps deps);
  ~cluster_membership();

  cluster_membership(const cluster_membership&) = delete;
  cluster_membership& operator=(const cluster_membership&) = delete;

  /// Publishes the member on cluster.address:cluster.port, dials the seeds and waits at most
  /// cluster.join_wait for a first answer (or failure) from every member it learns of, so
  /// their agents are in the directory when this returns. The bound port, or why not.
  caf::expected<uint16_t> join();

  /// Ends the member (peers drop this node at once) and closes the port. Idempotent.
  void leave();

  /// The member actor: forwards notifications and answers status requests.
  const caf::actor& member() const { return member_; }
  uint16_t port() const { return port_; }
  const cluster_view& view() const { return *view_; }

  /// The cluster as this node sees it, as JSON text (members, their agents, their health).
  /// Thread-safe; it asks nobody, so an HTTP thread may call it.
  std::string status_json() const;

 private:
  caf::actor_system& sys_;
  cluster_member_deps deps_;
  std::shared_ptr<cluster_view> view_;
  caf::actor member_;
  uint16_t port_ = 0;
  std::string self_address_;   // set by join()
  bool left_ = false;
};

/// Asks the member published at host:port for its status JSON (the `cartmate status` command).
/// Blocking; `sys` must have the middleman loaded.
caf::expected<std::string> fetch_cluster_status(caf::actor_system& sys, const std::string& host,
                                                uint16_t port, std::chrono::milliseconds timeout);

}  // namespace cartmate::runtime
