// config_loader.cpp — the schema walk behind load_settings: defaults, file overlay, overrides,
// and the list of every problem found on the way.
// Threading: the parsed schema is built once (a function-local static) and only read after.
#include "config/config_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::config {
namespace {

using json = nlohmann::json;
// Ordered, so describe_schema lists keys in the order the schema file groups them.
using schema_node = nlohmann::ordered_json;

// Integers end up in `int` fields of node_config: beyond 32 bits is out of range even for keys
// whose schema sets no bound.
constexpr int64_t int_lowest = std::numeric_limits<int32_t>::min();
constexpr int64_t int_highest = std::numeric_limits<int32_t>::max();

std::string join_key(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string{name} : prefix + "." + std::string{name};
}

std::string in_quotes(std::string_view key) {
  return "'" + std::string{key} + "'";
}

bool is_leaf(const schema_node& node) {
  auto type = node.find("type");
  return node.is_object() && type != node.end() && type->is_string();
}

std::string type_label(std::string_view schema_type) {
  return schema_type == "string_array" ? "array of strings" : std::string{schema_type};
}

// A value as the user wrote it, shortened: the messages must stay one line each.
std::string render(const json& value) {
  auto text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  constexpr size_t limit = 60;
  if (text.size() > limit)
    text = text.substr(0, limit) + "...";
  return text;
}

std::string describe_value(const json& value) {
  switch (value.type()) {
    case json::value_t::string: return "string " + render(value);
    case json::value_t::boolean: return "boolean " + render(value);
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer " + render(value);
    case json::value_t::number_float: return "number " + render(value);
    case json::value_t::array: return "array " + render(value);
    case json::value_t::object: return "object " + render(value);
    case json::value_t::null: return "null";
    default: return render(value);
  }
}

std::string expects(const std::string& key, std::string_view what, const std::string& got) {
  return "configuration key " + in_quotes(key) + " expects " + std::string{what} + ", got " + got;
}

std::string enum_list(const schema_node& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty())
      out += '|';
    out += v.get<std::string>();
  }
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string last_segment(std::string_view key) {
  auto dot = key.rfind('.');
  return std::string{dot == std::string_view::npos ? key : key.substr(dot + 1)};
}

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return {};
  auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

