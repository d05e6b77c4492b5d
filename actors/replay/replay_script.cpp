// replay_script.cpp — strict parsing of replay scripts: a typo in an expectation is an error,
// never a silently skipped check.
#include "actors/replay/replay_script.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include <caf/message.hpp>
#include <nlohmann/json.hpp>

#include "adapters/nlu/language_understanding.hpp"
#include "protocol/agent_kind.hpp"
#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"

namespace cartmate::replay {

namespace {

using nlohmann::json;

// Helpers answer with a value or with what is wrong, by key path; parse_script prefixes the
// file and line. The detail is carried as the error's context (see protocol::make_error).
caf::error fail(const std::string& what) {
  return protocol::make_error(protocol::errc::invalid_argument, what);
}

// The reason make_error() was given, without the code name describe() would add.
std::string reason_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.match_elements<std::string>())
    return ctx.get_as<std::string>(0);
  return protocol::describe(err);
}

caf::error only_keys(const json& obj, const std::string& where,
                     std::initializer_list<const char*> keys) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (auto* k : keys)
      known = known || it.key() == k;
    if (!known) {
      std::string list;
      for (auto* k : keys)
        list += (list.empty() ? "" : ", ") + std::string{k};
      return fail("unknown key '" + where + it.key() + "' (known: " + list + ")");
    }
  }
  return {};
}

caf::expected<std::string> get_string(const json& v, const std::string& key) {
  if (!v.is_string())
    return fail("'" + key + "' must be a string");
  return v.get<std::string>();
}

caf::expected<bool> get_bool(const json& v, const std::string& key) {
  if (!v.is_boolean())
    return fail("'" + key + "' must be true or false");
  return v.get<bool>();
}

caf::expected<int64_t> get_count(const json& v, const std::string& key) {
  if (!v.is_number_integer() || v.get<int64_t>() < 0)
    return fail("'" + key + "' must be a non-negative integer");
  return v.get<int64_t>();
}

// A string or an array of strings.
caf::expected<std::vector<std::string>> get_strings(const json& v, const std::string& key) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (auto& x : v) {
      auto s = get_string(x, key + "[]");
      if (!s)
        return std::move(s.error());
      out.push_back(std::move(*s));
    }
  } else {
    return fail("'" + key + "' must be a string or an array of strings");
  }
  if (out.empty())
    return fail("'" + key + "' must not be empty");
  return out;
}

caf::expected<int64_t> get_price(const json& v, const std::string& key, const std::string& currency) {
  if (!v.is_number() || v.get<double>() < 0)
    return fail("'" + key + "' must be a non-negative amount in " + currency + " (major units)");
  return std::llround(v.get<double>() * std::pow(10.0, protocol::minor_digits(currency)));
}

// Reads `v` with `get` into `slot` (an optional or a plain value); the error when it fails.
template <class Slot, class Get>
caf::error read_into(Slot& slot, Get&& get) {
  auto v = get();
  if (!v)
    return std::move(v.error());
  slot = std::move(*v);
  return {};
}

template <class T>
caf::expected<T> narrow(caf::expected<int64_t> v) {
  if (!v)
    return std::move(v.error());
  return static_cast<T>(*v);
}

