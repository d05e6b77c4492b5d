// cluster_member.cpp — the member actor: join handshake, gossip of addresses, remote replicas in
// the directory, node death (monitor of the peer's member actor), reconnection with backoff,
// re-announcing this node's agents when they change, and notification fan-out.
#include "runtime/cluster/cluster_member.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/publish.hpp>
#include <caf/io/remote_actor.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/openssl/remote_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "protocol/cluster_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "protocol/type_registry.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/atoms.hpp"
#include "runtime/backoff.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/notification_bus.hpp"
#include "runtime/resilience_context.hpp"

namespace cartmate::runtime {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

enum class peer_state { connecting, up, down, refused };

const char* to_string(peer_state s) {
  switch (s) {
    case peer_state::connecting:
      return "connecting";
    case peer_state::up:
      return "up";
    case peer_state::down:
      return "down";
    case peer_state::refused:
      return "refused";
  }
  return "?";
}

struct peer {
  std::string address;
  peer_state state = peer_state::connecting;
  bool dial_in_flight = false;
  bool retry_scheduled = false;
  bool answered_once = false;   // a first success or failure: what join() waits for
  bool heartbeat_outstanding = false;
  uint32_t failures = 0;
  std::string node;
  bool gateway = false;
  caf::actor member;
  int64_t incarnation = 0;
  std::vector<protocol::cluster_agent> agents;
  std::string last_error;
  int64_t since_ms = now_ms();
};

struct member_state {
  cluster_member_deps deps;
  std::shared_ptr<cluster_view> view;
  std::string self_address;     // host:port peers use to reach this node
  uint16_t port = 0;
  int64_t incarnation = now_ms();
  std::map<std::string, peer> peers;                     // by address
  std::map<caf::actor_addr, std::pair<std::string, protocol::agent_kind>> remote_agents;
  std::set<protocol::agent_kind> tripped;                // breakers opened for a dead node
  uint64_t announced_version = ~uint64_t{0};
  std::vector<caf::response_promise> waiting_ready;
  gauge* peers_up = nullptr;

