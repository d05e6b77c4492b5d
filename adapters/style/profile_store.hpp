// profile_store.hpp — where learned style profiles live between sessions, per tenant + user.
// Implementations: memory (embedded default, memory_profile_store.hpp); PostgreSQL later (it
// can keep profile_codec's JSON in one jsonb column).
// Threading: every implementation is safe for concurrent use; calls are synchronous. The style
// profiler calls it through its store_executor, so a blocking implementation is fine.
#pragma once

#include <caf/expected.hpp>

#include "adapters/stores/cart_store.hpp"   // stores::user_key
#include "adapters/style/taste_model.hpp"

namespace cartmate::style {

class profile_store {
public:
  virtual ~profile_store() = default;

  /// The user's profile; an unknown user has an empty profile (not an error).
  [[nodiscard]] virtual caf::expected<learned_profile> get(const stores::user_key& who) = 0;

  /// Replaces the user's profile.
  [[nodiscard]] virtual caf::error put(const stores::user_key& who,
                                       const learned_profile& profile) = 0;
};

}  // namespace cartmate::style
