// node.hpp — one CartMate process: its CAF actor system, agent directory, metrics, breakers,
// timer and the supervisor of its agents, built from a validated node_config.
// Threading: construct, start and stop from the main thread; the accessors are safe to use
// from actors while the node runs. Never keep a node in a static (CAF's actor_system must be
// destroyed before exit handlers run).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>

#include "config/node_config.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/notification_bus.hpp"
#include "runtime/readiness.hpp"
#include "runtime/resilience_context.hpp"
#include "runtime/supervisor.hpp"

namespace cartmate::runtime {

class cluster_membership;

/// CAF settings derived from the node configuration, with every protocol type registered.
class node_caf_config : public caf::actor_system_config {
 public:
  explicit node_caf_config(const config::node_config& cfg);
};

class node {
 public:
  explicit node(config::node_config cfg);
  ~node();

  node(const node&) = delete;
  node& operator=(const node&) = delete;

  /// Verifies that every protocol type is registered, then starts the supervisor with
  /// `agents` (only the kinds the configuration lists) and, with cluster.enabled, joins the
  /// cluster (waiting at most cluster.join_wait for the seeds). Nothing runs when it fails.
  caf::error start(std::vector<child_spec> agents);

  /// Leaves the cluster, stops agents in reverse start order and waits for them (bounded),
  /// then runs the at_stop hooks (last added first). Idempotent.
  void stop();

  /// Runs `hook` in stop() once the agents have ended, e.g. to stop a store's worker pool the
  /// agents submitted to. Main thread only, like stop().
  void at_stop(std::function<void()> hook);

  caf::actor_system& system() { return system_; }
  const config::node_config& config() const { return cfg_; }
  agent_directory& directory() { return directory_; }
  metrics_registry& metrics() { return metrics_; }
  breaker_registry& breakers() { return breakers_; }
  /// Probes /readyz reports besides the agents (stores); whoever adds one keeps it valid.
  readiness_registry& readiness() { return readiness_; }
  /// Live fan-out of fired notifications to sessions: in process unless replaced (Redis, so
  /// every gateway hears them). Replace it before start().
  const std::shared_ptr<notification_bus>& notifications() const { return notifications_; }
  void use_notification_bus(std::shared_ptr<notification_bus> bus) { notifications_ = std::move(bus); }
  const resilience_context& resilience() const { return *resilience_; }
  const caf::actor& supervisor() const { return supervisor_; }
  /// This node's cluster membership; null unless cluster.enabled.
  cluster_membership* cluster() { return cluster_.get(); }

 private:
  config::node_config cfg_;
  metrics_registry metrics_;
  agent_directory directory_;
  breaker_registry breakers_;
  readiness_registry readiness_;
  std::shared_ptr<notification_bus> notifications_ = std::make_shared<in_process_notification_bus>();
  node_caf_config caf_cfg_;
  caf::actor_system system_;   // after caf_cfg_: constructed from it
  std::unique_ptr<resilience_context> resilience_;
  caf::actor timer_;
  caf::actor escalation_listener_;
  caf::actor supervisor_;
  std::unique_ptr<cluster_membership> cluster_;
  std::vector<std::function<void()>> stop_hooks_;
};

/// Call policy and restart policy as configured.
call_policy make_call_policy(const config::resilience_settings& settings);
restart_policy make_restart_policy(const config::supervisor_settings& settings);

}  // namespace cartmate::runtime
