// node.cpp — node bootstrap and orderly shutdown.
#include "runtime/node.hpp"

#include <algorithm>

#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "protocol/errors.hpp"
#include "protocol/type_registry.hpp"
#include "runtime/atoms.hpp"
#include "runtime/cluster/cluster_member.hpp"
#include "runtime/cluster/cluster_notification_bus.hpp"
#include "runtime/timer_service.hpp"

namespace cartmate::runtime {

namespace {

breaker_registry::listener_type breaker_listener(metrics_registry& metrics) {
  return [&metrics](const std::string& target, breaker_state from, breaker_state to) {
    metrics
      .counter_for("cartmate_breaker_transitions_total", "Circuit breaker state changes",
                   {{"target", target}, {"to", std::string{to_string(to)}}})
      .inc();
    metrics
      .gauge_for("cartmate_breaker_open", "1 while a target's circuit breaker is not closed",
                 {{"target", target}})
      .set(to == breaker_state::closed ? 0.0 : 1.0);
    spdlog::warn("circuit breaker for {}: {} -> {}", target, to_string(from), to_string(to));
  };
}

// Receives escalations from the supervisor: an agent that stays down is a degraded node, not
// a dead one, so it is logged and counted while the remaining agents keep serving.
caf::behavior escalation_listener(caf::event_based_actor*, metrics_registry* metrics) {
  return {
    [metrics](escalate_atom, const std::string& agent, const std::string& reason) {
      metrics->counter_for("cartmate_agent_escalations_total",
                           "Agents given up on after their restart limit", {{"agent", agent}})
        .inc();
      spdlog::error("agent {} is unavailable: {}; its requests degrade", agent, reason);
    },
  };
}

}  // namespace

node_caf_config::node_caf_config(const config::node_config& cfg) {
  protocol::register_protocol_types(*this);
  if (cfg.scheduler.threads > 0)
    set("scheduler.max-threads", static_cast<size_t>(cfg.scheduler.threads));
  set("scheduler.policy", caf::atom_from_string(cfg.scheduler.policy));
  // CAF's own logger is compiled out in Debian's build; keep its console quiet regardless.
  set("logger.console", caf::atom("none"));
  if (cfg.cluster.enabled) {
    load<caf::io::middleman>();
    // Off in CAF by default: without them a hung peer (open socket, no answers) keeps its link.
    // Under TLS, 0.17.6's OpenSSL module drops healthy links when they are on, so there the
    // cluster members' own heartbeat (cluster_member.cpp) is the only failure detector.
    if (!cfg.cluster.tls()) {
      set("middleman.heartbeat-interval", caf::timespan{cfg.cluster.heartbeat_interval});
      set("middleman.connection-timeout", caf::timespan{cfg.cluster.connection_timeout});
    } else {
      load<caf::openssl::manager>();
      openssl_certificate = cfg.cluster.tls_certificate;
      openssl_key = cfg.cluster.tls_key;
      openssl_cafile = cfg.cluster.tls_ca_file;
    }
  }
}

call_policy make_call_policy(const config::resilience_settings& s) {
  call_policy p;
  p.attempt_timeout = s.attempt_timeout;
  p.max_attempts = s.max_attempts;
  p.backoff.initial = s.backoff_initial;
  p.backoff.max = s.backoff_max;
  p.backoff.multiplier = s.backoff_multiplier;
  p.backoff.jitter = s.jitter;
  p.default_deadline = s.turn_deadline;
  return p;
}

restart_policy make_restart_policy(const config::supervisor_settings& s) {
  restart_policy p;
  p.max_restarts = s.max_restarts;
  p.window = s.restart_window;
  p.restart_delay = s.restart_delay;
  return p;
}

node::node(config::node_config cfg)
  : cfg_(std::move(cfg)),
    breakers_(breaker_settings{cfg_.resilience.breaker_failure_threshold,
                               cfg_.resilience.breaker_reset},
              breaker_listener(metrics_)),
    caf_cfg_(cfg_),
    system_(caf_cfg_) {
  timer_ = spawn_timer_service(system_);
  resilience_ = std::make_unique<resilience_context>(directory_, breakers_, metrics_, timer_,
                                                     make_call_policy(cfg_.resilience));
  if (cfg_.cluster.enabled) {
    cluster_member_deps deps;
    deps.directory = &directory_;
    deps.breakers = &breakers_;
    deps.metrics = &metrics_;
    deps.local_bus = notifications_;
    deps.node_name = cfg_.name;
    deps.gateway = cfg_.gateway;
    deps.settings = cfg_.cluster;
    cluster_ = std::make_unique<cluster_membership>(system_, std::move(deps));
    notifications_ = std::make_shared<cluster_notification_bus>(notifications_, cluster_->member());
  }
}

node::~node() {
  stop();
  // Anything still holding the resilience context or directory must be gone before they are.
  directory_.clear();
  system_.await_all_actors_done();
  // The cluster bus holds the member's handle: let it go while the actor system still exists.
  notifications_.reset();
  cluster_.reset();
}

caf::error node::start(std::vector<child_spec> agents) {
  if (auto err = protocol::verify_protocol_types(system_))
    return err;
  agents.erase(std::remove_if(agents.begin(), agents.end(),
                              [this](const child_spec& spec) {
                                return std::find(cfg_.agents.begin(), cfg_.agents.end(), spec.kind)
                                       == cfg_.agents.end();
                              }),
               agents.end());
  escalation_listener_ = system_.spawn(escalation_listener, &metrics_);
  supervisor_deps deps;
  deps.directory = &directory_;
  deps.metrics = &metrics_;
  deps.node_name = cfg_.name;
  deps.escalate_to = escalation_listener_;
  auto sup = spawn_supervisor(system_, std::move(agents), make_restart_policy(cfg_.supervisor),
                              std::move(deps));
  if (!sup)
    return std::move(sup.error());
  supervisor_ = std::move(*sup);
  // Wait for the supervisor to have started every agent, so start() returning means the
  // directory is populated. A fresh scoped_actor per call: long-lived ones leak in 0.17.
  caf::error result;
  caf::scoped_actor self{system_};
  self->request(supervisor_, std::chrono::seconds(30), status_atom::value)
    .receive([&](uint32_t live) { spdlog::info("node {} started {} agent(s)", cfg_.name, live); },
             [&](caf::error& err) { result = std::move(err); });
  if (!result && cluster_) {
    if (auto port = cluster_->join(); !port)
      result = std::move(port.error());
  }
  return result;
}

void node::stop() {
  // Peers stop routing here first, so the agents' own shutdown is not seen as failures.
  if (cluster_)
    cluster_->leave();
  if (supervisor_) {
    caf::scoped_actor self{system_};
    self->request(supervisor_, std::chrono::seconds(10), shutdown_atom::value)
      .receive([](caf::ok_atom) { spdlog::info("all agents stopped"); },
               [](caf::error& err) {
                 spdlog::warn("agent shutdown incomplete: {}", protocol::describe(err));
               });
    supervisor_ = nullptr;
  }
  for (auto* a : {&escalation_listener_, &timer_}) {
    if (*a) {
      caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
      *a = nullptr;
    }
  }
  // Last registered, first run: what an agent used outlives the agent.
  std::vector<std::function<void()>> hooks;
  hooks.swap(stop_hooks_);
  for (auto i = hooks.rbegin(); i != hooks.rend(); ++i)
    (*i)();
}

void node::at_stop(std::function<void()> hook) {
  stop_hooks_.push_back(std::move(hook));
}

}  // namespace cartmate::runtime
