// cluster_fixture.hpp — the fixture of the cluster suites: cartmate nodes started as child
// processes (killed in TearDown whatever happened, their logs printed when the test failed),
// the cluster status read over HTTP and `cartmate status`, and one WebSocket turn at a time.
// Threading: the test thread only.
#pragma once

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cluster/process_control.hpp"
#include "tests/server/ws_test_client.hpp"

namespace cartmate::testing {

using namespace std::chrono_literals;
using json = nlohmann::json;

/// Every agent kind a node can host.
inline const std::vector<std::string> all_agent_kinds{
  "orchestrator", "product_discovery", "style_profiler", "cart", "price_comparison", "alerts"};

/// One turn as the client saw it: every frame, and the final one when it came.
struct turn_frames {
  std::vector<json> frames;
  std::optional<json> final;

  bool degraded() const { return final && final->value("degraded", false); }
  std::string text() const { return final ? final->value("text", "") : std::string{}; }
  /// The last frame of `type` in this turn.
  std::optional<json> last_of(const std::string& type) const {
    for (auto it = frames.rbegin(); it != frames.rend(); ++it)
      if (it->value("type", "") == type)
        return *it;
    return std::nullopt;
  }
  std::string describe() const {
    std::string out;
    for (auto& f : frames)
      out += "  " + f.dump() + "\n";
    return out.empty() ? "  (no frames)\n" : out;
  }
};

/// Sends `frame` and reads up to the turn's final frame (bounded by the client's read timeout).
inline turn_frames run_turn(ws_client& ws, const json& frame) {
  turn_frames t;
  ws.send(frame);
  t.final = ws.next_of_type("final", &t.frames);
  return t;
}

inline turn_frames say(ws_client& ws, const std::string& text) {
  return run_turn(ws, json{{"type", "message"}, {"text", text}});
}

class cluster_fixture : public ::testing::Test {
 protected:
  static constexpr auto start_limit = 60s;   // a node loads and indexes the catalog first

  void TearDown() override {
    const bool failed = HasFailure();
    for (auto& n : nodes_)
      n->kill_hard();
    if (failed) {
      logs_.keep();
      std::string all;
      for (auto& n : nodes_)
        all += n->logs();
      for (auto& c : commands_)
        all += c;
      std::cerr << "===== logs of the cluster's processes (kept in " << logs_.path() << ")\n"
                << all << "=====\n";
    }
  }

  /// Starts a node of `config` (relative to the repository root) seeded on `seeds`; a gtest
  /// failure (with its logs) when it does not come up. The node stays owned by the fixture.
  cartmate_node* start_node(const std::string& name, const std::string& config,
                            const std::vector<std::string>& seeds,
                            std::vector<std::string> overrides = {}) {
    overrides.push_back("cluster.seeds=" + comma_joined(seeds));
    auto& node = *nodes_.emplace_back(
      std::make_unique<cartmate_node>(name, config, std::move(overrides), logs_.path()));
    if (!node.start(0, start_limit)) {
      ADD_FAILURE() << "node " << name << " did not start: " << node.why();
      return nullptr;
    }
    return &node;
  }

  /// GET /cluster on a node's HTTP port, parsed; nothing when it did not answer with JSON.
  static std::optional<json> cluster_status(uint16_t http_port) {
    auto reply = http_request(http_port, "/cluster");
    if (reply.status != 200)
      return std::nullopt;
    auto parsed = json::parse(reply.body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
      return std::nullopt;
    return parsed;
  }

  /// The directory entry of `kind` in a status document (null when absent).
  static json directory_entry(const json& status, const std::string& kind) {
    for (auto& e : status.value("directory", json::array()))
      if (e.value("kind", "") == kind)
        return e;
    return nullptr;
  }

  /// The peer entry named `node` in a status document (null when absent).
  static json peer_entry(const json& status, const std::string& node) {
    for (auto& p : status.value("peers", json::array()))
      if (p.value("node", "") == node)
        return p;
    return nullptr;
  }

  /// The state ("up", "down", ...) of peer `node`, or "absent".
  static std::string peer_state(const json& status, const std::string& node) {
    auto p = peer_entry(status, node);
    return p.is_object() ? p.value("state", "") : std::string{"absent"};
  }

  /// "available", "unavailable" or "absent": how a status document lists agent `kind`.
  static std::string availability(const json& status, const std::string& kind) {
    auto e = directory_entry(status, kind);
    if (!e.is_object())
      return "absent";
    return e.value("available", false) ? "available" : "unavailable";
  }

  static bool all_available(const json& status, const std::vector<std::string>& kinds) {
    return std::all_of(kinds.begin(), kinds.end(), [&](const std::string& k) {
      auto e = directory_entry(status, k);
      return e.is_object() && e.value("available", false);
    });
  }

  /// Polls `http_port`'s /cluster until `pred` holds, at most `limit`; the last status seen goes
  /// to last_status_ for failure messages.
  template <class Predicate>
  bool wait_for_status(uint16_t http_port, std::chrono::milliseconds limit, Predicate pred) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto status = cluster_status(http_port);
      last_status_ = status ? status->dump(2) : std::string{"(no answer from /cluster)"};
      if (status && pred(*status))
        return true;
      if (std::chrono::steady_clock::now() >= deadline)
        return false;
      std::this_thread::sleep_for(100ms);
    }
  }

  bool wait_all_available(const cartmate_node& node, std::chrono::milliseconds limit,
                          const std::vector<std::string>& kinds = all_agent_kinds) {
    return wait_for_status(node.http_port(), limit,
                           [&](const json& s) { return all_available(s, kinds); });
  }

  /// Runs the cartmate binary with `args` from the repository root, bounded by `limit`; its
  /// output is added to the logs printed on failure.
  command_result run_cartmate(const std::vector<std::string>& args, const std::string& label,
                              std::chrono::milliseconds limit) {
    std::vector<std::string> argv{cartmate_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_command(argv, source_dir(), logs_.path() + "/" + label, limit);
    std::string cmd;
    for (auto& a : argv)
      cmd += a + " ";
    commands_.push_back("----- " + label + ": " + cmd + "-> exit " + std::to_string(r.exit_code)
                        + (r.timed_out ? " (timed out)" : "") + "\n" + r.out.substr(0, 8000)
                        + "\n----- " + label + " stderr\n" + r.err.substr(0, 8000) + "\n");
    return r;
  }

  /// `cartmate status --peer=<member> --json`, parsed; nothing (with a failure) otherwise.
  std::optional<json> status_via_cli(const cartmate_node& member, const std::string& label) {
    auto r = run_cartmate({"status", "--peer=" + member.cluster_address(), "--json"}, label, 30s);
    EXPECT_EQ(r.exit_code, 0) << "cartmate status --json failed: " << r.err;
    auto parsed = json::parse(r.out, nullptr, false);
    if (r.exit_code != 0 || parsed.is_discarded() || !parsed.is_object()) {
      ADD_FAILURE() << "cartmate status --json printed no JSON object: " << r.out;
      return std::nullopt;
    }
    return parsed;
  }

  scratch_dir logs_;
  std::vector<std::unique_ptr<cartmate_node>> nodes_;
  std::vector<std::string> commands_;
  std::string last_status_;
};

}  // namespace cartmate::testing
