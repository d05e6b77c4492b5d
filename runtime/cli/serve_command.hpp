// serve_command.hpp — `cartmate serve` (one node with every agent plus the HTTP and WebSocket
// server, until SIGINT/SIGTERM, then a graceful drain) and `cartmate token` (mints a signed
// token with the configured auth.secret). Threading: main thread only.
#pragma once

#include <string>

#include "config/node_config.hpp"
#include "runtime/cli/cli_options.hpp"

namespace cartmate::cli {

/// Serves until a stop signal (or --for=SECONDS); prints "listening on http://ADDR:PORT".
int serve_command(const cli_options& opts, const config::node_config& cfg);

/// Prints a token for --tenant=T --user=U [--ttl=SECONDS] (or positional: TENANT USER [TTL]).
int token_command(const cli_options& opts, const config::node_config& cfg);

}  // namespace cartmate::cli
