// node_runner.hpp — what every node-hosting subcommand does first: build the agents (loading the
// catalog with a progress bar), start the node and wait until its local agents are live.
// Threading: main thread only.
#pragma once

#include <iosfwd>
#include <memory>

#include "config/node_config.hpp"
#include "runtime/node.hpp"

namespace cartmate::cli {

/// A started node with every configured agent this binary implements, or nullptr after
/// logging why it could not start. `show_progress` draws the catalog load on stderr.
std::unique_ptr<runtime::node> start_agent_node(const config::node_config& cfg, bool show_progress);

/// One line per configured agent kind: live replicas, unavailable (why), or not implemented.
void print_agent_status(runtime::node& node, std::ostream& out);

}  // namespace cartmate::cli
