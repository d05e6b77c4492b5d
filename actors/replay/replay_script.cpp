// replay_script.cpp — strict parsing of replay scripts: a typo in an expectation is an error,
// never a silently skipped check.
#include "actors/replay/replay_script.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/nlu/language_understanding.hpp"
#include "protocol/agent_kind.hpp"
#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"

namespace cartmate::replay {

namespace {

using nlohmann::json;

// Thrown only inside this file and caught in parse_script, so every helper can bail out
// from deep inside an object with the key path that is wrong.
struct script_error {
  std::string message;
};

[[noreturn]] void fail(const std::string& what) {
  throw script_error{what};
}

void only_keys(const json& obj, const std::string& where, std::initializer_list<const char*> keys) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (auto* k : keys)
      known = known || it.key() == k;
    if (!known) {
      std::string list;
      for (auto* k : keys)
        list += (list.empty() ? "" : ", ") + std::string{k};
      fail("unknown key '" + where + it.key() + "' (known: " + list + ")");
    }
  }
}

std::string get_string(const json& v, const std::string& key) {
  if (!v.is_string())
    fail("'" + key + "' must be a string");
  return v.get<std::string>();
}

bool get_bool(const json& v, const std::string& key) {
  if (!v.is_boolean())
    fail("'" + key + "' must be true or false");
  return v.get<bool>();
}

int64_t get_count(const json& v, const std::string& key) {
  if (!v.is_number_integer() || v.get<int64_t>() < 0)
    fail("'" + key + "' must be a non-negative integer");
  return v.get<int64_t>();
}

// A string or an array of strings.
std::vector<std::string> get_strings(const json& v, const std::string& key) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (auto& x : v)
      out.push_back(get_string(x, key + "[]"));
  } else {
    fail("'" + key + "' must be a string or an array of strings");
  }
  if (out.empty())
    fail("'" + key + "' must not be empty");
  return out;
}

int64_t get_price(const json& v, const std::string& key, const std::string& currency) {
  if (!v.is_number() || v.get<double>() < 0)
    fail("'" + key + "' must be a non-negative amount in " + currency + " (major units)");
  return std::llround(v.get<double>() * std::pow(10.0, protocol::minor_digits(currency)));
}

product_expectation parse_products(const json& p, const std::string& currency) {
  if (!p.is_object())
    fail("'expect.products' must be an object");
  only_keys(p, "expect.products.",
            {"min", "max", "min_price", "max_price", "colour", "color", "product_type", "gender",
             "brand", "title_contains", "in_stock", "new", "cheaper_than_previous"});
  product_expectation out;
  for (auto it = p.begin(); it != p.end(); ++it) {
    const auto& k = it.key();
    auto key = "expect.products." + k;
    if (k == "min")
      out.min = static_cast<size_t>(get_count(*it, key));
    else if (k == "max")
      out.max = static_cast<size_t>(get_count(*it, key));
    else if (k == "min_price")
      out.min_price_minor = get_price(*it, key, currency);
    else if (k == "max_price")
      out.max_price_minor = get_price(*it, key, currency);
    else if (k == "colour" || k == "color")
      out.colour = get_strings(*it, key);
    else if (k == "product_type")
      out.product_type = get_strings(*it, key);
    else if (k == "gender")
      out.gender = get_strings(*it, key);
    else if (k == "brand")
      out.brand = get_strings(*it, key);
    else if (k == "title_contains")
      out.title_contains = get_strings(*it, key);
    else if (k == "in_stock")
      out.in_stock = get_bool(*it, key);
    else if (k == "new")
      out.new_results = get_bool(*it, key);
    else if (k == "cheaper_than_previous")
      out.cheaper_than_previous = get_bool(*it, key);
  }
  if (out.min && out.max && *out.min > *out.max)
    fail("'expect.products.min' is greater than 'max'");
  return out;
}

cart_expectation parse_cart(const json& c) {
  if (!c.is_object())
    fail("'expect.cart' must be an object");
  only_keys(c, "expect.cart.", {"items", "lines", "empty", "contains", "quantity_of_first"});
  cart_expectation out;
  for (auto it = c.begin(); it != c.end(); ++it) {
    const auto& k = it.key();
    auto key = "expect.cart." + k;
    if (k == "items")
      out.items = static_cast<int32_t>(get_count(*it, key));
    else if (k == "lines")
      out.lines = static_cast<size_t>(get_count(*it, key));
    else if (k == "empty")
      out.empty = get_bool(*it, key);
    else if (k == "contains")
      out.contains = get_strings(*it, key);
    else if (k == "quantity_of_first")
      out.quantity_of_first = static_cast<int32_t>(get_count(*it, key));
  }
  return out;
}

