// memory_profile_store.hpp — profiles in a map behind a mutex: the embedded default and the
// store of the tests. Profiles survive agent restarts (the store is shared), not the process.
// Threading: safe for concurrent use; never blocks for long, so it runs inline.
#pragma once

#include <map>
#include <mutex>

#include "adapters/style/profile_store.hpp"

namespace cartmate::style {

class memory_profile_store final : public profile_store {
public:
  caf::expected<learned_profile> get(const stores::user_key& who) override;
  caf::error put(const stores::user_key& who, const learned_profile& profile) override;

  /// Users with a stored profile.
  size_t size() const;

private:
  mutable std::mutex mutex_;
  std::map<stores::user_key, learned_profile> profiles_;
};

}  // namespace cartmate::style
