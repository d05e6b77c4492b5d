// agent_directory.cpp — replica bookkeeping and rendezvous routing.
#include "runtime/agent_directory.hpp"

#include <algorithm>
#include <mutex>

#include <caf/actor_addr.hpp>

#include "protocol/errors.hpp"

namespace cartmate::runtime {

namespace {

// FNV-1a over the routing key mixed with the replica's actor id and node: cheap, stable
// across processes, and good enough to spread users over a handful of replicas.
uint64_t rendezvous_weight(std::string_view key, const agent_replica& replica) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](unsigned char c) {
    h ^= c;
    h *= 1099511628211ull;
  };
  for (unsigned char c : key)
    mix(c);
  for (unsigned char c : replica.node)
    mix(c);
  auto id = replica.handle.id();
  for (int i = 0; i < 8; ++i)
    mix(static_cast<unsigned char>(id >> (8 * i)));
  return h;
}

}  // namespace

void agent_directory::add(protocol::agent_kind kind, agent_replica replica) {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  auto& e = entries_[kind];
  if (replica.local)
    ++local_version_;
  e.replicas.push_back(std::move(replica));
  e.unavailable_reason.clear();
}

void agent_directory::remove(protocol::agent_kind kind, const caf::actor_addr& addr) {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  auto i = entries_.find(kind);
  if (i == entries_.end())
    return;
  auto& replicas = i->second.replicas;
  replicas.erase(std::remove_if(replicas.begin(), replicas.end(),
                                [&](const agent_replica& r) {
                                  if (r.handle.address() != addr)
                                    return false;
                                  if (r.local)
                                    ++local_version_;
                                  return true;
                                }),
                 replicas.end());
}

void agent_directory::mark_unavailable(protocol::agent_kind kind, std::string reason,
                                       std::string_view node) {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  auto& e = entries_[kind];
  auto& replicas = e.replicas;
  replicas.erase(std::remove_if(replicas.begin(), replicas.end(),
                                [&](const agent_replica& r) { return node.empty() || r.node == node; }),
                 replicas.end());
  if (replicas.empty())
    e.unavailable_reason = std::move(reason);
}

caf::expected<caf::actor> agent_directory::lookup(protocol::agent_kind kind,
                                                  std::string_view routing_key) const {
  std::shared_lock<std::shared_mutex> guard{mutex_};
  auto i = entries_.find(kind);
  if (i == entries_.end() || i->second.replicas.empty()) {
    std::string detail{protocol::to_string(kind)};
    if (i != entries_.end() && !i->second.unavailable_reason.empty())
      detail += " (" + i->second.unavailable_reason + ")";
    return protocol::make_error(protocol::errc::unavailable, "no live " + detail);
  }
  const auto& replicas = i->second.replicas;
  if (replicas.size() == 1 || routing_key.empty())
    return replicas.front().handle;
  const agent_replica* best = nullptr;
  uint64_t best_weight = 0;
  for (const auto& r : replicas) {
    auto w = rendezvous_weight(routing_key, r);
    if (best == nullptr || w > best_weight) {
      best = &r;
      best_weight = w;
    }
  }
  return best->handle;
}

std::vector<agent_status> agent_directory::status() const {
  std::vector<agent_status> out;
  std::shared_lock<std::shared_mutex> guard{mutex_};
  for (const auto& [kind, e] : entries_) {
    agent_status s;
    s.kind = kind;
    s.live_replicas = e.replicas.size();
    s.available = !e.replicas.empty();
    s.reason = e.unavailable_reason;
    for (const auto& r : e.replicas)
      s.nodes.push_back(r.node);
    out.push_back(std::move(s));
  }
  return out;
}

uint64_t agent_directory::local_version() const {
  std::shared_lock<std::shared_mutex> guard{mutex_};
  return local_version_;
}

std::vector<std::pair<protocol::agent_kind, caf::actor>> agent_directory::local_replicas() const {
  std::vector<std::pair<protocol::agent_kind, caf::actor>> out;
  std::shared_lock<std::shared_mutex> guard{mutex_};
  for (const auto& [kind, e] : entries_)
    for (const auto& r : e.replicas)
      if (r.local)
        out.emplace_back(kind, r.handle);
  return out;
}

void agent_directory::replace_node(
  const std::string& node, const std::vector<std::pair<protocol::agent_kind, caf::actor>>& replicas) {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  for (auto& [kind, e] : entries_)
    e.replicas.erase(std::remove_if(e.replicas.begin(), e.replicas.end(),
                                    [&](const agent_replica& r) { return !r.local && r.node == node; }),
                     e.replicas.end());
  for (const auto& [kind, handle] : replicas) {
    auto& e = entries_[kind];
    e.replicas.push_back(agent_replica{handle, node, false});
    e.unavailable_reason.clear();
  }
}

std::vector<protocol::agent_kind> agent_directory::remove_node(std::string_view node,
                                                               const std::string& reason) {
  std::vector<protocol::agent_kind> emptied;
  std::unique_lock<std::shared_mutex> guard{mutex_};
  for (auto& [kind, e] : entries_) {
    auto before = e.replicas.size();
    e.replicas.erase(std::remove_if(e.replicas.begin(), e.replicas.end(),
                                    [&](const agent_replica& r) { return !r.local && r.node == node; }),
                     e.replicas.end());
    if (e.replicas.size() != before && e.replicas.empty()) {
      e.unavailable_reason = reason;
      emptied.push_back(kind);
    }
  }
  return emptied;
}

void agent_directory::clear() {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  entries_.clear();
}

}  // namespace cartmate::runtime