  static inline const char* name = "cluster_member";
};

using member_actor = caf::stateful_actor<member_state>;

backoff_policy reconnect_policy(const config::cluster_settings& s) {
  backoff_policy p;
  p.initial = s.reconnect_initial;
  p.max = s.reconnect_max;
  p.multiplier = 2.0;
  p.jitter = 0.2;
  return p;
}

protocol::member_info self_info(member_actor* self) {
  auto& st = self->state;
  protocol::member_info info;
  info.node = st.deps.node_name;
  auto colon = st.self_address.rfind(':');
  info.host = st.self_address.substr(0, colon);
  info.port = st.port;
  info.member = caf::actor_cast<caf::actor>(self);
  info.incarnation = st.incarnation;
  info.protocol_fingerprint = protocol::protocol_fingerprint();
  info.gateway = st.deps.gateway;
  for (auto& [kind, handle] : st.deps.directory->local_replicas())
    info.agents.push_back({std::string{protocol::to_string(kind)}, handle});
  for (auto& [address, p] : st.peers)
    if (p.state == peer_state::up)
      info.peers.push_back(address);
  return info;
}

void publish_view(member_actor* self) {
  auto& st = self->state;
  std::vector<peer_view> out;
  size_t up = 0;
  for (auto& [address, p] : st.peers) {
    peer_view v;
    v.address = address;
    v.node = p.node;
    v.state = to_string(p.state);
    v.gateway = p.gateway;
    for (auto& a : p.agents)
      v.agents.push_back(a.kind);
    v.last_error = p.last_error;
    v.since_ms = p.since_ms;
    out.push_back(std::move(v));
    if (p.state == peer_state::up)
      ++up;
  }
  st.view->set_peers(std::move(out));
  if (st.peers_up)
    st.peers_up->set(static_cast<double>(up));
}

// join() waits until every member known so far has answered once, one way or the other.
void answer_ready_if_settled(member_actor* self) {
  auto& st = self->state;
  if (st.self_address.empty())
    return;  // the seeds are not dialled yet
  bool settled = std::all_of(st.peers.begin(), st.peers.end(),
                             [](const auto& kv) { return kv.second.answered_once; });
  if (!settled)
    return;
  for (auto& rp : st.waiting_ready)
    rp.deliver(caf::ok_atom::value);
  st.waiting_ready.clear();
}

void connect(member_actor* self, const std::string& address);

void schedule_reconnect(member_actor* self, peer& p) {
  if (p.retry_scheduled)
    return;
  p.retry_scheduled = true;
  auto delay = backoff_delay(reconnect_policy(self->state.deps.settings),
                             std::max<uint32_t>(p.failures, 1), random_unit());
  self->delayed_send(self, delay, reconnect_atom::value, p.address);
}

void dial_failed(member_actor* self, const std::string& address, std::string why) {
  auto i = self->state.peers.find(address);
  if (i == self->state.peers.end())
    return;
  auto& p = i->second;
  p.dial_in_flight = false;
  if (p.state == peer_state::up)
    return;  // it joined us meanwhile
  ++p.failures;
  // Log the first failure and then every tenth, so a long outage stays readable.
  if (p.failures == 1 || p.failures % 10 == 0)
    spdlog::warn("cluster: cannot reach {} (attempt {}): {}", address, p.failures, why);
  p.last_error = std::move(why);
  p.answered_once = true;
  schedule_reconnect(self, p);
  publish_view(self);
  answer_ready_if_settled(self);
}

// Replaces what `p` hosts in the directory; kinds whose breaker was opened because their node
// died are closed again as soon as a replica is back.
void install_agents(member_actor* self, peer& p, std::vector<protocol::cluster_agent> agents) {
  auto& st = self->state;
  std::vector<std::pair<protocol::agent_kind, caf::actor>> replicas;
  for (auto& a : agents) {
    auto kind = protocol::agent_kind_from_string(a.kind);
    if (!kind || !a.handle) {
      spdlog::warn("cluster: {} announces an agent this build does not know ('{}'); ignored", p.node,
                   a.kind);
      continue;
    }
    replicas.emplace_back(*kind, a.handle);
    if (st.remote_agents.emplace(a.handle.address(), std::make_pair(p.node, *kind)).second)
      self->monitor(a.handle);
    if (st.tripped.erase(*kind) > 0)
      st.deps.breakers->get(breaker_target(*kind)).reset();
  }
  st.deps.directory->replace_node(p.node, replicas);
  p.agents = std::move(agents);
}

void drop_node(member_actor* self, peer& p, const std::string& why) {
  auto& st = self->state;
  auto reason = "node " + p.node + " " + why;
  auto removed = st.deps.directory->remove_node(p.node, reason);
  std::set<protocol::agent_kind> emptied{removed.begin(), removed.end()};
  // The agents' own down messages may have arrived first and emptied their kinds already:
  // every kind the node hosted that nobody hosts now gets the node's reason all the same.
  for (auto& a : p.agents) {
    auto kind = protocol::agent_kind_from_string(a.kind);
    if (kind && !st.deps.directory->lookup(*kind)) {
      st.deps.directory->mark_unavailable(*kind, reason, p.node);
      emptied.insert(*kind);
    }
  }
  auto now = std::chrono::steady_clock::now();
  for (auto kind : emptied) {
    // Nothing of this kind is left anywhere: callers fail fast instead of trying a dead node.
    st.deps.breakers->get(breaker_target(kind)).trip(now);
    st.tripped.insert(kind);
  }
  for (auto i = st.remote_agents.begin(); i != st.remote_agents.end();)
    i = i->second.first == p.node ? st.remote_agents.erase(i) : std::next(i);
  p.agents.clear();
  p.member = nullptr;
  p.state = peer_state::down;
  p.since_ms = now_ms();
  p.last_error = why;
  p.failures = 0;
  st.deps.metrics
    ->counter_for("cartmate_cluster_peer_down_total", "Times a cluster peer was lost",
                  {{"peer", p.node}})
    .inc();
}

// A member answered our join, joined us, or re-announced itself.
void on_member(member_actor* self, protocol::member_info info) {
  auto& st = self->state;
  auto address = info.host + ":" + std::to_string(info.port);
  if (info.node == st.deps.node_name) {
    if (info.member != caf::actor_cast<caf::actor>(self))
      spdlog::error("cluster: another node at {} is also named '{}'; node names must be unique",
                    address, info.node);
    st.peers.erase(address);
    return;
  }
  auto& p = st.peers[address];
  p.address = address;
  p.dial_in_flight = false;
  p.answered_once = true;
  if (info.protocol_fingerprint != protocol::protocol_fingerprint()) {
    p.state = peer_state::refused;
    p.node = info.node;
    p.last_error = "different message types (another CartMate version): not joined";
    spdlog::error("cluster: refusing {} at {}: {}", info.node, address, p.last_error);
    publish_view(self);
    answer_ready_if_settled(self);
    return;
  }
  // The same node reached under another address (a seed spelled differently): keep one entry.
  for (auto i = st.peers.begin(); i != st.peers.end();) {
    if (i->first != address && i->second.node == info.node && i->second.state != peer_state::up)
      i = st.peers.erase(i);
    else
      ++i;
  }
  if (p.state == peer_state::up && p.member && p.member != info.member) {
    if (info.incarnation < p.incarnation)
      return;  // a late message of the node's previous life
    drop_node(self, p, "restarted");
  }
  bool fresh = p.state != peer_state::up;
  p.node = info.node;
  p.gateway = info.gateway;
  p.incarnation = info.incarnation;
  if (fresh) {
    p.member = info.member;
    self->monitor(p.member);
    p.state = peer_state::up;
    p.since_ms = now_ms();
    p.failures = 0;
    p.last_error.clear();
  }
  install_agents(self, p, std::move(info.agents));
  if (fresh) {
    std::string kinds;
    for (auto& a : p.agents)
      kinds += (kinds.empty() ? "" : ", ") + a.kind;
    spdlog::info("cluster: {} at {} is up, hosting [{}]", p.node, address, kinds);
  }
  for (auto& other : info.peers)
    if (other != st.self_address && st.peers.count(other) == 0)
      connect(self, other);
  publish_view(self);
  answer_ready_if_settled(self);
}

void connect(member_actor* self, const std::string& address) {
  auto& st = self->state;
  if (address == st.self_address)
    return;
  auto& p = st.peers[address];
  p.address = address;
  p.retry_scheduled = false;
  if (p.dial_in_flight || p.state == peer_state::up)
    return;
  auto target = config::parse_host_port(address);
  if (!target) {
    p.state = peer_state::refused;
    p.answered_once = true;
    p.last_error = "not host:port";
    return;
  }
  p.dial_in_flight = true;
  auto timeout = st.deps.settings.connect_timeout;
  auto mm = self->system().has_openssl_manager() ? self->system().openssl_manager().actor_handle()
                                                  : self->system().middleman().actor_handle();
  self->request(mm, timeout, caf::connect_atom::value, target->host, target->port)
    .then(
      [self, address, timeout](const caf::node_id& nid, caf::strong_actor_ptr serv,
                               const std::set<std::string>&) {
        if (nid == self->node()) {
          self->state.peers.erase(address);  // our own port under another name
          answer_ready_if_settled(self);
          return;
        }
        if (!serv)
          return dial_failed(self, address, "nothing is published there");
        auto remote = caf::actor_cast<caf::actor>(serv);
        self->request(remote, timeout, join_atom::value, self_info(self))
          .then([self](protocol::member_info& info) { on_member(self, std::move(info)); },
                [self, address](caf::error& err) {
                  dial_failed(self, address, "join: " + protocol::describe(err));
                });
      },
      [self, address](caf::error& err) { dial_failed(self, address, protocol::describe(err)); });
}

void announce_if_changed(member_actor* self) {
  auto& st = self->state;
  auto version = st.deps.directory->local_version();
  if (version == st.announced_version)
    return;
  st.announced_version = version;
  auto info = self_info(self);
  for (auto& [address, p] : st.peers)
    if (p.state == peer_state::up && p.member)
      self->send(p.member, announce_atom::value, info);
}

void on_down(member_actor* self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (auto i = st.remote_agents.find(msg.source); i != st.remote_agents.end()) {
    // One agent of a live node died; its supervisor restarts it and the node re-announces.
    st.deps.directory->remove(i->second.second, msg.source);
    st.remote_agents.erase(i);
    return;
  }
  for (auto& [address, p] : st.peers) {
    if (p.state != peer_state::up || !p.member || p.member.address() != msg.source)
      continue;
    if (msg.reason == caf::exit_reason::user_shutdown) {
      // A clean stop: forget it. When it starts again it dials its seeds and is back.
      spdlog::info("cluster: {} at {} has left the cluster", p.node, address);
      drop_node(self, p, "left");
      st.peers.erase(address);
    } else {
      spdlog::warn("cluster: {} at {} is unreachable ({}); its agents are unavailable until it "
                   "returns",
                   p.node, address, protocol::describe(msg.reason));
      drop_node(self, p, "unreachable");
      schedule_reconnect(self, p);
    }
    publish_view(self);
    return;
  }
}

// The members' own failure detector: every heartbeat interval each live peer's member must
// answer within the connection timeout. CAF's middleman heartbeat does the same per link but
// cannot run under TLS in 0.17.6 (it drops healthy TLS links), and a peer whose process hangs
// while its socket stays open is noticed only this way there.
void send_heartbeats(member_actor* self) {
  auto& st = self->state;
  auto timeout = st.deps.settings.connection_timeout;
  for (auto& [address, p] : st.peers) {
    if (p.state != peer_state::up || !p.member || p.heartbeat_outstanding)
      continue;
    p.heartbeat_outstanding = true;
    auto target = p.member.address();
    self->request(p.member, timeout, heartbeat_atom::value)
      .then(
        [self, address](caf::ok_atom) {
          if (auto i = self->state.peers.find(address); i != self->state.peers.end())
            i->second.heartbeat_outstanding = false;
        },
        [self, address, target, timeout](caf::error& err) {
          auto i = self->state.peers.find(address);
          if (i == self->state.peers.end())
            return;
          auto& p = i->second;
          p.heartbeat_outstanding = false;
          if (p.state != peer_state::up || !p.member || p.member.address() != target)
            return;  // already dropped or replaced
          spdlog::warn("cluster: {} at {} did not answer a heartbeat within {} ms ({}); its agents "
                       "are unavailable until it answers again",
                       p.node, address, timeout.count(), protocol::describe(err));
          drop_node(self, p, "unresponsive");
          schedule_reconnect(self, p);
          publish_view(self);
        });
  }
}

// Reads only thread-safe parts (directory, breakers, view): callable from any thread.
std::string render_status(const cluster_member_deps& deps, const cluster_view& view,
                          const std::string& self_address) {
  using nlohmann::json;
  json out;
  out["node"] = deps.node_name;
  out["address"] = self_address;
  out["gateway"] = deps.gateway;
  json local = json::array();
  for (auto& [kind, handle] : deps.directory->local_replicas())
    local.push_back(std::string{protocol::to_string(kind)});
  out["agents"] = local;
  json peers = json::array();
  for (auto& v : view.peers())
    peers.push_back({{"address", v.address},
                     {"node", v.node},
                     {"state", v.state},
                     {"gateway", v.gateway},
                     {"agents", v.agents},
                     {"since_ms", v.since_ms},
                     {"last_error", v.last_error}});
  out["peers"] = peers;
  json kinds = json::array();
  for (auto& s : deps.directory->status())
    kinds.push_back({{"kind", std::string{protocol::to_string(s.kind)}},
                     {"available", s.available},
                     {"replicas", s.live_replicas},
                     {"nodes", s.nodes},
                     {"reason", s.reason},
                     {"breaker", std::string{to_string(
                                   deps.breakers->get(breaker_target(s.kind)).state())}}});
  out["directory"] = kinds;
  return out.dump();
}

caf::behavior member_behavior(member_actor* self, cluster_member_deps deps,
                              std::shared_ptr<cluster_view> view) {
  auto& st = self->state;
  st.deps = std::move(deps);
  st.view = std::move(view);
  st.peers_up = &st.deps.metrics->gauge_for("cartmate_cluster_peers_up",
                                            "Cluster peers this node is connected to");
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  return {
    // From join(): where this node listens; then dial the seeds.
    [self](join_atom, const std::string& self_address, uint16_t port) {
      auto& st = self->state;
      st.self_address = self_address;
      st.port = port;
      for (auto& seed : st.deps.settings.seeds)
        connect(self, seed);
      announce_if_changed(self);
      self->delayed_send(self, st.deps.settings.announce_interval, tick_atom::value);
      if (st.deps.settings.heartbeat_interval.count() > 0 && st.deps.settings.connection_timeout.count() > 0)
        self->delayed_send(self, st.deps.settings.heartbeat_interval, heartbeat_atom::value, true);
      answer_ready_if_settled(self);
    },
    // Our own timer (the bool tells it from a peer's heartbeat).
    [self](heartbeat_atom, bool) {
      send_heartbeats(self);
      self->delayed_send(self, self->state.deps.settings.heartbeat_interval, heartbeat_atom::value,
                         true);
    },
    [](heartbeat_atom) { return caf::ok_atom::value; },
    [self](join_atom, protocol::member_info& info) -> protocol::member_info {
      on_member(self, std::move(info));
      return self_info(self);
    },
    [self](announce_atom, protocol::member_info& info) { on_member(self, std::move(info)); },
    [self](tick_atom) {
      announce_if_changed(self);
      self->delayed_send(self, self->state.deps.settings.announce_interval, tick_atom::value);
    },
    [self](reconnect_atom, const std::string& address) {
      auto i = self->state.peers.find(address);
      if (i == self->state.peers.end())
        return;
      i->second.retry_scheduled = false;
      if (i->second.state != peer_state::up)
        connect(self, address);
    },
    [self](ready_atom) {
      self->state.waiting_ready.push_back(self->make_response_promise());
      answer_ready_if_settled(self);
    },
    // A notification published on this node: every peer publishes it to its own sessions.
    [self](forward_atom, const std::string& tenant, const std::string& user,
           const protocol::notification_event& n) {
      for (auto& [address, p] : self->state.peers)
        if (p.state == peer_state::up && p.member)
          self->send(p.member, deliver_atom::value, tenant, user, n);
    },
    [self](deliver_atom, const std::string& tenant, const std::string& user,
           const protocol::notification_event& n) {
      if (auto err = self->state.deps.local_bus->publish(tenant, user, n))
        spdlog::warn("cluster: a forwarded notification was not delivered: {}",
                     protocol::describe(err));
    },
    [self](status_atom) -> std::string {
      auto& st = self->state;
      return render_status(st.deps, *st.view, st.self_address);
    },
  };
}

}  // namespace

