// stop_signals.hpp — how long-running commands (run, serve) wait for SIGINT/SIGTERM: the
// signals are blocked before any thread starts and received synchronously by the main thread.
#pragma once

#include <csignal>

namespace cartmate::cli {

/// Blocks SIGINT/SIGTERM in this thread and every thread started after it (CAF workers, io
/// threads). Call before the node starts.
sigset_t block_stop_signals();

/// Waits for a stop signal, or at most `seconds` when positive. Returns the signal or 0.
int wait_for_stop(const sigset_t& set, double seconds);

}  // namespace cartmate::cli
