// agent_hop_bench.cpp — latency of one agent hop: sequential get_product requests from an actor to
// the product discovery agent, in process (default: this process hosts discovery) or on another
// node (--config=examples/cluster/client.json: this process joins a running cluster without
// agents, so discovery is remote). Prints p50/p95/p99 per round trip. Run from the repo root:
//   build/bench/agent_hop_bench [--requests=20000] [--warmup=2000] [--config=FILE]
// Threading: the main thread waits on a future; the driver actor records its own latencies.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "actors/agent_factories.hpp"
#include "config/node_config.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/product.hpp"
#include "runtime/logging.hpp"
#include "runtime/node.hpp"

namespace {

using namespace cartmate;
using clock_type = std::chrono::steady_clock;

struct hop_run {
  int warmup = 0;
  int requests = 0;
  caf::actor target;
  std::string product_id;
  std::vector<int64_t> latencies_ns;
  int failures = 0;
  std::promise<void> done;
};

// One request at a time: the next goes out from the previous one's answer handler.
void next_request(caf::event_based_actor* self, hop_run* run, int sent) {
  if (sent == run->warmup + run->requests) {
    run->done.set_value();
    self->quit();
    return;
  }
  protocol::get_product_request req;
  req.product_id = run->product_id;
  auto start = clock_type::now();
  self->request(run->target, std::chrono::seconds{5}, req)
    .then(
      [=](protocol::product&) {
        if (sent >= run->warmup)
          run->latencies_ns.push_back((clock_type::now() - start).count());
        next_request(self, run, sent + 1);
      },
      [=](caf::error&) {
        ++run->failures;
        next_request(self, run, sent + 1);
      });
}

double percentile_us(std::vector<int64_t>& xs, double q) {
  if (xs.empty())
    return 0;
  auto k = static_cast<size_t>(q * static_cast<double>(xs.size() - 1) + 0.5);
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k), xs.end());
  return static_cast<double>(xs[k]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  int requests = 20000;
  int warmup = 2000;
  std::string config_file;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    try {
      if (a.rfind("--requests=", 0) == 0)
        requests = std::max(1, std::stoi(a.substr(11)));
      else if (a.rfind("--warmup=", 0) == 0)
        warmup = std::max(0, std::stoi(a.substr(9)));
      else if (a.rfind("--config=", 0) == 0)
        config_file = a.substr(9);
      else {
        std::cout << "usage: agent_hop_bench [--requests=N] [--warmup=N] [--config=FILE]\n";
        return a == "--help" ? 0 : 2;
      }
    } catch (const std::exception&) {
      std::cerr << "agent_hop_bench: " << a << ": expected a whole number\n";
      return 2;
    }
  }
  runtime::log_options log;
  log.level = "error";
  (void) runtime::init_logging(log);
  std::vector<std::string> overrides{"log.level=error"};
  if (config_file.empty())
    overrides.push_back("node.agents=product_discovery");
  auto cfg = config::load_node_config(config_file, overrides);
  if (!cfg) {
    std::cerr << protocol::describe(cfg.error()) << "\n";
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
  caf::expected<caf::actor> target = caf::error{};
  for (int i = 0; i < 5000; ++i) {
    target = node.directory().lookup(protocol::agent_kind::product_discovery);
    if (target)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  if (!target) {
    std::cerr << "no product discovery agent: " << protocol::describe(target.error()) << "\n";
    return 1;
  }
  hop_run run;
  run.warmup = warmup;
  run.requests = requests;
  run.target = *target;
  run.product_id = "1000353";   // the first product of the bundled demo catalog
  run.latencies_ns.reserve(static_cast<size_t>(requests));
  auto finished = run.done.get_future();
  auto start = clock_type::now();
  node.system().spawn([&run](caf::event_based_actor* self) { next_request(self, &run, 0); });
  finished.wait();
  auto seconds = std::chrono::duration<double>(clock_type::now() - start).count();
  bool remote = node.cluster() != nullptr && node.directory().local_replicas().empty();
  std::printf("agent_hop_bench: %s discovery, %d requests (+%d warm-up) in %.3f s, %d failed\n",
              remote ? "remote" : "local", requests, warmup, seconds, run.failures);
  auto& l = run.latencies_ns;
  auto p50 = percentile_us(l, 0.50);
  auto p95 = percentile_us(l, 0.95);
  auto p99 = percentile_us(l, 0.99);
  std::printf("round trip: p50 %.1f us, p95 %.1f us, p99 %.1f us\n", p50, p95, p99);
  run.target = nullptr;
  node.stop();
  return run.failures == 0 ? 0 : 1;
}
