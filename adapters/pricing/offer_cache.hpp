// offer_cache.hpp — retailer answers kept for a time-to-live, per retailer and product, so a
// repeated comparison does not ask the retailers again. Only usable answers are kept (an offer,
// or "no offer"); failures are left to the circuit breaker.
// Threading: safe for concurrent access (one mutex); the agent's restarts share one cache.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "adapters/pricing/retailer_answer.hpp"

namespace cartmate::pricing {

class offer_cache {
 public:
  using clock = std::chrono::steady_clock;

  /// Keeps at most `capacity` entries; when full, expired entries go first, then the oldest.
  explicit offer_cache(std::chrono::milliseconds ttl, size_t capacity = 10000);

  /// What `retailer` answered for `product_id` less than ttl ago: a quote or nullopt for
  /// "no offer". The outer optional is empty on a miss.
  std::optional<std::optional<retailer_quote>> find(const std::string& retailer,
                                                    const std::string& product_id,
                                                    clock::time_point now);

  void put(const std::string& retailer, const std::string& product_id,
           std::optional<retailer_quote> answer, clock::time_point now);

  std::chrono::milliseconds ttl() const { return ttl_; }
  size_t size() const;

 private:
  struct entry {
    std::optional<retailer_quote> answer;
    clock::time_point stored;
  };

  void make_room(clock::time_point now);  // requires mutex_

  const std::chrono::milliseconds ttl_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, entry> entries_;
};

}  // namespace cartmate::pricing
