// replay_bench.cpp — in-process replay throughput and latency on the embedded default: N
// concurrent sessions replay the example conversations through the orchestrator (and the real
// discovery and cart agents) for a bounded number of rounds; reports turns/s and p50/p95/p99.
// Run from the repository root (the catalog and scripts are found by relative path):
//   build/bench/replay_bench [--sessions=8] [--rounds=50] [--warmup=2] [--all] [--config=FILE] [DIR]
// --config=examples/cluster/client.json replays through a running cluster instead (this process
// joins it without agents), for the in-process vs. cluster comparison in RESULTS.md.
// --all also replays the *_degraded scripts, whose turns wait for agents that do not exist yet.
// Threading: the main thread waits on a future; drivers report from CAF workers under a mutex.
#include <algorithm>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actors/agent_factories.hpp"
#include "actors/replay/replay_driver.hpp"
#include "config/node_config.hpp"
#include "protocol/errors.hpp"
#include "runtime/logging.hpp"
#include "runtime/node.hpp"

namespace {

using namespace cartmate;
using clock_type = std::chrono::steady_clock;

struct bench_args {
  int sessions = 8;
  int rounds = 50;
  int warmup = 2;
  bool all = false;
  std::string config_file;
  std::string dir = "examples/conversations";
};

struct shared_run {
  std::mutex mutex;
  std::vector<int64_t> latencies_us;
  size_t failed_turns = 0;
  int sessions_left = 0;
  std::promise<void> finished;
};

bench_args parse_args(int argc, char** argv) {
  bench_args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&](const char* prefix) {
      try {
        return std::stoi(s.substr(std::strlen(prefix)));
      } catch (const std::exception&) {
        std::cerr << "replay_bench: " << s << ": expected a whole number\n";
        std::exit(2);
      }
    };
    if (s.rfind("--sessions=", 0) == 0)
      a.sessions = std::max(1, value("--sessions="));
    else if (s.rfind("--rounds=", 0) == 0)
      a.rounds = std::max(1, value("--rounds="));
    else if (s.rfind("--warmup=", 0) == 0)
      a.warmup = std::max(0, value("--warmup="));
    else if (s == "--all")
      a.all = true;
    else if (s.rfind("--config=", 0) == 0)
      a.config_file = s.substr(std::strlen("--config="));
    else if (s == "--help" || s == "-h" || s.rfind("--", 0) == 0) {
      std::cout << "usage: replay_bench [--sessions=N] [--rounds=N] [--warmup=N] [--all] [--config=FILE] [DIR]\n"
                   "  replays the scripts of DIR (default examples/conversations; *_degraded\n"
                   "  skipped unless --all) over N concurrent sessions; run from the repo root\n";
      std::exit(s == "--help" || s == "-h" ? 0 : 2);
    } else
      a.dir = s;
  }
  return a;
}

std::vector<replay::conversation_script> load_scripts(const bench_args& a) {
  std::vector<std::string> paths;
  std::error_code ec;
  std::filesystem::directory_iterator dir{a.dir, ec};
  if (ec) {
    std::cerr << "replay_bench: cannot read " << a.dir << ": " << ec.message() << "\n";
    std::exit(2);
  }
  for (auto& e : dir)
    if (e.path().extension() == ".jsonl"
        && (a.all || e.path().stem().string().find("degraded") == std::string::npos))
      paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  std::vector<replay::conversation_script> out;
  for (auto& p : paths) {
    auto s = replay::load_script(p);
    if (!s) {
      std::cerr << protocol::describe(s.error()) << "\n";
      std::exit(2);
    }
    out.push_back(std::move(*s));
  }
  return out;
}

