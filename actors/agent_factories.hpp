// agent_factories.hpp — the child specs of every agent this binary can host, with their
// dependencies, ready for the node's supervisor. The node keeps only the configured kinds.
#pragma once

#include <vector>

#include "runtime/supervisor.hpp"

namespace cartmate::runtime {
class node;
}

namespace cartmate::actors {

std::vector<runtime::child_spec> make_agent_specs(runtime::node& node);

}  // namespace cartmate::actors
