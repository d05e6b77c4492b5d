// commands.cpp — `run` (the node until a signal) and `config` (validate and print).
#include "runtime/cli/commands.hpp"

#include <csignal>
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/agent_factories.hpp"
#include "protocol/errors.hpp"
#include "runtime/node.hpp"

namespace cartmate::cli {

const std::vector<std::string>& command_flags() {
  static const std::vector<std::string> flags{"for", "schema", "help"};
  return flags;
}

int dispatch(const cli_options& opts, const config::node_config& cfg) {
  if (opts.command == "run")
    return run_command(opts, cfg);
  if (opts.command == "config")
    return config_command(opts, cfg);
  std::cerr << "cartmate: unknown command '" << opts.command << "' (try 'cartmate help')\n";
  return 2;
}

namespace {

// Blocks SIGINT/SIGTERM in this thread and every thread started after it (CAF's workers),
// so the main thread can wait for them synchronously with sigtimedwait.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// Waits for a stop signal, or at most `seconds` when positive. Returns the signal or 0.
int wait_for_stop(const sigset_t& set, double seconds) {
  if (seconds <= 0) {
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
  }
  timespec timeout;
  timeout.tv_sec = static_cast<time_t>(seconds);
  timeout.tv_nsec = static_cast<long>((seconds - static_cast<double>(timeout.tv_sec)) * 1e9);
  int sig = sigtimedwait(&set, nullptr, &timeout);
  return sig < 0 ? 0 : sig;
}

}  // namespace

int run_command(const cli_options& opts, const config::node_config& cfg) {
  double seconds = 0;
  if (auto i = opts.flags.find("for"); i != opts.flags.end()) {
    try {
      seconds = std::stod(i->second);
    } catch (const std::exception&) {
      std::cerr << "cartmate: --for expects seconds, got '" << i->second << "'\n";
      return 2;
    }
  }
  auto signals = block_stop_signals();
  runtime::node node{cfg};
  if (auto err = node.start(actors::make_agent_specs(node))) {
    spdlog::error("node failed to start: {}", protocol::describe(err));
    return 1;
  }
  for (const auto& s : node.directory().status())
    spdlog::info("agent {}: {}", protocol::to_string(s.kind),
                 s.available ? "available" : "unavailable " + s.reason);
  auto sig = wait_for_stop(signals, seconds);
  spdlog::info("stopping ({})", sig == 0 ? "time is up" : strsignal(sig));
  node.stop();
  return 0;
}

int config_command(const cli_options&, const config::node_config& cfg) {
  std::cout << cfg.settings->dump(2) << "\n";
  return 0;
}

}  // namespace cartmate::cli