/// Checks one value against its leaf's type and constraints; returns it normalised (integers as
/// int64, numbers as double) or nothing, with the reasons appended to `errors`.
std::optional<json> check_leaf(const schema_node& leaf, const json& value, const std::string& key,
                               std::vector<std::string>& errors) {
  const auto type = leaf.at("type").get<std::string>();
  auto enum_values = leaf.find("enum");
  auto has_enum = enum_values != leaf.end();
  auto in_enum = [&](const std::string& s) {
    return std::any_of(enum_values->begin(), enum_values->end(),
                       [&](const schema_node& v) { return v.get<std::string>() == s; });
  };
  if (type == "string") {
    if (!value.is_string()) {
      errors.push_back(expects(key, "string", describe_value(value)));
      return std::nullopt;
    }
    if (has_enum && !in_enum(value.get<std::string>())) {
      errors.push_back(expects(key, "string, one of " + enum_list(*enum_values), render(value)));
      return std::nullopt;
    }
    return value;
  }
  if (type == "boolean") {
    if (!value.is_boolean()) {
      errors.push_back(expects(key, "boolean", describe_value(value)));
      return std::nullopt;
    }
    return value;
  }
  if (type == "integer") {
    int64_t n = 0;
    bool out_of_int64 = false;
    if (value.is_number_unsigned()) {
      auto u = value.get<uint64_t>();
      out_of_int64 = u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
      n = out_of_int64 ? 0 : static_cast<int64_t>(u);
    } else if (value.is_number_integer()) {
      n = value.get<int64_t>();
    } else if (value.is_number_float() && std::trunc(value.get<double>()) == value.get<double>()) {
      // 4.0 is an integer written loosely; 4.5 is not.
      auto d = value.get<double>();
      out_of_int64 = std::fabs(d) >= 9.2e18;
      n = out_of_int64 ? 0 : static_cast<int64_t>(d);
    } else {
      errors.push_back(expects(key, "integer", describe_value(value)));
      return std::nullopt;
    }
    auto lo = leaf.contains("min") ? std::max(leaf.at("min").get<int64_t>(), int_lowest) : int_lowest;
    auto hi = leaf.contains("max") ? std::min(leaf.at("max").get<int64_t>(), int_highest) : int_highest;
    if (out_of_int64 || n < lo || n > hi) {
      errors.push_back(expects(key, "integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
                               render(value)));
      return std::nullopt;
    }
    return json(n);
  }
  if (type == "number") {
    if (!value.is_number()) {
      errors.push_back(expects(key, "number", describe_value(value)));
      return std::nullopt;
    }
    auto d = value.get<double>();
    auto min = leaf.find("min");
    auto max = leaf.find("max");
    bool below = min != leaf.end() && d < min->get<double>();
    bool above = max != leaf.end() && d > max->get<double>();
    if (below || above) {
      std::string range;
      if (min != leaf.end() && max != leaf.end())
        range = "number in [" + min->dump() + ", " + max->dump() + "]";
      else if (min != leaf.end())
        range = "number >= " + min->dump();
      else
        range = "number <= " + max->dump();
      errors.push_back(expects(key, range, render(value)));
      return std::nullopt;
    }
    return json(d);
  }
  // string_array
  if (!value.is_array()) {
    errors.push_back(expects(key, "array of strings", describe_value(value)));
    return std::nullopt;
  }
  auto unique = leaf.value("unique", false);
  std::set<std::string> seen;
  bool ok = true;
  for (size_t i = 0; i < value.size(); ++i) {
    const auto& element = value[i];
    auto element_key = key + "[" + std::to_string(i) + "]";
    if (!element.is_string()) {
      errors.push_back(expects(element_key, "string", describe_value(element)));
      ok = false;
      continue;
    }
    auto s = element.get<std::string>();
    if (has_enum && !in_enum(s)) {
      errors.push_back(expects(element_key, "string, one of " + enum_list(*enum_values), render(element)));
      ok = false;
    } else if (unique && !seen.insert(s).second) {
      errors.push_back("configuration key " + in_quotes(key) + " expects array of distinct strings, got "
                       + render(element) + " more than once");
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return value;
}

/// The embedded schema, parsed and checked once: its leaves in file order and the defaults tree.
class schema {
 public:
  schema() {
    try {
      root_ = schema_node::parse(schema_json());
    } catch (const schema_node::exception& e) {
      broken_.push_back(std::string{"not valid JSON: "} + e.what());
      return;
    }
    if (!root_.is_object() || root_.empty()) {
      broken_.push_back("the top level must be an object of sections");
      return;
    }
    defaults_ = json::object();
    walk(root_, "", defaults_);
  }

  const schema_node& root() const { return root_; }
  const json& defaults() const { return defaults_; }
  const std::vector<std::pair<std::string, const schema_node*>>& leaves() const { return leaves_; }

  /// Empty when the schema is sound; otherwise what is wrong with it (a build defect).
  std::string defect() const {
    std::string out;
    for (const auto& line : broken_)
      out += (out.empty() ? "" : "; ") + line;
    return out;
  }

  /// The schema node of a dotted key, or null.
  const schema_node* find(std::string_view key) const {
    const schema_node* node = &root_;
    while (true) {
      auto dot = key.find('.');
      auto name = std::string{key.substr(0, dot)};
      if (is_leaf(*node))
        return nullptr;
      auto it = node->find(name);
      if (it == node->end())
        return nullptr;
      node = &*it;
      if (dot == std::string_view::npos)
        return node;
      key.remove_prefix(dot + 1);
    }
  }

  std::string unknown_key(const std::string& key) const {
    auto message = "unknown configuration key " + in_quotes(key);
    if (find(key) != nullptr)  // e.g. {"log.level": ...} at the top level
      return message + " (write it nested: {\"" + key.substr(0, key.find('.')) + "\": {...}})";
    std::string best;
    size_t best_distance = 3;  // suggest only near misses
    for (const auto& path : paths_) {
      auto d = edit_distance(key, path);
      if (d < best_distance) {
        best_distance = d;
        best = path;
      }
    }
    if (best.empty()) {  // right name, wrong section: "resilience.threads"
      auto name = last_segment(key);
      for (const auto& [path, leaf] : leaves_)
        if (last_segment(path) == name)
          best = best.empty() ? path : best + "' or '" + path;
    }
    if (!best.empty())
      return message + " (did you mean '" + best + "'?)";
    auto dot = key.rfind('.');
    auto section = dot == std::string::npos ? std::string{} : key.substr(0, dot);
    const schema_node* parent = section.empty() ? &root_ : find(section);
    if (parent == nullptr || is_leaf(*parent))
      return message;
    return message + " (" + (section.empty() ? std::string{"sections are "}
                                             : "keys of " + in_quotes(section) + " are ")
           + child_names(*parent) + ")";
  }

  static std::string child_names(const schema_node& group) {
    std::string out;
    for (const auto& item : group.items())
      out += (out.empty() ? "" : ", ") + item.key();
    return out;
  }

 private:
  void walk(const schema_node& group, const std::string& prefix, json& defaults) {
    for (const auto& item : group.items()) {
      const auto key = join_key(prefix, item.key());
      const auto& node = item.value();
      if (item.key().empty()
          || item.key().find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
        broken_.push_back(in_quotes(key) + ": names use only a-z, 0-9 and _");
      if (!node.is_object() || node.empty()) {
        broken_.push_back(in_quotes(key) + ": expected a leaf or a non-empty section object");
        continue;
      }
      paths_.push_back(key);
      if (!is_leaf(node)) {
        walk(node, key, defaults[item.key()]);
        continue;
      }
      if (!check_leaf_schema(node, key))
        continue;
      leaves_.emplace_back(key, &node);
      std::vector<std::string> errors;
      if (auto value = check_leaf(node, json(node.at("default")), key, errors))
        defaults[item.key()] = std::move(*value);
      for (auto& e : errors)
        broken_.push_back("default of " + e);
    }
  }

  // The fields check_leaf relies on, so a typo in schema.json fails the build's tests, not a user.
  bool check_leaf_schema(const schema_node& leaf, const std::string& key) {
    auto before = broken_.size();
    auto type = leaf.at("type").get<std::string>();
    auto fail = [&](const std::string& why) { broken_.push_back(in_quotes(key) + ": " + why); };
    static const std::set<std::string> types{"string", "integer", "number", "boolean", "string_array"};
    static const std::set<std::string> fields{"type", "default", "doc", "min", "max", "enum", "unique"};
    if (types.count(type) == 0)
      fail("unknown type \"" + type + "\"");
    for (const auto& item : leaf.items())
      if (fields.count(item.key()) == 0)
        fail("unknown schema field \"" + item.key() + "\"");
    if (!leaf.contains("default"))
      fail("no default");
    if (!leaf.contains("doc") || !leaf.at("doc").is_string() || leaf.at("doc").get<std::string>().empty())
      fail("no doc line");
    bool numeric = type == "integer" || type == "number";
    for (const char* bound : {"min", "max"}) {
      if (!leaf.contains(bound))
        continue;
      const auto& b = leaf.at(bound);
      if (!numeric)
        fail(std::string{bound} + " applies only to integer and number");
      else if (type == "integer" ? !b.is_number_integer() : !b.is_number())
        fail(std::string{bound} + " must be a " + type);
    }
    if (numeric && leaf.contains("min") && leaf.contains("max") && leaf.at("min").is_number()
        && leaf.at("max").is_number() && leaf.at("min").get<double>() > leaf.at("max").get<double>())
      fail("min exceeds max");
    if (leaf.contains("enum")) {
      const auto& values = leaf.at("enum");
      if (type != "string" && type != "string_array")
        fail("enum applies only to string and string_array");
      else if (!values.is_array() || values.empty()
               || !std::all_of(values.begin(), values.end(), [](const auto& v) { return v.is_string(); }))
        fail("enum must be a non-empty array of strings");
    }
    if (leaf.contains("unique") && (type != "string_array" || !leaf.at("unique").is_boolean()))
      fail("unique must be a boolean of a string_array");
    return broken_.size() == before;
  }

  schema_node root_;
  json defaults_;
  std::vector<std::pair<std::string, const schema_node*>> leaves_;  // point into root_
  std::vector<std::string> paths_;                                   // sections and leaves
  std::vector<std::string> broken_;
};

const schema& the_schema() {
  static const schema instance;
  return instance;
}

/// Every problem found while loading; `origin` says where it came from (a file, an override).
class problem_list {
 public:
  void add(const std::string& origin, std::string text) {
    lines_.push_back(origin.empty() ? std::move(text) : origin + ": " + text);
  }

  bool empty() const { return lines_.empty(); }

  caf::error to_error() const {
    auto message = "invalid configuration (" + std::to_string(lines_.size())
                   + (lines_.size() == 1 ? " problem):" : " problems):");
    for (const auto& line : lines_)
      message += "\n  " + line;
    return protocol::make_error(protocol::errc::invalid_argument, std::move(message));
  }

 private:
  std::vector<std::string> lines_;
};

/// Parses JSON text, reporting the position of a syntax error and every duplicated key
/// (nlohmann keeps the last silently, which would hide a mistake).
std::optional<json> parse_config(std::string_view text, const std::string& origin,
                                 problem_list& problems) {
  struct frame {
    std::string path;
    bool is_array;
    std::set<std::string> keys;
    std::string last_key;
  };
  std::vector<frame> stack;
  std::vector<std::string> duplicates;
  auto track = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start: {
        std::string path;
        if (!stack.empty())
          path = stack.back().is_array ? stack.back().path + "[]"
                                       : join_key(stack.back().path, stack.back().last_key);
        stack.push_back(frame{std::move(path), event == json::parse_event_t::array_start, {}, {}});
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!stack.empty())
          stack.pop_back();
        break;
      case json::parse_event_t::key:
        if (!stack.empty() && parsed.is_string()) {
          auto& top = stack.back();
          top.last_key = parsed.get<std::string>();
          if (!top.keys.insert(top.last_key).second)
            duplicates.push_back(join_key(top.path, top.last_key));
        }
        break;
      default:
        break;
    }
    return true;
  };
  json tree;
  try {
    tree = json::parse(text.begin(), text.end(), track);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    auto bracket = what.find("] ");  // drop nlohmann's "[json.exception.parse_error.101] "
    problems.add(origin, "malformed JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
    return std::nullopt;
  }
  for (const auto& key : duplicates)
    problems.add(origin, "configuration key " + in_quotes(key) + " is given more than once");
  return tree;
}

/// Writes `input`'s valid values over `target`, reporting unknown keys and bad values.
void overlay(const schema& s, const schema_node& group, const json& input, json& target,
             const std::string& prefix, const std::string& origin, problem_list& problems) {
  for (const auto& item : input.items()) {
    const auto key = join_key(prefix, item.key());
    auto it = group.find(item.key());
    if (it == group.end()) {
      problems.add(origin, s.unknown_key(key));
      continue;
    }
    if (is_leaf(*it)) {
      std::vector<std::string> errors;
      if (auto value = check_leaf(*it, item.value(), key, errors))
        target[item.key()] = std::move(*value);
      for (auto& e : errors)
        problems.add(origin, std::move(e));
    } else if (!item.value().is_object()) {
      problems.add(origin, expects(key, "object (a section with keys " + schema::child_names(*it) + ")",
                                   describe_value(item.value())));
    } else {
      overlay(s, *it, item.value(), target[item.key()], key, origin, problems);
    }
  }
}

/// The text of an override as a JSON value of the leaf's type, or a message saying why not.
std::optional<json> parse_override_value(const std::string& type, std::string_view raw,
                                         const std::string& key, std::string& error) {
  auto bad = [&](std::string_view what) {
    error = expects(key, what, json(std::string{raw}).dump(-1, ' ', false, json::error_handler_t::replace));
    return std::nullopt;
  };
  if (type == "string") {
    try {
      (void) json(std::string{raw}).dump();  // throws on invalid UTF-8
    } catch (const json::exception&) {
      return bad("string of valid UTF-8");
    }
    return json(std::string{raw});
  }
  if (type == "string_array") {
    auto result = json::array();
    auto rest = trim(raw);
    while (!rest.empty()) {
      auto comma = rest.find(',');
      result.push_back(std::string{trim(rest.substr(0, comma))});
      if (comma == std::string_view::npos)
        break;
      rest.remove_prefix(comma + 1);
      if (trim(rest).empty())  // "a,b," leaves an empty last element
        result.push_back("");
    }
    return result;
  }
  auto text = trim(raw);
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (type == "integer") {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(first, last, n);
    if (text.empty() || ec != std::errc{} || end != last)
      return bad("integer");
    return json(n);
  }
  if (type == "number") {
    double d = 0;
    auto [end, ec] = std::from_chars(first, last, d);
    if (text.empty() || ec != std::errc{} || end != last || !std::isfinite(d))
      return bad("number");
    return json(d);
  }
  // boolean
  if (text == "true")
    return json(true);
  if (text == "false")
    return json(false);
  return bad("boolean (true or false)");
}

void apply_override(const schema& s, const std::string& text, json& tree, problem_list& problems) {
  const auto origin = "override " + in_quotes(text);
  auto eq = text.find('=');
  if (eq == std::string::npos) {
    problems.add(origin, "expected key=value, e.g. log.level=debug");
    return;
  }
  const auto key = std::string{trim(std::string_view{text}.substr(0, eq))};
  if (key.empty()) {
    problems.add(origin, "missing key before '='");
    return;
  }
  const auto* node = s.find(key);
  if (node == nullptr) {
    problems.add(origin, s.unknown_key(key));
    return;
  }
  if (!is_leaf(*node)) {
    problems.add(origin, "configuration key " + in_quotes(key) + " is a section; override one of its keys ("
                             + schema::child_names(*node) + ")");
    return;
  }
  std::string error;
  auto raw = std::string_view{text}.substr(eq + 1);
  auto parsed = parse_override_value(node->at("type").get<std::string>(), raw, key, error);
  if (!parsed) {
    problems.add(origin, error);
    return;
  }
  std::vector<std::string> errors;
  if (auto value = check_leaf(*node, *parsed, key, errors)) {
    auto pointer = "/" + key;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    tree[json::json_pointer{pointer}] = std::move(*value);
  }
  for (auto& e : errors)
    problems.add(origin, std::move(e));
}

// Rules that tie two keys together; each key alone was already checked.
void check_relations(const json& tree, problem_list& problems) {
  const auto& r = tree.at("resilience");
  if (r.at("backoff_initial_ms").get<int64_t>() > r.at("backoff_max_ms").get<int64_t>())
    problems.add("", "configuration key 'resilience.backoff_initial_ms' expects integer <= "
                     "'resilience.backoff_max_ms' (" + r.at("backoff_max_ms").dump() + "), got "
                     + r.at("backoff_initial_ms").dump());
}

/// Defaults, then `input` (when given and an object), then the overrides; all problems, or the tree.
caf::expected<json> settle(const json* input, const std::string& origin,
                           const std::vector<std::string>& overrides, problem_list& problems) {
  const auto& s = the_schema();
  if (auto defect = s.defect(); !defect.empty())
    return protocol::make_error(protocol::errc::invalid_argument,
                                "the embedded configuration schema is invalid: " + defect);
  auto tree = s.defaults();
  if (input != nullptr) {
    if (input->is_object())
      overlay(s, s.root(), *input, tree, "", origin, problems);
    else
      problems.add(origin, "configuration must be a JSON object of sections, got " + describe_value(*input));
  }
  for (const auto& text : overrides)
    apply_override(s, text, tree, problems);
  check_relations(tree, problems);
  if (!problems.empty())
    return problems.to_error();
  return tree;
}

std::optional<std::string> read_text_file(const std::string& path, std::string& why) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    why = "is a directory";
    return std::nullopt;
  }
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    why = "read error";
    return std::nullopt;
  }
  return std::move(text).str();
}

}  // namespace

