// commands.hpp — the cartmate subcommands. Each runs on the main thread, owns its node (never
// a static) and returns the process exit code.
#pragma once

#include <string>
#include <vector>

#include "config/node_config.hpp"
#include "runtime/cli/cli_options.hpp"

namespace cartmate::cli {

/// Flags that belong to subcommands rather than to the configuration.
const std::vector<std::string>& command_flags();

/// Runs `opts.command` with the validated configuration.
int dispatch(const cli_options& opts, const config::node_config& cfg);

int run_command(const cli_options& opts, const config::node_config& cfg);
int config_command(const cli_options& opts, const config::node_config& cfg);

}  // namespace cartmate::cli