caf::expected<product_expectation> parse_products(const json& p, const std::string& currency) {
  if (!p.is_object())
    return fail("'expect.products' must be an object");
  if (auto err = only_keys(p, "expect.products.",
                           {"min", "max", "min_price", "max_price", "colour", "color",
                            "product_type", "gender", "brand", "title_contains", "in_stock", "new",
                            "cheaper_than_previous"}))
    return err;
  product_expectation out;
  for (auto it = p.begin(); it != p.end(); ++it) {
    const auto& k = it.key();
    auto key = "expect.products." + k;
    const json& v = *it;
    caf::error err;
    if (k == "min")
      err = read_into(out.min, [&] { return narrow<size_t>(get_count(v, key)); });
    else if (k == "max")
      err = read_into(out.max, [&] { return narrow<size_t>(get_count(v, key)); });
    else if (k == "min_price")
      err = read_into(out.min_price_minor, [&] { return get_price(v, key, currency); });
    else if (k == "max_price")
      err = read_into(out.max_price_minor, [&] { return get_price(v, key, currency); });
    else if (k == "colour" || k == "color")
      err = read_into(out.colour, [&] { return get_strings(v, key); });
    else if (k == "product_type")
      err = read_into(out.product_type, [&] { return get_strings(v, key); });
    else if (k == "gender")
      err = read_into(out.gender, [&] { return get_strings(v, key); });
    else if (k == "brand")
      err = read_into(out.brand, [&] { return get_strings(v, key); });
    else if (k == "title_contains")
      err = read_into(out.title_contains, [&] { return get_strings(v, key); });
    else if (k == "in_stock")
      err = read_into(out.in_stock, [&] { return get_bool(v, key); });
    else if (k == "new")
      err = read_into(out.new_results, [&] { return get_bool(v, key); });
    else if (k == "cheaper_than_previous")
      err = read_into(out.cheaper_than_previous, [&] { return get_bool(v, key); });
    if (err)
      return err;
  }
  if (out.min && out.max && *out.min > *out.max)
    return fail("'expect.products.min' is greater than 'max'");
  return out;
}

caf::expected<cart_expectation> parse_cart(const json& c) {
  if (!c.is_object())
    return fail("'expect.cart' must be an object");
  if (auto err = only_keys(c, "expect.cart.",
                           {"items", "lines", "empty", "contains", "quantity_of_first"}))
    return err;
  cart_expectation out;
  for (auto it = c.begin(); it != c.end(); ++it) {
    const auto& k = it.key();
    auto key = "expect.cart." + k;
    const json& v = *it;
    caf::error err;
    if (k == "items")
      err = read_into(out.items, [&] { return narrow<int32_t>(get_count(v, key)); });
    else if (k == "lines")
      err = read_into(out.lines, [&] { return narrow<size_t>(get_count(v, key)); });
    else if (k == "empty")
      err = read_into(out.empty, [&] { return get_bool(v, key); });
    else if (k == "contains")
      err = read_into(out.contains, [&] { return get_strings(v, key); });
    else if (k == "quantity_of_first")
      err = read_into(out.quantity_of_first, [&] { return narrow<int32_t>(get_count(v, key)); });
    if (err)
      return err;
  }
  return out;
}

caf::expected<std::vector<std::string>> parse_intents(const json& v, const std::string& key) {
  auto names = get_strings(v, key);
  if (!names)
    return names;
  for (auto& n : *names)
    if (!nlu::intent_from_string(n))
      return fail("unknown intent '" + n + "' in '" + key + "'");
  return names;
}

caf::expected<std::vector<std::string>> parse_agents(const json& v, const std::string& key) {
  auto names = get_strings(v, key);
  if (!names)
    return names;
  for (auto& n : *names)
    if (!protocol::agent_kind_from_string(n))
      return fail("unknown agent '" + n + "' in '" + key + "'");
  return names;
}

