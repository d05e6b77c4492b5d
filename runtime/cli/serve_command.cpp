// serve_command.cpp — `cartmate serve` and `cartmate token`: wires the node, the session hub and
// the HTTP/WebSocket server, and shuts them down in order (stop accepting, drain running
// turns, close sockets with 1001, stop the io threads, end the session actors, stop the node).
#include "runtime/cli/serve_command.hpp"

#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <iostream>
#include <utility>

#include <spdlog/spdlog.h>

#include "actors/session/front_end.hpp"
#include "adapters/auth/token.hpp"
#include "protocol/errors.hpp"
#include "runtime/cli/node_runner.hpp"
#include "runtime/cli/stop_signals.hpp"
#include "runtime/cluster/cluster_member.hpp"
#include "runtime/node.hpp"

namespace cartmate::cli {
namespace {

std::string flag_or(const cli_options& opts, const char* name, size_t position) {
  if (auto i = opts.flags.find(name); i != opts.flags.end())
    return i->second;
  return position < opts.positional.size() ? opts.positional[position] : std::string{};
}

}  // namespace

int serve_command(const cli_options& opts, const config::node_config& cfg) {
  auto seconds = stop_after_seconds(opts);
  if (!seconds)
    return 2;
  auto signals = block_stop_signals();
  auto node = start_agent_node(cfg, true);
  if (!node)
    return 1;
  session::front_end front{*node, cfg};
  auto port = front.start();
  if (!port) {
    spdlog::error("cannot start the server: {}", protocol::describe(port.error()));
    std::cerr << "cartmate: cannot start the server: " << protocol::describe(port.error()) << "\n";
    front.shutdown();
    node->stop();
    return 1;
  }
  std::cout << "CartMate node '" << cfg.name << "' is up. Agents:\n";
  print_agent_status(*node, std::cout);
  if (auto* cluster = node->cluster())
    std::cout << "cluster port " << cfg.cluster.address << ":" << cluster->port() << "\n";
  std::cout << "listening on http://" << cfg.server.address << ":" << *port
            << (cfg.gateway ? "" : " (health and metrics only: node.gateway=false)") << std::endl;
  spdlog::info("listening on http://{}:{} (auth {})", cfg.server.address, *port,
               cfg.auth.enabled ? "on" : "off");
  auto sig = wait_for_stop(signals, *seconds);
  spdlog::info("stopping ({}): draining for at most {} ms", sig == 0 ? "time is up" : strsignal(sig),
               cfg.server.drain.count());
  front.shutdown();
  node->stop();
  std::cout << "stopped" << std::endl;
  return 0;
}

int token_command(const cli_options& opts, const config::node_config& cfg) {
  auto tenant = flag_or(opts, "tenant", 0);
  auto user = flag_or(opts, "user", 1);
  auto ttl_text = flag_or(opts, "ttl", 2);
  if (tenant.empty() || user.empty() || tenant.size() > auth::max_name_bytes
      || user.size() > auth::max_name_bytes) {
    std::cerr << "usage: cartmate token --tenant=T --user=U [--ttl=SECONDS]  (or: cartmate token T U "
                 "[SECONDS]); names have 1 to 128 bytes\n";
    return 2;
  }
  if (cfg.auth.secret.empty()) {
    std::cerr << "cartmate: auth.secret is not set (use --auth.secret=... or a config file)\n";
    return 2;
  }
  int64_t ttl = cfg.auth.token_ttl.count();
  if (!ttl_text.empty()) {
    try {
      size_t used = 0;
      ttl = std::stoll(ttl_text, &used);
      if (used != ttl_text.size() || ttl <= 0)
        throw std::invalid_argument{"ttl"};
    } catch (const std::exception&) {
      std::cerr << "cartmate: --ttl expects a positive number of seconds, got '" << ttl_text << "'\n";
      return 2;
    }
  }
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::cout << auth::issue_token(cfg.auth.secret, {tenant, user, now_s + ttl}) << "\n";
  return 0;
}

}  // namespace cartmate::cli