// One session replays `rounds` scripts back to back, each as a fresh user and session so carts
// and conversation context do not leak between rounds; the next starts from the previous one's
// completion callback, so every session keeps exactly one conversation in flight.
void run_session(runtime::node& node, const std::vector<replay::conversation_script>& scripts,
                 int session, int round, int rounds, bool record, shared_run& run) {
  if (round == rounds) {
    std::lock_guard<std::mutex> guard{run.mutex};
    if (--run.sessions_left == 0)
      run.finished.set_value();
    return;
  }
  const auto& script = scripts[static_cast<size_t>(session + round) % scripts.size()];
  replay::replay_options options;
  options.check = false;
  options.transcript = false;
  options.turn_deadline = node.config().resilience.turn_deadline;
  auto id = "bench-" + std::to_string(session) + "-" + std::to_string(round) + (record ? "" : "w");
  options.user = id;
  options.session = id;
  replay::spawn_replay_driver(
    node.system(), node.directory(), script, options,
    [&node, &scripts, session, round, rounds, record, &run](replay::replay_result r) {
      if (record) {
        std::lock_guard<std::mutex> guard{run.mutex};
        for (auto& t : r.turns) {
          run.latencies_us.push_back(t.latency_us);
          run.failed_turns += t.completed ? 0 : 1;
        }
      }
      run_session(node, scripts, session, round + 1, rounds, record, run);
    });
}

double percentile(std::vector<int64_t>& xs, double q) {
  if (xs.empty())
    return 0;
  auto k = static_cast<size_t>(q * static_cast<double>(xs.size() - 1) + 0.5);
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k), xs.end());
  return static_cast<double>(xs[k]) / 1000.0;
}

// Returns the elapsed seconds; latencies land in `run` when `record`.
double run_phase(runtime::node& node, const std::vector<replay::conversation_script>& scripts,
                 const bench_args& a, int rounds, bool record, shared_run& run) {
  run.sessions_left = a.sessions;
  run.finished = std::promise<void>{};
  auto done = run.finished.get_future();
  auto start = clock_type::now();
  for (int s = 0; s < a.sessions; ++s)
    run_session(node, scripts, s, 0, rounds, record, run);
  done.wait();
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_args(argc, argv);
  runtime::log_options log;
  log.level = "error";
  (void) runtime::init_logging(log);
  auto cfg = config::load_node_config(args.config_file, {"log.level=error"});
  if (!cfg) {
    std::cerr << protocol::describe(cfg.error()) << "\n";
    return 2;
  }
  auto scripts = load_scripts(args);
  if (scripts.empty()) {
    std::cerr << "no scripts in " << args.dir << "\n";
    return 2;
  }
  runtime::node node{*cfg};
  auto specs = actors::make_agent_specs(node);
  if (!specs) {
    std::cerr << protocol::describe(specs.error()) << "\n";
    return 1;
  }
  if (auto err = node.start(std::move(*specs))) {
    std::cerr << protocol::describe(err) << "\n";
    return 1;
  }
  for (int i = 0; i < 5000 && !node.directory().lookup(protocol::agent_kind::orchestrator); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{1});

  shared_run run;
  if (args.warmup > 0)
    run_phase(node, scripts, args, args.warmup, false, run);
  auto seconds = run_phase(node, scripts, args, args.rounds, true, run);
  auto& lat = run.latencies_us;
  auto turns = lat.size();
  std::printf("replay_bench: %zu scripts, %d sessions x %d rounds, %zu turns in %.3f s\n",
              scripts.size(), args.sessions, args.rounds, turns, seconds);
  std::printf("throughput: %.0f turns/s\n", static_cast<double>(turns) / seconds);
  auto p50 = percentile(lat, 0.50);
  auto p95 = percentile(lat, 0.95);
  auto p99 = percentile(lat, 0.99);
  auto max = lat.empty() ? 0.0 : static_cast<double>(*std::max_element(lat.begin(), lat.end())) / 1000.0;
  std::printf("turn latency (send to summary): p50 %.3f ms  p95 %.3f ms  p99 %.3f ms  max %.3f ms\n",
              p50, p95, p99, max);
  std::printf("turns without an answer: %zu\n", run.failed_turns);
  node.stop();
  return run.failed_turns == 0 ? 0 : 1;
}
