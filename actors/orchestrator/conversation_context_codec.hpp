// conversation_context_codec.hpp — a conversation's context as a versioned JSON blob, the value
// the orchestrator keeps in the session context store so a session resumes on another actor or
// node. Threading: pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "actors/orchestrator/conversation_context.hpp"

namespace cartmate::orchestrator {

/// The "v" written by encode_context; decode_context refuses any other.
inline constexpr int context_format_version = 1;

/// Compact JSON with "v": context_format_version. Product descriptions are left out: nothing
/// reads them from the context (details are fetched again), and with up to max_seen products
/// remembered they would make up most of the blob.
std::string encode_context(const conversation_context& ctx);

/// The context in `blob`, or errc::invalid_argument naming the first problem (not JSON, another
/// version, a field missing or of the wrong type). Never throws, whatever the bytes.
[[nodiscard]] caf::expected<conversation_context> decode_context(std::string_view blob);

}  // namespace cartmate::orchestrator
