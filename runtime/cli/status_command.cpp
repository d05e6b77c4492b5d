// status_command.cpp — `cartmate status`: asks a cluster member (this configuration's own cluster
// port, or --peer=HOST:PORT) how it sees the cluster and prints members, agents and health.
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <caf/actor_system.hpp>
#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/cluster/cluster_member.hpp"
#include "runtime/node.hpp"

namespace cartmate::cli {
namespace {

std::string clock_time(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%H:%M:%S");
  return out.str();
}

std::string joined(const nlohmann::json& names) {
  std::string out;
  for (auto& n : names)
    out += (out.empty() ? "" : ", ") + n.get<std::string>();
  return out.empty() ? "-" : out;
}

void print_status(const nlohmann::json& s, std::ostream& out) {
  out << "node " << s.value("node", "?") << " at " << s.value("address", "?")
      << (s.value("gateway", false) ? " (gateway)" : "") << "\n"
      << "  hosts: " << joined(s.at("agents")) << "\n"
      << "peers:\n";
  if (s.at("peers").empty())
    out << "  (none)\n";
  for (auto& p : s.at("peers")) {
    out << "  " << std::left << std::setw(16) << (p.value("node", "").empty() ? "?" : p.value("node", ""))
        << std::setw(22) << p.value("address", "") << std::setw(11) << p.value("state", "")
        << "since " << clock_time(p.value("since_ms", int64_t{0}));
    if (p.value("state", "") == "up")
      out << "  hosts: " << joined(p.at("agents")) << (p.value("gateway", false) ? " (gateway)" : "");
    else if (!p.value("last_error", "").empty())
      out << "  " << p.value("last_error", "");
    out << "\n";
  }
  out << "agents:\n";
  for (auto& a : s.at("directory")) {
    out << "  " << std::left << std::setw(18) << a.value("kind", "");
    if (a.value("available", false))
      out << "available on " << joined(a.at("nodes"));
    else
      out << "UNAVAILABLE" << (a.value("reason", "").empty() ? "" : " (" + a.value("reason", "") + ")");
    out << "  breaker " << a.value("breaker", "") << "\n";
  }
}

}  // namespace

int status_command(const cli_options& opts, const config::node_config& cfg) {
  std::string target = cfg.cluster.advertise_host.empty() ? cfg.cluster.address : cfg.cluster.advertise_host;
  target += ":" + std::to_string(cfg.cluster.port);
  if (auto i = opts.flags.find("peer"); i != opts.flags.end())
    target = i->second;
  auto where = config::parse_host_port(target);
  if (!where) {
    std::cerr << "cartmate status: '" << target << "' is not HOST:PORT\n";
    return 2;
  }
  auto client_cfg = cfg;
  client_cfg.cluster.enabled = true;   // loads the middleman; this process joins nothing
  client_cfg.cluster.heartbeat_interval = std::chrono::milliseconds{0};
  runtime::node_caf_config caf_cfg{client_cfg};
  caf::actor_system sys{caf_cfg};
  auto status = runtime::fetch_cluster_status(sys, where->host, where->port, std::chrono::seconds{3});
  if (!status) {
    std::cerr << "cartmate status: " << protocol::describe(status.error()) << "\n";
    return 1;
  }
  if (opts.flags.count("json")) {
    std::cout << *status << "\n";
    return 0;
  }
  try {
    print_status(nlohmann::json::parse(*status), std::cout);
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "cartmate status: unreadable answer from " << target << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace cartmate::cli
