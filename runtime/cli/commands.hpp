// commands.hpp — the cartmate subcommands. Each runs on the main thread, owns its node (never
// a static) and returns the process exit code: 0 success, 1 failure, 2 bad usage or input.
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

/// The node with every agent; replays the demo conversation, then serves until a signal.
int run_command(const cli_options& opts, const config::node_config& cfg);
int config_command(const cli_options& opts, const config::node_config& cfg);

/// Replays conversation scripts (files or folders of *.jsonl) and checks their expectations.
int replay_command(const cli_options& opts, const config::node_config& cfg);

/// An interactive terminal chat (one line per turn) on the same runtime.
int chat_command(const cli_options& opts, const config::node_config& cfg);

/// Validates and loads a JSON Lines or CSV catalog into the memory catalog, reporting bad rows.
int ingest_command(const cli_options& opts, const config::node_config& cfg);

/// Offline language understanding against the SIMMC 2.0 user acts: act accuracy.
int nlu_eval_command(const cli_options& opts, const config::node_config& cfg);

/// `cartmate history [SESSION]`: a recorded session as a replay script, or the latest sessions.
int history_command(const cli_options& opts, const config::node_config& cfg);

/// `cartmate prices FILE`: price and stock updates posted to a running server's admin endpoint.
/// `cartmate status`: how a cluster member (--peer=HOST:PORT, default this config's cluster port)
/// sees the cluster: members, their agents and health (--json: the raw answer).
int status_command(const cli_options& opts, const config::node_config& cfg);

int prices_command(const cli_options& opts, const config::node_config& cfg);

}  // namespace cartmate::cli
