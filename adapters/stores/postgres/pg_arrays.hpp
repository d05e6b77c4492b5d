// pg_arrays.hpp — PostgreSQL array values as text, both ways: text[] and real[] literals to send
// as statement parameters or COPY fields, and their parsing from query results.
// Threading: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/pqxx>

namespace cartmate::stores::pg {

/// `{"a","b \"c\""}`: every element quoted, so any text (commas, braces, quotes, backslashes,
/// "NULL") comes back unchanged.
std::string text_array_literal(const std::vector<std::string>& values);

/// The elements of a text[] field; a NULL field or NULL elements give nothing / "".
std::vector<std::string> text_array_of(const pqxx::field& field);

/// `{0.1,-2.5e-07}` with the shortest digits that read back as the same float.
std::string real_array_literal(const std::vector<float>& values);

/// Parses a real[] as PostgreSQL prints it (`{0.1,-2.5e-07}`); errc::invalid_argument for other
/// text (NULL elements, nested arrays, words).
[[nodiscard]] caf::expected<std::vector<float>> parse_real_array(std::string_view text);

}  // namespace cartmate::stores::pg