caf::expected<nlohmann::json> load_settings(std::string_view file_path,
                                            const std::vector<std::string>& overrides) {
  problem_list problems;
  if (file_path.empty())
    return settle(nullptr, "", overrides, problems);
  const std::string origin{file_path};
  std::string why;
  std::optional<json> tree;
  if (auto text = read_text_file(origin, why))
    tree = parse_config(*text, origin, problems);
  else
    problems.add(origin, "cannot read configuration file: " + why);
  // Still apply the overrides, so their problems are reported in the same message.
  return settle(tree ? &*tree : nullptr, origin, overrides, problems);
}

caf::expected<nlohmann::json> load_settings_from_text(std::string_view json_text,
                                                      const std::vector<std::string>& overrides) {
  problem_list problems;
  auto tree = parse_config(json_text, "", problems);
  return settle(tree ? &*tree : nullptr, "", overrides, problems);
}

caf::expected<nlohmann::json> validate_settings(const nlohmann::json& tree,
                                                const std::vector<std::string>& overrides) {
  problem_list problems;
  return settle(&tree, "", overrides, problems);
}

std::string describe_schema() {
  const auto& s = the_schema();
  if (auto defect = s.defect(); !defect.empty())
    return "the embedded configuration schema is invalid: " + defect + "\n";
  struct row {
    std::string key, type, value, constraint, doc;
  };
  std::vector<row> rows;
  size_t widths[4] = {0, 0, 0, 0};
  for (const auto& [key, leaf] : s.leaves()) {
    row r{key, type_label(leaf->at("type").get<std::string>()),
          json(leaf->at("default")).dump(), "", leaf->at("doc").get<std::string>()};
    if (leaf->contains("enum"))
      r.constraint = "one of " + enum_list(leaf->at("enum"));
    auto min = leaf->find("min");
    auto max = leaf->find("max");
    if (min != leaf->end() && max != leaf->end())
      r.constraint = "range [" + min->dump() + ", " + max->dump() + "]";
    else if (min != leaf->end())
      r.constraint = ">= " + min->dump();
    else if (max != leaf->end())
      r.constraint = "<= " + max->dump();
    size_t sizes[4] = {r.key.size(), r.type.size(), r.value.size(), r.constraint.size()};
    for (int i = 0; i < 4; ++i)
      widths[i] = std::max(widths[i], sizes[i]);
    rows.push_back(std::move(r));
  }
  auto pad = [](const std::string& text, size_t width) {
    return text + std::string(width - text.size() + 2, ' ');
  };
  std::string out;
  for (const auto& r : rows) {
    out += pad(r.key, widths[0]) + pad(r.type, widths[1]);
    // Long defaults (the agent list) would push every doc far right; they stay unpadded.
    out += r.value.size() > 24 ? r.value + "  " : pad(r.value, std::min<size_t>(widths[2], 24));
    out += r.constraint.empty() ? "" : r.constraint + "  ";
    out += r.doc + "\n";
  }
  return out;
}

}  // namespace cartmate::config
