// readiness.hpp — named probes that /readyz reports besides the agents: a store's server is
// reachable, its schema is current. Probes read state kept up to date elsewhere (health_watch).
// Threading: add() and check() are safe from any thread; a probe must not block.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace cartmate::runtime {

struct probe_result {
  bool ready = false;
  std::string detail;   // what is wrong, or what is fine
};

class readiness_registry {
 public:
  using probe = std::function<probe_result()>;

  void add(std::string name, probe p) {
    std::lock_guard<std::mutex> guard{mutex_};
    probes_.emplace_back(std::move(name), std::move(p));
  }

  /// Every probe's current answer, in the order they were added.
  std::vector<std::pair<std::string, probe_result>> check() const {
    std::vector<std::pair<std::string, probe>> probes;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      probes = probes_;
    }
    std::vector<std::pair<std::string, probe_result>> out;
    out.reserve(probes.size());
    for (auto& [name, p] : probes)
      out.emplace_back(name, p());
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, probe>> probes_;
};

}  // namespace cartmate::runtime