caf::expected<turn_expectations> parse_expect(const json& e, const std::string& currency) {
  if (!e.is_object())
    return fail("'expect' must be an object");
  if (auto err = only_keys(e, "expect.",
                           {"intent", "intents", "agents", "no_agents", "products", "cart",
                            "confirmation_asked", "order_placed", "degraded", "error",
                            "reply_contains", "reply_not_contains"}))
    return err;
  turn_expectations out;
  for (auto it = e.begin(); it != e.end(); ++it) {
    const auto& k = it.key();
    auto key = "expect." + k;
    const json& v = *it;
    caf::error err;
    if (k == "intent" || k == "intents")
      err = read_into(out.intents, [&] { return parse_intents(v, key); });
    else if (k == "agents")
      err = read_into(out.agents, [&] { return parse_agents(v, key); });
    else if (k == "no_agents")
      err = read_into(out.no_agents, [&] { return parse_agents(v, key); });
    else if (k == "products")
      err = read_into(out.products, [&] { return parse_products(v, currency); });
    else if (k == "cart")
      err = read_into(out.cart, [&] { return parse_cart(v); });
    else if (k == "confirmation_asked")
      err = read_into(out.confirmation_asked, [&] { return get_bool(v, key); });
    else if (k == "order_placed")
      err = read_into(out.order_placed, [&] { return get_bool(v, key); });
    else if (k == "degraded")
      err = read_into(out.degraded, [&] { return get_bool(v, key); });
    else if (k == "error")
      err = read_into(out.error, [&] { return get_bool(v, key); });
    else if (k == "reply_contains")
      err = read_into(out.reply_contains, [&] { return get_strings(v, key); });
    else if (k == "reply_not_contains")
      err = read_into(out.reply_not_contains, [&] { return get_strings(v, key); });
    if (err)
      return err;
  }
  return out;
}

caf::error parse_header(const json& h, conversation_script& out) {
  if (auto err = only_keys(h, "", {"conversation", "tenant", "user", "currency", "description"}))
    return err;
  for (auto it = h.begin(); it != h.end(); ++it) {
    const auto& k = it.key();
    const json& v = *it;
    caf::error err;
    if (k == "conversation")
      err = read_into(out.name, [&] { return get_string(v, k); });
    else if (k == "tenant")
      err = read_into(out.tenant, [&] { return get_string(v, k); });
    else if (k == "user")
      err = read_into(out.user, [&] { return get_string(v, k); });
    else if (k == "currency")
      err = read_into(out.currency, [&] { return get_string(v, k); });
    if (err)
      return err;
  }
  if (out.tenant.empty() || out.user.empty())
    return fail("'tenant' and 'user' must not be empty");
  return {};
}

caf::expected<script_turn> parse_turn(const json& t, size_t line, const std::string& currency,
                                      const std::string& file_name) {
  if (auto err = only_keys(t, "", {"user", "input", "ref", "image", "expect", "note"}))
    return err;
  script_turn out;
  out.line = line;
  if (auto it = t.find("user"); it != t.end())
    if (auto err = read_into(out.text, [&] { return get_string(*it, "user"); }))
      return err;
  if (auto it = t.find("input"); it != t.end()) {
    auto name = get_string(*it, "input");
    if (!name)
      return std::move(name.error());
    auto input = turn_input_from_string(*name);
    if (!input)
      return fail("unknown input '" + *name + "' (message, confirm, cancel, like, dislike, image)");
    out.input = *input;
  }
  if (auto it = t.find("image"); it != t.end()) {
    if (t.contains("input") && out.input != protocol::turn_input::image)
      return fail("'image' goes with input 'image' (or no 'input' at all)");
    if (auto err = read_into(out.image_path, [&] { return get_string(*it, "image"); }))
      return err;
    if (out.image_path.empty())
      return fail("'image' must name a PNG or JPEG file");
    out.input = protocol::turn_input::image;
    if (auto err = read_into(out.image, [&] { return read_image_file(out.image_path, file_name); }))
      return err;
    if (out.text.empty())
      out.text = "[image " + out.image_path + "]";   // what the transcript and history show
  } else if (out.input == protocol::turn_input::image) {
    return fail("an image turn needs 'image': the path of a PNG or JPEG file");
  }
  if (auto it = t.find("ref"); it != t.end())
    if (auto err = read_into(out.product_ref, [&] { return get_string(*it, "ref"); }))
      return err;
  if (out.input == protocol::turn_input::message && out.text.empty())
    return fail("a message turn needs a non-empty 'user' text");
  bool rates = out.input == protocol::turn_input::like
               || out.input == protocol::turn_input::dislike;
  if (rates && out.product_ref.empty())
    out.product_ref = out.text;
  if (rates && out.product_ref.empty())
    return fail("a like/dislike turn needs 'ref' (a product id or \"the second one\") or 'user' text");
  if (auto it = t.find("expect"); it != t.end())
    if (auto err = read_into(out.expect, [&] { return parse_expect(*it, currency); }))
      return err;
  return out;
}

