// offer_cache.cpp — the TTL cache of retailer answers; see the header.
#include "adapters/pricing/offer_cache.hpp"

#include <algorithm>

namespace cartmate::pricing {

offer_cache::offer_cache(std::chrono::milliseconds ttl, size_t capacity)
  : ttl_(ttl), capacity_(std::max<size_t>(capacity, 1)) {
  // nop
}

std::optional<std::optional<retailer_quote>>
offer_cache::find(const std::string& retailer, const std::string& product_id,
                  clock::time_point now) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = entries_.find({retailer, product_id});
  if (i == entries_.end())
    return std::nullopt;
  if (now - i->second.stored >= ttl_) {
    entries_.erase(i);
    return std::nullopt;
  }
  return i->second.answer;
}

void offer_cache::put(const std::string& retailer, const std::string& product_id,
                      std::optional<retailer_quote> answer, clock::time_point now) {
  if (ttl_.count() <= 0)
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  auto key = std::make_pair(retailer, product_id);
  if (entries_.find(key) == entries_.end() && entries_.size() >= capacity_)
    make_room(now);
  entries_[std::move(key)] = entry{std::move(answer), now};
}

size_t offer_cache::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return entries_.size();
}

void offer_cache::make_room(clock::time_point now) {
  for (auto i = entries_.begin(); i != entries_.end();)
    i = now - i->second.stored >= ttl_ ? entries_.erase(i) : std::next(i);
  if (entries_.size() < capacity_)
    return;
  auto older = [](const auto& a, const auto& b) { return a.second.stored < b.second.stored; };
  auto oldest = std::min_element(entries_.begin(), entries_.end(), older);
  entries_.erase(oldest);
}

}  // namespace cartmate::pricing
