// backoff.hpp — exponential backoff with jitter for retries and restarts. Pure functions.
#pragma once

#include <chrono>
#include <cstdint>

namespace cartmate::runtime {

struct backoff_policy {
  std::chrono::milliseconds initial{20};
  std::chrono::milliseconds max{400};
  double multiplier = 2.0;
  double jitter = 0.2;   // ±20 % around the exponential value
};

/// Delay before retry number `retry` (1 = first retry). `uniform01` is a random draw in
/// [0, 1); passing it in keeps this function deterministic under test.
std::chrono::milliseconds backoff_delay(const backoff_policy& policy, uint32_t retry,
                                        double uniform01);

/// A uniform draw in [0, 1) from a per-thread generator.
double random_unit();

}  // namespace cartmate::runtime
