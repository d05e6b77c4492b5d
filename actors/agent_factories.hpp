// agent_factories.hpp — the child specs of every agent this binary can host, with their
// dependencies, ready for the node's supervisor. The node keeps only the configured kinds.
// Threading: call on the main thread before node::start (it loads the catalog, blocking).
#pragma once

#include <vector>

#include <caf/expected.hpp>

#include "actors/discovery/catalog_bootstrap.hpp"
#include "runtime/supervisor.hpp"

namespace cartmate::runtime {
class node;
}

namespace cartmate::actors {

struct agent_wiring_options {
  /// Catalog loading progress, e.g. for a progress bar while the discovery index is built.
  discovery::load_progress_fn on_catalog_progress;
};

/// One spec per configured agent kind this binary implements (product discovery, cart,
/// orchestrator). Shared state that must survive an agent's restart (the product index, the
/// cart store) is created here once and captured by the factories. Fails when the configured
/// catalog cannot be loaded. `node` must outlive the specs.
[[nodiscard]] caf::expected<std::vector<runtime::child_spec>>
make_agent_specs(runtime::node& node, const agent_wiring_options& options = {});

}  // namespace cartmate::actors