// One non-blank, non-comment line: the header (first content line only) or a turn.
caf::error parse_line(std::string_view line, size_t line_no, bool first_content,
                      conversation_script& out) {
  auto parsed = protocol::parse_json(line);
  if (!parsed)
    return fail(protocol::describe(parsed.error()));
  if (!parsed->is_object())
    return fail("expected a JSON object");
  if (first_content && parsed->contains("conversation"))
    return parse_header(*parsed, out);
  if (parsed->contains("conversation"))
    return fail("'conversation' is only allowed on the first line");
  auto turn = parse_turn(*parsed, line_no, out.currency, out.file);
  if (!turn)
    return std::move(turn.error());
  out.turns.push_back(std::move(*turn));
  return {};
}

std::string stem_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  auto base = slash == std::string::npos ? path : path.substr(slash + 1);
  auto dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

}  // namespace

bool turn_expectations::empty() const {
  return intents.empty() && agents.empty() && no_agents.empty() && !products && !cart
         && !confirmation_asked && !order_placed && !degraded && !error && reply_contains.empty()
         && reply_not_contains.empty();
}

caf::expected<std::vector<uint8_t>> read_image_file(const std::string& path,
                                                    const std::string& script_file) {
  namespace fs = std::filesystem;
  fs::path resolved{path};
  if (resolved.is_relative())
    resolved = fs::path{script_file}.parent_path() / resolved;
  std::ifstream in{resolved, std::ios::binary};
  if (!in)
    return fail("cannot read image '" + path + "' (" + resolved.string() + ")");
  std::vector<uint8_t> bytes{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  if (in.bad())
    return fail("cannot read image '" + path + "' (" + resolved.string() + ")");
  if (bytes.empty())
    return fail("image '" + path + "' (" + resolved.string() + ") is empty");
  return bytes;
}

std::optional<protocol::turn_input> turn_input_from_string(std::string_view name) {
  using protocol::turn_input;
  for (auto x : {turn_input::message, turn_input::confirm, turn_input::cancel, turn_input::like,
                 turn_input::dislike, turn_input::image})
    if (to_string(x) == name)
      return x;
  return std::nullopt;
}

std::string_view to_string(protocol::turn_input input) {
  switch (input) {
    case protocol::turn_input::message: return "message";
    case protocol::turn_input::confirm: return "confirm";
    case protocol::turn_input::cancel: return "cancel";
    case protocol::turn_input::like: return "like";
    case protocol::turn_input::dislike: return "dislike";
    case protocol::turn_input::image: return "image";
  }
  return "message";
}

caf::expected<conversation_script> parse_script(std::string_view text,
                                                const std::string& file_name) {
  conversation_script out;
  out.file = file_name;
  out.name = stem_of(file_name);
  size_t line_no = 0;
  size_t pos = 0;
  bool seen_content = false;
  auto at_line = [&](const std::string& reason) {
    return protocol::make_error(protocol::errc::invalid_argument,
                                file_name + ":" + std::to_string(line_no) + ": " + reason);
  };
  while (pos <= text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos)
      end = text.size();
    auto line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#')
      continue;  // blank lines and '#' comments
    caf::error err;
    try {
      err = parse_line(line, line_no, !seen_content, out);
    } catch (const nlohmann::json::exception& e) {
      // nlohmann throws on accesses the checks above should already rule out; this is its edge.
      return at_line(e.what());
    }
    if (err)
      return at_line(reason_of(err));
    seen_content = true;
  }
  if (out.turns.empty())
    return protocol::make_error(protocol::errc::invalid_argument,
                                file_name + ": the script has no turns");
  return out;
}

caf::expected<conversation_script> load_script(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return protocol::make_error(protocol::errc::not_found, path + ": cannot open the script");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_script(buf.str(), path);
}

}  // namespace cartmate::replay
