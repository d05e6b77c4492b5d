// store_text.hpp — the one rule for text every store holds: well-formed UTF-8 without NUL
// characters (PostgreSQL refuses anything else, and would fail a whole batch for one row).
// Threading: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace cartmate::stores {

/// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;

/// Why the text field `name` cannot be stored ("title contains a NUL character"), or "".
std::string check_storable_text(std::string_view name, std::string_view value);

}  // namespace cartmate::stores
