// node_runner.cpp — node start-up shared by run, replay, chat and the benchmarks' CLI twins.
#include "runtime/cli/node_runner.hpp"

#include <algorithm>
#include <ostream>
#include <thread>

#include <spdlog/spdlog.h>

#include "actors/agent_factories.hpp"
#include "protocol/errors.hpp"
#include "runtime/cli/progress_bar.hpp"

namespace cartmate::cli {

namespace {

// The supervisor spawns agents asynchronously; a command that talks to them right away waits
// (bounded) until each local kind is registered.
void wait_until_live(runtime::node& node, const std::vector<protocol::agent_kind>& kinds) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  for (;;) {
    bool all = std::all_of(kinds.begin(), kinds.end(), [&](protocol::agent_kind k) {
      return static_cast<bool>(node.directory().lookup(k));
    });
    if (all || std::chrono::steady_clock::now() > give_up)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds{2});
  }
}

}  // namespace

std::unique_ptr<runtime::node> start_agent_node(const config::node_config& cfg, bool show_progress) {
  auto node = std::make_unique<runtime::node>(cfg);
  actors::agent_wiring_options wiring;
  progress_bar bar{"loading catalog " + cfg.catalog.path};
  if (show_progress)
    wiring.on_catalog_progress = [&bar](const catalog::load_progress& p) {
      bar.update(p.bytes_read, p.total_bytes, p.rows_read);
    };
  auto specs = actors::make_agent_specs(*node, wiring);
  if (show_progress)
    bar.finish();
  if (!specs) {
    spdlog::error("cannot build the agents: {}", protocol::describe(specs.error()));
    return nullptr;
  }
  std::vector<protocol::agent_kind> local;
  for (auto& s : *specs)
    if (std::find(cfg.agents.begin(), cfg.agents.end(), s.kind) != cfg.agents.end())
      local.push_back(s.kind);
  if (auto err = node->start(std::move(*specs))) {
    spdlog::error("node failed to start: {}", protocol::describe(err));
    return nullptr;
  }
  wait_until_live(*node, local);
  return node;
}

void print_agent_status(runtime::node& node, std::ostream& out) {
  auto status = node.directory().status();
  for (auto kind : node.config().agents) {
    auto it = std::find_if(status.begin(), status.end(),
                           [kind](const runtime::agent_status& s) { return s.kind == kind; });
    out << "  " << protocol::to_string(kind) << ": ";
    if (it == status.end())
      out << "not available in this build yet (its requests degrade)\n";
    else if (it->available)
      out << "available (" << it->live_replicas << " replica" << (it->live_replicas == 1 ? "" : "s")
          << ")\n";
    else
      out << "unavailable: " << it->reason << "\n";
  }
}

}  // namespace cartmate::cli
