// memory_profile_store.cpp — see the header.
#include "adapters/style/memory_profile_store.hpp"

namespace cartmate::style {

caf::expected<learned_profile> memory_profile_store::get(const stores::user_key& who) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = profiles_.find(who);
  return it == profiles_.end() ? learned_profile{} : it->second;
}

caf::error memory_profile_store::put(const stores::user_key& who, const learned_profile& profile) {
  std::lock_guard<std::mutex> guard{mutex_};
  profiles_[who] = profile;
  return {};
}

size_t memory_profile_store::size() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return profiles_.size();
}

}  // namespace cartmate::style
