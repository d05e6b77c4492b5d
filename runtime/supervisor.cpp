// supervisor.cpp — the supervisor actor. Threading: all state lives in one CAF actor; the
// directory and metrics it writes to are thread-safe objects owned by the node.
#include "runtime/supervisor.hpp"

#include <deque>
#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/to_string.hpp>
#include <spdlog/spdlog.h>

#include "protocol/errors.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/atoms.hpp"
#include "runtime/metrics_registry.hpp"

namespace cartmate::runtime {

using protocol::agent_kind;

caf::expected<std::vector<child_spec>> dependency_order(std::vector<child_spec> specs) {
  std::map<agent_kind, size_t> index;
  for (size_t i = 0; i < specs.size(); ++i)
    index[specs[i].kind] = i;
  for (const auto& spec : specs)
    for (auto dep : spec.depends_on)
      if (index.count(dep) == 0)
        return protocol::make_error(protocol::errc::invalid_argument,
                                    std::string{protocol::to_string(spec.kind)} + " depends on "
                                      + std::string{protocol::to_string(dep)}
                                      + ", which this node does not run");
  // Depth-first topological sort; a node met again while on the stack closes a cycle.
  enum class mark { none, visiting, done };
  std::vector<mark> marks(specs.size(), mark::none);
  std::vector<child_spec> ordered;
  std::string cycle_at;
  std::function<bool(size_t)> visit = [&](size_t i) {
    if (marks[i] == mark::done)
      return true;
    if (marks[i] == mark::visiting) {
      cycle_at = std::string{protocol::to_string(specs[i].kind)};
      return false;
    }
    marks[i] = mark::visiting;
    for (auto dep : specs[i].depends_on)
      if (!visit(index[dep]))
        return false;
    marks[i] = mark::done;
    ordered.push_back(specs[i]);
    return true;
  };
  for (size_t i = 0; i < specs.size(); ++i)
    if (!visit(i))
      return protocol::make_error(protocol::errc::invalid_argument,
                                  "agent dependencies form a cycle through " + cycle_at);
  return ordered;
}

namespace {

struct child_state {
  child_spec spec;
  caf::actor handle;
  std::deque<caf::actor_clock::time_point> restarts;   // within the window
  bool unavailable = false;
  counter* restart_counter = nullptr;
};

struct supervisor_state {
  std::vector<child_state> children;   // in start order
  restart_policy policy;
  supervisor_deps deps;
  bool stopping = false;
  size_t stop_cursor = 0;              // children[0, stop_cursor) still to stop
  caf::response_promise stopped;
  static inline const char* name = "supervisor";
};

using supervisor_actor = caf::stateful_actor<supervisor_state>;

void start_child(supervisor_actor* self, size_t i) {
  auto& child = self->state.children[i];
  child.handle = child.spec.factory(self->system());
  self->monitor(child.handle);
  self->state.deps.directory->add(child.spec.kind, agent_replica{child.handle,
                                                                 self->state.deps.node_name, true});
  spdlog::info("supervisor: started {}", protocol::to_string(child.spec.kind));
}

// Sends the exit to the last child not yet stopped; its down_msg continues the sequence.
void stop_next(supervisor_actor* self) {
  auto& st = self->state;
  while (st.stop_cursor > 0) {
    auto& child = st.children[st.stop_cursor - 1];
    if (child.handle) {
      self->send_exit(child.handle, caf::exit_reason::user_shutdown);
      return;
    }
    --st.stop_cursor;
  }
  if (st.stopped.pending())
    st.stopped.deliver(caf::ok_atom::value);
  self->quit();
}

void on_child_down(supervisor_actor* self, size_t i, const caf::error& reason) {
  auto& st = self->state;
  auto& child = st.children[i];
  auto kind_name = std::string{protocol::to_string(child.spec.kind)};
  st.deps.directory->remove(child.spec.kind, child.handle.address());
  child.handle = nullptr;
  if (st.stopping) {
    if (i + 1 == st.stop_cursor) {
      --st.stop_cursor;
      stop_next(self);
    }
    return;
  }
  auto now = self->clock().now();
  while (!child.restarts.empty() && now - child.restarts.front() > st.policy.window)
    child.restarts.pop_front();
  if (static_cast<int>(child.restarts.size()) >= st.policy.max_restarts) {
    child.unavailable = true;
    auto why = "restart limit reached (" + std::to_string(st.policy.max_restarts) + " in "
               + std::to_string(st.policy.window.count()) + " ms)";
    st.deps.directory->mark_unavailable(child.spec.kind, why, st.deps.node_name);
    spdlog::error("supervisor: {} stopped with {}; {}; marked unavailable", kind_name,
                  caf::to_string(reason), why);
    if (st.deps.escalate_to)
      self->send(st.deps.escalate_to, escalate_atom::value, kind_name, why);
    return;
  }
  child.restarts.push_back(now);
  if (child.restart_counter != nullptr)
    child.restart_counter->inc();
  spdlog::warn("supervisor: {} stopped with {}; restart {} of {} in window", kind_name,
               caf::to_string(reason), child.restarts.size(), st.policy.max_restarts);
  self->delayed_send(self, st.policy.restart_delay, restart_atom::value,
                     static_cast<uint32_t>(i));
}

caf::behavior supervisor_behavior(supervisor_actor* self, std::vector<child_spec> specs,
                                  restart_policy policy, supervisor_deps deps) {
  auto& st = self->state;
  st.policy = policy;
  st.deps = std::move(deps);
  for (auto& spec : specs) {
    child_state child;
    if (st.deps.metrics != nullptr)
      child.restart_counter = &st.deps.metrics->counter_for(
        "cartmate_agent_restarts_total", "Agent restarts by the supervisor",
        {{"agent", std::string{protocol::to_string(spec.kind)}}});
    child.spec = std::move(spec);
    st.children.push_back(std::move(child));
  }
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& children = self->state.children;
    for (size_t i = 0; i < children.size(); ++i)
      if (children[i].handle && children[i].handle.address() == msg.source) {
        on_child_down(self, i, msg.reason);
        return;
      }
  });
  for (size_t i = 0; i < st.children.size(); ++i)
    start_child(self, i);
  return {
    [self](restart_atom, uint32_t i) {
      auto& st = self->state;
      if (st.stopping || i >= st.children.size() || st.children[i].handle
          || st.children[i].unavailable)
        return;
      start_child(self, i);
    },
    [self](status_atom) {
      // Answered after initialisation, i.e. after every child has been started once.
      uint32_t live = 0;
      for (const auto& child : self->state.children)
        live += child.handle ? 1 : 0;
      return live;
    },
    [self](shutdown_atom) {
      auto& st = self->state;
      auto rp = self->make_response_promise();
      if (st.stopping) {
        rp.deliver(protocol::make_error(protocol::errc::conflict, "already stopping"));
        return rp;
      }
      st.stopping = true;
      st.stop_cursor = st.children.size();
      st.stopped = rp;
      stop_next(self);
      return rp;
    },
  };
}

}  // namespace

caf::expected<caf::actor> spawn_supervisor(caf::actor_system& sys, std::vector<child_spec> specs,
                                           restart_policy policy, supervisor_deps deps) {
  if (deps.directory == nullptr)
    return protocol::make_error(protocol::errc::invalid_argument, "supervisor needs a directory");
  auto ordered = dependency_order(std::move(specs));
  if (!ordered)
    return std::move(ordered.error());
  return sys.spawn(supervisor_behavior, std::move(*ordered), policy, std::move(deps));
}

}  // namespace cartmate::runtime