std::vector<std::string> parse_intents(const json& v, const std::string& key) {
  auto names = get_strings(v, key);
  for (auto& n : names)
    if (!nlu::intent_from_string(n))
      fail("unknown intent '" + n + "' in '" + key + "'");
  return names;
}

std::vector<std::string> parse_agents(const json& v, const std::string& key) {
  auto names = get_strings(v, key);
  for (auto& n : names)
    if (!protocol::agent_kind_from_string(n))
      fail("unknown agent '" + n + "' in '" + key + "'");
  return names;
}

turn_expectations parse_expect(const json& e, const std::string& currency) {
  if (!e.is_object())
    fail("'expect' must be an object");
  only_keys(e, "expect.",
            {"intent", "intents", "agents", "no_agents", "products", "cart", "confirmation_asked",
             "order_placed", "degraded", "error", "reply_contains", "reply_not_contains"});
  turn_expectations out;
  for (auto it = e.begin(); it != e.end(); ++it) {
    const auto& k = it.key();
    auto key = "expect." + k;
    if (k == "intent" || k == "intents")
      out.intents = parse_intents(*it, key);
    else if (k == "agents")
      out.agents = parse_agents(*it, key);
    else if (k == "no_agents")
      out.no_agents = parse_agents(*it, key);
    else if (k == "products")
      out.products = parse_products(*it, currency);
    else if (k == "cart")
      out.cart = parse_cart(*it);
    else if (k == "confirmation_asked")
      out.confirmation_asked = get_bool(*it, key);
    else if (k == "order_placed")
      out.order_placed = get_bool(*it, key);
    else if (k == "degraded")
      out.degraded = get_bool(*it, key);
    else if (k == "error")
      out.error = get_bool(*it, key);
    else if (k == "reply_contains")
      out.reply_contains = get_strings(*it, key);
    else if (k == "reply_not_contains")
      out.reply_not_contains = get_strings(*it, key);
  }
  return out;
}

void parse_header(const json& h, conversation_script& out) {
  only_keys(h, "", {"conversation", "tenant", "user", "currency", "description"});
  for (auto it = h.begin(); it != h.end(); ++it) {
    const auto& k = it.key();
    if (k == "conversation")
      out.name = get_string(*it, k);
    else if (k == "tenant")
      out.tenant = get_string(*it, k);
    else if (k == "user")
      out.user = get_string(*it, k);
    else if (k == "currency")
      out.currency = get_string(*it, k);
  }
  if (out.tenant.empty() || out.user.empty())
    fail("'tenant' and 'user' must not be empty");
}

script_turn parse_turn(const json& t, size_t line, const std::string& currency) {
  only_keys(t, "", {"user", "input", "ref", "expect", "note"});
  script_turn out;
  out.line = line;
  if (auto it = t.find("user"); it != t.end())
    out.text = get_string(*it, "user");
  if (auto it = t.find("input"); it != t.end()) {
    auto name = get_string(*it, "input");
    auto input = turn_input_from_string(name);
    if (!input || *input == protocol::turn_input::image)
      fail("unknown input '" + name + "' (message, confirm, cancel, like, dislike)");
    out.input = *input;
  }
  if (auto it = t.find("ref"); it != t.end())
    out.product_ref = get_string(*it, "ref");
  if (out.input == protocol::turn_input::message && out.text.empty())
    fail("a message turn needs a non-empty 'user' text");
  bool rates = out.input == protocol::turn_input::like
               || out.input == protocol::turn_input::dislike;
  if (rates && out.product_ref.empty())
    out.product_ref = out.text;
  if (rates && out.product_ref.empty())
    fail("a like/dislike turn needs 'ref' (a product id or \"the second one\") or 'user' text");
  if (auto it = t.find("expect"); it != t.end())
    out.expect = parse_expect(*it, currency);
  return out;
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
  try {
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
      auto parsed = protocol::parse_json(line);
      if (!parsed)
        fail(protocol::describe(parsed.error()));
      if (!parsed->is_object())
        fail("expected a JSON object");
      if (!seen_content && parsed->contains("conversation")) {
        parse_header(*parsed, out);
      } else {
        if (parsed->contains("conversation"))
          fail("'conversation' is only allowed on the first line");
        out.turns.push_back(parse_turn(*parsed, line_no, out.currency));
      }
      seen_content = true;
    }
  } catch (const script_error& e) {
    return protocol::make_error(protocol::errc::invalid_argument,
                                file_name + ":" + std::to_string(line_no) + ": " + e.message);
  } catch (const nlohmann::json::exception& e) {
    return protocol::make_error(protocol::errc::invalid_argument,
                                file_name + ":" + std::to_string(line_no) + ": " + e.what());
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
