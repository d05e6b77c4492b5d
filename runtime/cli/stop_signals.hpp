// stop_signals.hpp — how long-running commands (run, serve) wait for SIGINT/SIGTERM: the
// signals are blocked before any thread starts and received synchronously by the main thread.
#pragma once

#include <csignal>
#include <optional>

#include "runtime/cli/cli_options.hpp"

namespace cartmate::cli {

/// Blocks SIGINT/SIGTERM in this thread and every thread started after it (CAF workers, io
/// threads). Call before the node starts.
sigset_t block_stop_signals();

/// The `--for=SECONDS` flag (0 when absent: until a signal); prints the problem and returns
/// nothing when the value is not a number.
std::optional<double> stop_after_seconds(const cli_options& opts);

/// Waits for a stop signal, or at most `seconds` when positive. Returns the signal or 0.
int wait_for_stop(const sigset_t& set, double seconds);

}  // namespace cartmate::cli
