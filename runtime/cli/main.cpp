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
  run       start a node with every configured agent, print the agents' status, replay the
            demo conversation (examples/conversations/demo.jsonl; --demo=FILE picks another,
            --no-demo skips it) and serve until SIGINT/SIGTERM (--for=SECONDS stops it earlier)
  replay FILE|DIR...
            replay scripted conversations (JSON Lines; format in examples/conversations/README.md):
            prints the transcript and a PASS/FAIL line per expectation (--quiet: only failures).
            Exit code 0 when every expectation holds, 1 when one fails, 2 for a malformed script
  chat      interactive chat in the terminal on the same runtime (--user=NAME; --verbose shows
            intents, agents and timing; /help lists the chat commands)
  ingest FILE
            load a JSON Lines or CSV catalog (--format=jsonl|csv|auto) with a progress bar; bad
            rows are reported with their line number and reason and skipped, the rest loads, and
            a repeated id updates the earlier row in place. The products are indexed as the node
            would serve them; --store=postgres (or stores.catalog=postgres) then stores them with
            their vectors in PostgreSQL (postgres.conninfo), where discovery loads them at start
            when stores.catalog=postgres; with embeddings.provider=openai the vectors come from
            the embedding model (batched, with a progress bar; docs/embeddings.md);
            --output=FILE writes the normalised catalog as JSON Lines (usable as catalog.path)
  history [SESSION]
            with stores.history=postgres: print SESSION's recorded turns as a replay script
            (replayable with `cartmate replay`), or without SESSION list the latest sessions
            (--tenant=T, default demo; --user=U narrows the list)
  nlu-eval [FILE]
            run the offline language understanding over the user turns of a SIMMC 2.0 turns file
            (default ../shared/data/conversations/simmc2_dstc10_dev.shared.turns.jsonl) and report
            act accuracy (--no-hints reads every turn alone)
  serve     the main job with a front-end: every agent plus the HTTP and WebSocket server
            (server.port, default 8080; 0 picks a free port and prints it); the web chat page
            is at /, the frame protocol in docs/protocol.md; SIGTERM drains and closes with 1001
  prices FILE [--url=http://HOST:PORT]
            post catalog price/stock updates ({"updates":[{"product_id","price","stock"}]} or JSON
            Lines) to a running server's POST /admin/prices with an admin token signed by
            auth.secret; alerts watching those products fire and notify their shoppers
  status [--peer=HOST:PORT] [--json]
            how a cluster member (default: this configuration's cluster.address:cluster.port) sees
            the cluster: its peers and their state, and every agent kind with where it runs, its
            health and its circuit breaker
  token --tenant=T --user=U [--ttl=SECONDS]
            mint a signed access token with auth.secret (for auth.enabled=true)
  config    validate the configuration and print the effective settings
            (--schema lists every key with its type, default and meaning)
  help      this text

Configuration: defaults come from config/schema.json (built in); a file given with --config
overrides them, and --set key=value or --key=value override both. Relative paths (the catalog,
the demo) start at the working directory: run from the repository root.
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
