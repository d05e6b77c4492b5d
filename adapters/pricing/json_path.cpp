// json_path.cpp — parsing and evaluation of dotted JSON paths; see the header.
#include "adapters/pricing/json_path.hpp"

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::pricing {

namespace {

caf::error bad_path(std::string_view text, const std::string& why) {
  return protocol::make_error(protocol::errc::invalid_argument,
                              "bad JSON path '" + std::string{text} + "': " + why);
}

}  // namespace

caf::expected<json_path> json_path::parse(std::string_view text) {
  json_path out;
  out.text_ = std::string{text};
  size_t i = 0;
  bool expect_key = true;  // at the start and after a dot a key (or an index) must follow
  while (i < text.size()) {
    char c = text[i];
    if (c == '[') {
      auto close = text.find(']', i);
      if (close == std::string_view::npos)
        return bad_path(text, "'[' without ']'");
      auto digits = text.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.size() > 9)
        return bad_path(text, "an index needs 1 to 9 digits");
      size_t index = 0;
      for (char d : digits) {
        if (d < '0' || d > '9')
          return bad_path(text, "index '" + std::string{digits} + "' is not a number");
        index = index * 10 + static_cast<size_t>(d - '0');
      }
      out.steps_.push_back(step{{}, index, true});
      i = close + 1;
      expect_key = false;
      continue;
    }
    if (c == '.') {
      if (expect_key)
        return bad_path(text, "empty key");
      ++i;
      expect_key = true;
      if (i == text.size())
        return bad_path(text, "ends with '.'");
      continue;
    }
    if (c == ']')
      return bad_path(text, "']' without '['");
    if (!expect_key)
      return bad_path(text, "a key must follow '.' after an index");
    auto end = text.find_first_of(".[]", i);
    if (end == std::string_view::npos)
      end = text.size();
    out.steps_.push_back(step{std::string{text.substr(i, end - i)}, 0, false});
    i = end;
    expect_key = false;
  }
  return out;
}

const nlohmann::json* json_path::find(const nlohmann::json& doc) const {
  if (steps_.empty())
    return nullptr;
  const nlohmann::json* at = &doc;
  for (const auto& s : steps_) {
    if (s.is_index) {
      if (!at->is_array() || s.index >= at->size())
        return nullptr;
      at = &(*at)[s.index];
    } else {
      if (!at->is_object())
        return nullptr;
      auto it = at->find(s.key);
      if (it == at->end())
        return nullptr;
      at = &*it;
    }
  }
  return at;
}

}  // namespace cartmate::pricing
