// cluster_messages.hpp — what cluster members tell each other over CAF's middleman: who they are,
// where they can be reached, which agents they host (live handles), and the peers they know.
// Plain values; the handles inside are CAF actor handles (proxies on the receiving node).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

namespace cartmate::protocol {

/// One agent a member hosts. `kind` is agent_kind's configuration name ("cart"), so a peer of
/// a newer build with an extra kind is understood by name rather than by enum value.
struct cluster_agent {
  std::string kind;
  caf::actor handle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_agent& x) {
  return f(caf::meta::type_name("cluster_agent"), x.kind, x.handle);
}

/// A member's self-description, sent when joining, answered by the joined node, and sent again
/// whenever its agents change (a restarted agent has a new handle).
struct member_info {
  std::string node;                // node.name, unique in a cluster
  std::string host;                // where peers reach its cluster port
  uint16_t port = 0;
  caf::actor member;               // its well-known member actor (monitored for node death)
  int64_t incarnation = 0;         // start time (ms): a restarted node has a larger one
  uint64_t protocol_fingerprint = 0;  // hash of the registered message types: equal or refused
  bool gateway = false;
  std::vector<cluster_agent> agents;
  std::vector<std::string> peers;  // host:port of the members it knows, so one seed is enough
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_info& x) {
  return f(caf::meta::type_name("member_info"), x.node, x.host, x.port, x.member, x.incarnation,
           x.protocol_fingerprint, x.gateway, x.agents, x.peers);
}

}  // namespace cartmate::protocol
