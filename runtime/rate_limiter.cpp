// rate_limiter.cpp — per-key token buckets with lazy refill.
// Threading: every member function takes mutex_.
#include "runtime/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cartmate::runtime {

rate_limiter::rate_limiter(double rate, double burst, clock_fn now)
  : rate_(rate), burst_(std::max(burst, 1.0)), now_(std::move(now)) {
  // nop
}

void rate_limiter::refill(bucket& b, clock::time_point now) const {
  if (now <= b.updated)
    return;
  auto elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.updated = now;
}

// A full bucket carries no information: dropping it and recreating it full later is exact.
void rate_limiter::prune(clock::time_point now) {
  for (auto i = buckets_.begin(); i != buckets_.end();) {
    refill(i->second, now);
    if (i->second.tokens >= burst_)
      i = buckets_.erase(i);
    else
      ++i;
  }
  prune_at_ = std::max<size_t>(1024, buckets_.size() * 2);
}

rate_limiter::decision rate_limiter::try_acquire(std::string_view key, double cost) {
  if (unlimited())
    return {};
  auto now = now_();
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = buckets_.find(std::string{key});
  if (i == buckets_.end()) {
    if (buckets_.size() >= prune_at_)
      prune(now);
    i = buckets_.emplace(std::string{key}, bucket{burst_, now}).first;
  }
  auto& b = i->second;
  refill(b, now);
  if (b.tokens >= cost) {
    b.tokens -= cost;
    return {};
  }
  auto wait_s = (cost - b.tokens) / rate_;
  auto ms = static_cast<int64_t>(std::ceil(wait_s * 1000.0));
  return {false, std::chrono::milliseconds{std::max<int64_t>(ms, 1)}};
}

size_t rate_limiter::tracked() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return buckets_.size();
}

}  // namespace cartmate::runtime
