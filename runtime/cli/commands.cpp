// commands.cpp — dispatch, `run` (the node until a signal, with the demo conversation) and
// `config` (validate and print).
#include "runtime/cli/commands.hpp"

#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/replay/replay_driver.hpp"
#include "protocol/errors.hpp"
#include "runtime/cli/node_runner.hpp"
#include "runtime/cli/stop_signals.hpp"
#include "runtime/cli/serve_command.hpp"
#include "runtime/node.hpp"

namespace cartmate::cli {

const std::vector<std::string>& command_flags() {
  static const std::vector<std::string> flags{
    "for",  "schema", "help",   "demo", "no-demo", "quiet", "user",
    "output", "format", "no-hints", "verbose", "tenant", "ttl", "store", "url", "peer", "json"};
  return flags;
}

int dispatch(const cli_options& opts, const config::node_config& cfg) {
  if (opts.command == "run")
    return run_command(opts, cfg);
  if (opts.command == "config")
    return config_command(opts, cfg);
  if (opts.command == "replay")
    return replay_command(opts, cfg);
  if (opts.command == "chat")
    return chat_command(opts, cfg);
  if (opts.command == "ingest")
    return ingest_command(opts, cfg);
  if (opts.command == "nlu-eval")
    return nlu_eval_command(opts, cfg);
  if (opts.command == "serve")
    return serve_command(opts, cfg);
  if (opts.command == "token")
    return token_command(opts, cfg);
  if (opts.command == "history")
    return history_command(opts, cfg);
  if (opts.command == "prices")
    return prices_command(opts, cfg);
  if (opts.command == "status")
    return status_command(opts, cfg);
  std::cerr << "cartmate: unknown command '" << opts.command << "' (try 'cartmate help')\n";
  return 2;
}

namespace {

constexpr const char* default_demo = "examples/conversations/demo.jsonl";

// The demo is a showcase, not a gate: a missing file or a failed check is reported and the
// node keeps serving.
void replay_demo(runtime::node& node, const std::string& path) {
  if (!std::ifstream{path}) {
    spdlog::warn("demo conversation {} not found; skipping it", path);
    return;
  }
  auto script = replay::load_script(path);
  if (!script) {
    spdlog::warn("demo conversation not replayed: {}", protocol::describe(script.error()));
    return;
  }
  replay::replay_options options;
  options.turn_deadline = node.config().resilience.turn_deadline;
  options.style.show_checks = false;
  options.on_output = [](const std::string& block) { std::cout << block << std::flush; };
  auto result = replay::run_replay(node.system(), node.directory(), std::move(*script), options);
  std::cout << replay::summary_line(result) << "\n" << std::flush;
}

}  // namespace

int run_command(const cli_options& opts, const config::node_config& cfg) {
  auto seconds = stop_after_seconds(opts);
  if (!seconds)
    return 2;
  auto signals = block_stop_signals();
  auto node = start_agent_node(cfg, true);
  if (!node)
    return 1;
  std::cout << "CartMate node '" << cfg.name << "' is up. Agents:\n";
  print_agent_status(*node, std::cout);
  std::cout << std::flush;
  if (!opts.flags.count("no-demo")) {
    auto demo = opts.flags.count("demo") ? opts.flags.at("demo") : std::string{default_demo};
    replay_demo(*node, demo);
  }
  std::cout << "serving"
            << (*seconds > 0 ? " for " + std::to_string(*seconds) + " s" : std::string{})
            << "; stop with Ctrl-C (SIGINT) or SIGTERM\n"
            << std::flush;
  auto sig = wait_for_stop(signals, *seconds);
  spdlog::info("stopping ({})", sig == 0 ? "time is up" : strsignal(sig));
  node->stop();
  return 0;
}

int config_command(const cli_options&, const config::node_config& cfg) {
  std::cout << cfg.settings->dump(2) << "\n";
  return 0;
}

}  // namespace cartmate::cli