void cluster_view::set_peers(std::vector<peer_view> peers) {
  std::lock_guard<std::mutex> guard{mutex_};
  peers_ = std::move(peers);
}

std::vector<peer_view> cluster_view::peers() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return peers_;
}

cluster_membership::cluster_membership(caf::actor_system& sys, cluster_member_deps deps)
  : sys_(sys), deps_(std::move(deps)), view_(std::make_shared<cluster_view>()) {
  member_ = sys_.spawn(member_behavior, deps_, view_);
}

cluster_membership::~cluster_membership() {
  leave();
}

caf::expected<uint16_t> cluster_membership::join() {
  const auto& s = deps_.settings;
  for (const auto& file : {s.tls_certificate, s.tls_key, s.tls_ca_file})
    if (!file.empty() && !std::ifstream{file})
      return protocol::make_error(protocol::errc::invalid_argument,
                                  "cannot read the cluster TLS file " + file);
  auto port = s.tls() ? caf::openssl::publish(member_, static_cast<uint16_t>(s.port),
                                              s.address.c_str(), true)
                      : caf::io::publish(member_, static_cast<uint16_t>(s.port), s.address.c_str(),
                                         true);
  if (!port)
    return protocol::make_error(protocol::errc::unavailable,
                                "cannot listen for cluster peers on " + s.address + ":"
                                  + std::to_string(s.port) + ": " + sys_.render(port.error()));
  port_ = *port;
  auto host = s.advertise_host.empty() ? s.address : s.advertise_host;
  auto self_address = host + ":" + std::to_string(port_);
  self_address_ = self_address;
  spdlog::info("cluster: node {} listens on {}:{} (peers reach it at {}), seeds [{}]",
               deps_.node_name, s.address, port_, self_address, [&] {
                 std::string out;
                 for (auto& seed : s.seeds)
                   out += (out.empty() ? "" : ", ") + seed;
                 return out;
               }());
  caf::anon_send(member_, join_atom::value, self_address, port_);
  if (s.join_wait.count() > 0) {
    caf::scoped_actor self{sys_};
    self->request(member_, s.join_wait, ready_atom::value)
      .receive([](caf::ok_atom) {},
               [&](caf::error&) {
                 spdlog::warn("cluster: not every member answered within {} ms; serving while "
                              "they are retried",
                              s.join_wait.count());
               });
  }
  return port_;
}

