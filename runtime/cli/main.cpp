// main.cpp — the cartmate executable: parses the command line, loads and validates the
// configuration before anything starts, and dispatches to a subcommand.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include <spdlog/spdlog.h>

#include "config/config_loader.hpp"
#include "config/node_config.hpp"
#include "protocol/errors.hpp"
#include "runtime/cli/cli_options.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/logging.hpp"

namespace {

constexpr const char* usage = R"(usage: cartmate <command> [--config FILE] [--set key=value]... [--key=value]...

commands:
  run       start a node with every configured agent and serve until SIGINT/SIGTERM
            (--for=SECONDS stops it after that long)
  config    validate the configuration and print the effective settings
            (--schema lists every key with its type, default and meaning)
  help      this text

Configuration: defaults come from config/schema.json (built in); a file given with --config
overrides them, and --set key=value or --key=value override both.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace cartmate;
  auto opts = cli::parse_cli(argc, argv, cli::command_flags());
  if (!opts) {
    std::cerr << "cartmate: " << protocol::describe(opts.error()) << "\n\n" << usage;
    return 2;
  }
  if (opts->command.empty() || opts->command == "help" || opts->flags.count("help")) {
    std::cout << usage;
    return opts->command.empty() ? 2 : 0;
  }
  if (opts->command == "config" && opts->flags.count("schema")) {
    std::cout << config::describe_schema();
    return 0;
  }
  auto cfg = config::load_node_config(opts->config_file, opts->overrides);
  if (!cfg) {
    std::cerr << "cartmate: invalid configuration:\n" << protocol::describe(cfg.error()) << "\n";
    return 2;
  }
  runtime::log_options log;
  log.level = cfg->log.level;
  log.format = cfg->log.format;
  log.file = cfg->log.file;
  if (auto err = runtime::init_logging(log); !err.empty()) {
    std::cerr << "cartmate: " << err << "\n";
    return 2;
  }
  return cli::dispatch(*opts, *cfg);
}
