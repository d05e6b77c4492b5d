// agent_directory.hpp — where callers find a live agent of a kind. Agents are registered by
// their supervisor (local) or by cluster membership (remote); callers see one API.
// Thread-safe: read by every actor on the node, written by supervisors.
#pragma once

#include <cstdint>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/expected.hpp>

#include "protocol/agent_kind.hpp"

namespace cartmate::runtime {

/// One replica of an agent: a handle plus where it lives.
struct agent_replica {
  caf::actor handle;
  std::string node;      // node name hosting it
  bool local = true;
};

struct agent_status {
  protocol::agent_kind kind;
  size_t live_replicas = 0;
  bool available = false;
  std::string reason;    // why unavailable ("restart limit reached", "node down")
  std::vector<std::string> nodes;
};

class agent_directory {
 public:
  /// Adds a live replica of `kind`; clears an earlier "unavailable" mark.
  void add(protocol::agent_kind kind, agent_replica replica);

  /// Removes the replica with this address (it died or left).
  void remove(protocol::agent_kind kind, const caf::actor_addr& addr);

  /// Marks `kind` as having no live replica for `reason`, dropping the ones of `node` (or
  /// all, when node is empty).
  void mark_unavailable(protocol::agent_kind kind, std::string reason, std::string_view node = {});

  /// A live handle for `kind`. Stateful agents pass the user id as routing key: the same key
  /// maps to the same replica while the replica set is unchanged (rendezvous hashing).
  /// Fails with errc::unavailable, naming the reason, when no replica is live.
  caf::expected<caf::actor> lookup(protocol::agent_kind kind,
                                   std::string_view routing_key = {}) const;

  std::vector<agent_status> status() const;

  /// Changes whenever a local replica comes or goes: the cluster re-announces on a change.
  uint64_t local_version() const;

  /// Live local replicas: what this node offers its peers.
  std::vector<std::pair<protocol::agent_kind, caf::actor>> local_replicas() const;

  /// Makes `replicas` (all remote) the replicas `node` hosts, replacing what it hosted before.
  void replace_node(const std::string& node,
                    const std::vector<std::pair<protocol::agent_kind, caf::actor>>& replicas);

  /// Drops every replica `node` hosts; kinds left without one become unavailable for `reason`.
  /// Returns those kinds.
  std::vector<protocol::agent_kind> remove_node(std::string_view node, const std::string& reason);

  /// Drops every handle (node shutdown), so no actor outlives its system through here.
  void clear();

 private:
  struct entry {
    std::vector<agent_replica> replicas;
    std::string unavailable_reason;
  };

  mutable std::shared_mutex mutex_;
  std::map<protocol::agent_kind, entry> entries_;
  uint64_t local_version_ = 0;
};

}  // namespace cartmate::runtime