void cluster_membership::leave() {
  if (left_)
    return;
  left_ = true;
  if (port_ != 0 && deps_.settings.tls()) {
    // caf::openssl::unpublish does not compile in 0.17.6 (it names unpublish_atom_v): ask its
    // middleman actor directly.
    caf::anon_send(sys_.openssl_manager().actor_handle(), caf::unpublish_atom::value,
                   member_.address(), port_);
  } else if (port_ != 0) {
    if (auto done = sys_.middleman().unpublish(member_, port_); !done)
      spdlog::warn("cluster: closing port {}: {}", port_, sys_.render(done.error()));
  }
  caf::anon_send_exit(member_, caf::exit_reason::user_shutdown);
}

std::string cluster_membership::status_json() const {
  return render_status(deps_, *view_, self_address_);
}

caf::expected<std::string> fetch_cluster_status(caf::actor_system& sys, const std::string& host,
                                                uint16_t port, std::chrono::milliseconds timeout) {
  auto member = sys.has_openssl_manager() ? caf::openssl::remote_actor(sys, host, port)
                                          : caf::io::remote_actor(sys, host, port);
  if (!member)
    return protocol::make_error(protocol::errc::unavailable,
                                "cannot reach a cluster member at " + host + ":"
                                  + std::to_string(port) + ": " + sys.render(member.error()));
  caf::expected<std::string> result{std::string{}};
  caf::scoped_actor self{sys};
  self->request(*member, timeout, status_atom::value)
    .receive([&](std::string& json) { result = std::move(json); },
             [&](caf::error& err) {
               result = protocol::make_error(protocol::errc::unavailable,
                                             "no status from " + host + ":" + std::to_string(port)
                                               + ": " + protocol::describe(err));
             });
  return result;
}

}  // namespace cartmate::runtime
