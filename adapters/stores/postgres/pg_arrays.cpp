// pg_arrays.cpp — array literals with std::to_chars / std::from_chars: locale-independent and
// exact for floats (PostgreSQL 12+ prints real with the shortest exact digits as well).
#include "adapters/stores/postgres/pg_arrays.hpp"

#include <charconv>
#include <system_error>

#include <pqxx/array>

#include "protocol/errors.hpp"

namespace cartmate::stores::pg {

std::string text_array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      out += ',';
    out += '"';
    for (char ch : values[i]) {
      if (ch == '"' || ch == '\\')
        out += '\\';
      out += ch;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::vector<std::string> text_array_of(const pqxx::field& field) {
  std::vector<std::string> out;
  if (field.is_null())
    return out;
  auto parser = field.as_array();
  for (auto item = parser.get_next(); item.first != pqxx::array_parser::done;
       item = parser.get_next()) {
    if (item.first == pqxx::array_parser::string_value)
      out.push_back(std::move(item.second));
    else if (item.first == pqxx::array_parser::null_value)
      out.emplace_back();
  }
  return out;
}

std::string real_array_literal(const std::vector<float>& values) {
  std::string out;
  out.reserve(values.size() * 12 + 2);
  out += '{';
  char buf[32];
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      out += ',';
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), values[i]);
    out.append(buf, ec == std::errc{} ? end : buf);
  }
  out += '}';
  return out;
}

caf::expected<std::vector<float>> parse_real_array(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return protocol::make_error(protocol::errc::invalid_argument,
                                "not a real[] value (" + why + "): "
                                  + std::string{text.substr(0, 40)});
  };
  if (text.size() < 2 || text.front() != '{' || text.back() != '}')
    return bad("no braces");
  std::vector<float> out;
  const char* p = text.data() + 1;
  const char* end = text.data() + text.size() - 1;
  if (p == end)
    return out;
  out.reserve(static_cast<size_t>(end - p) / 8);
  while (true) {
    float value = 0;
    auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc{})
      return bad("element " + std::to_string(out.size()) + " is not a number");
    out.push_back(value);
    if (next == end)
      return out;
    if (*next != ',')
      return bad("unexpected character after element " + std::to_string(out.size() - 1));
    p = next + 1;
  }
}

}  // namespace cartmate::stores::pg
