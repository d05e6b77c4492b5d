// json_path.hpp — dotted paths with [n] indices ("data.offers[0].price") that pick one value out
// of a retailer's JSON answer. Threading: an immutable value once parsed; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

namespace cartmate::pricing {

/// A parsed path: object keys separated by dots, array indices in brackets. The empty path
/// names nothing (an optional field that is not configured).
class json_path {
 public:
  json_path() = default;

  /// Parses "a.b[2].c" or "[0].price"; fails with invalid_argument on "a..b", "a[x]", "a[".
  [[nodiscard]] static caf::expected<json_path> parse(std::string_view text);

  /// The value this path names in `doc`, or nullptr when a step is missing or of another kind.
  /// The pointer lives as long as `doc`.
  const nlohmann::json* find(const nlohmann::json& doc) const;

  bool empty() const { return steps_.empty(); }
  const std::string& text() const { return text_; }

 private:
  struct step {
    std::string key;      // when !is_index
    size_t index = 0;     // when is_index
    bool is_index = false;
  };

  std::vector<step> steps_;
  std::string text_;
};

}  // namespace cartmate::pricing
