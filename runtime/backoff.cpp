// backoff.cpp — exponential backoff with symmetric jitter, capped at the policy maximum.
#include "runtime/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace cartmate::runtime {

std::chrono::milliseconds backoff_delay(const backoff_policy& policy, uint32_t retry,
                                        double uniform01) {
  if (retry == 0)
    return std::chrono::milliseconds{0};
  const double cap = static_cast<double>(policy.max.count());
  double base = static_cast<double>(policy.initial.count())
                * std::pow(policy.multiplier, static_cast<double>(retry - 1));
  base = std::min(base, cap);
  // Symmetric jitter keeps the mean on the exponential curve while spreading retries of
  // many callers that failed at the same moment.
  const double spread = base * policy.jitter * (2.0 * uniform01 - 1.0);
  const double delay = std::clamp(base + spread, 0.0, cap);
  return std::chrono::milliseconds{static_cast<int64_t>(std::llround(delay))};
}

double random_unit() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>{0.0, 1.0}(engine);
}

}  // namespace cartmate::runtime
