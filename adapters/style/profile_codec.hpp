// profile_codec.hpp — a learned profile as JSON text, for stores that keep it in one column or
// key (PostgreSQL jsonb, Redis). Versioned, so a later layout can still read old rows.
// Threading: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "adapters/style/taste_model.hpp"

namespace cartmate::style {

/// The profile as a compact JSON object (`"v": 1`).
std::string encode_profile(const learned_profile& profile);

/// Reads encode_profile's text; invalid_argument naming the problem for anything else.
[[nodiscard]] caf::expected<learned_profile> decode_profile(std::string_view text);

}  // namespace cartmate::style
