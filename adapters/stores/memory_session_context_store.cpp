// memory_session_context_store.cpp — a map with expiry times; expired entries are invisible at
// once and swept lazily as the map grows. Threading: every member function takes mutex_.
#include "adapters/stores/memory_session_context_store.hpp"

#include <algorithm>
#include <utility>

#include "protocol/errors.hpp"

namespace cartmate::stores {

memory_session_context_store::memory_session_context_store(clock_fn now) : now_(std::move(now)) {
  // nop
}

void memory_session_context_store::sweep(clock::time_point now) {
  for (auto i = entries_.begin(); i != entries_.end();) {
    if (i->second.expires <= now)
      i = entries_.erase(i);
    else
      ++i;
  }
  // Doubling keeps the sweep amortised O(1) per put when most entries are live.
  sweep_at_ = std::max<size_t>(1024, entries_.size() * 2);
}

caf::expected<void> memory_session_context_store::put(const session_key& key,
                                                      const std::string& value,
                                                      std::chrono::milliseconds ttl) {
  if (ttl.count() < 1)
    return protocol::make_error(protocol::errc::invalid_argument,
                                "session context ttl must be at least 1 ms");
  auto now = now_();
  std::lock_guard<std::mutex> guard{mutex_};
  if (entries_.size() >= sweep_at_)
    sweep(now);
  entries_.insert_or_assign(key, entry{value, now + ttl});
  return caf::unit;
}

caf::expected<std::optional<std::string>>
memory_session_context_store::get(const session_key& key) {
  auto now = now_();
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = entries_.find(key);
  if (i == entries_.end())
    return std::optional<std::string>{};
  if (i->second.expires <= now) {
    entries_.erase(i);
    return std::optional<std::string>{};
  }
  return std::optional<std::string>{i->second.value};
}

caf::expected<void> memory_session_context_store::erase(const session_key& key) {
  std::lock_guard<std::mutex> guard{mutex_};
  entries_.erase(key);
  return caf::unit;
}

size_t memory_session_context_store::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return entries_.size();
}

}  // namespace cartmate::stores
