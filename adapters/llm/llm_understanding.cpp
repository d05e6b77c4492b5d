// llm_understanding.cpp — the request and the strict tool-call mapping; see the header. The
// mapping trusts nothing the model wrote: names, types and ranges are all checked here.
#include "adapters/llm/llm_understanding.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::llm {

namespace {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

constexpr size_t max_text_value = 200;
constexpr int64_t max_money_minor = int64_t{1'000'000'000'000};   // 10^10 in major units

caf::error invalid(const std::string& tool, const std::string& what) {
  return make_error(errc::invalid_argument, "tool call '" + tool + "': " + what);
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The catalog spells colours and genders in Title Case ("Navy Blue", "Women").
std::string title_case(std::string s) {
  bool start = true;
  for (auto& ch : s) {
    auto c = static_cast<unsigned char>(ch);
    ch = static_cast<char>(start ? std::toupper(c) : std::tolower(c));
    start = c == ' ' || c == '-';
  }
  return s;
}

// Reads one argument into the step's slots. Returns an error text, empty when fine.
struct slot_reader {
  const std::string& tool;
  nlu::slot_values& slots;

  caf::error text(const std::string& key, const json& v, std::optional<std::string>& out,
                  std::string (*normalise)(std::string) = nullptr) {
    if (!v.is_string())
      return invalid(tool, key + " must be a string");
    auto s = trim(v.get<std::string>());
    if (s.size() > max_text_value)
      return invalid(tool, key + " is longer than " + std::to_string(max_text_value) + " bytes");
    if (s.empty())
      return {};   // "" means "not said"
    out = normalise != nullptr ? normalise(std::move(s)) : std::move(s);
    return {};
  }

  caf::error integer(const std::string& key, const json& v, int64_t min, int64_t max,
                     std::optional<int64_t>& out) {
    int64_t x = 0;
    if (v.is_number_integer()) {
      constexpr auto top = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
      if (v.is_number_unsigned() && v.get<uint64_t>() > top)
        return invalid(tool, key + " is out of range");
      x = v.get<int64_t>();
    } else if (v.is_number_float()) {
      auto d = v.get<double>();
      if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9e15)
        return invalid(tool, key + " must be a whole number");
      x = static_cast<int64_t>(d);
    } else {
      return invalid(tool, key + " must be an integer");
    }
    if (x < min || x > max)
      return invalid(tool, key + " must be between " + std::to_string(min) + " and "
                             + std::to_string(max) + " (got " + std::to_string(x) + ")");
    out = x;
    return {};
  }

  caf::error boolean(const std::string& key, const json& v, bool& out) {
    if (!v.is_boolean())
      return invalid(tool, key + " must be true or false");
    out = v.get<bool>();
    return {};
  }

  caf::error reference(const json& v) {
    if (!v.is_object())
      return invalid(tool, "ref must be an object {kind, index}");
    nlu::reference r;
    auto kind = v.find("kind");
    if (kind == v.end() || !kind->is_string())
      return invalid(tool, "ref.kind must be a string");
    static const std::pair<const char*, nlu::reference_kind> kinds[] = {
      {"ordinal", nlu::reference_kind::ordinal},
      {"cheapest", nlu::reference_kind::cheapest},
      {"most_expensive", nlu::reference_kind::most_expensive},
      {"last_mentioned", nlu::reference_kind::last_mentioned},
      {"all", nlu::reference_kind::all},
      {"by_attributes", nlu::reference_kind::by_attributes},
    };
    auto name = kind->get<std::string>();
    auto it = std::find_if(std::begin(kinds), std::end(kinds),
                           [&](const auto& k) { return name == k.first; });
    if (it == std::end(kinds))
      return invalid(tool, "ref.kind '" + name + "' is unknown");
    r.kind = it->second;
    for (const auto& [key, value] : v.items())
      if (key != "kind" && key != "index")
        return invalid(tool, "ref." + key + " is not an argument");
    auto index = v.find("index");
    if (r.kind == nlu::reference_kind::ordinal) {
      if (index == v.end())
        return invalid(tool, "ref.index is required for an ordinal reference");
      std::optional<int64_t> i;
      if (auto err = integer("ref.index", *index, -100, 100, i))
        return err;
      if (*i == 0)
        return invalid(tool, "ref.index must not be 0 (1 is the first, -1 the last)");
      r.index = static_cast<int32_t>(*i);
    } else if (index != v.end() && !index->is_null()) {
      return invalid(tool, "ref.index only goes with an ordinal reference");
    }
    slots.ref = r;
    return {};
  }

  caf::error read(const std::string& key, const json& v) {
    if (v.is_null())
      return {};   // models send null for "not said"
    static std::string (*const lower)(std::string) = &lowered;
    static std::string (*const title)(std::string) = &title_case;
    if (key == "product_type")
      return text(key, v, slots.product_type, lower);
    if (key == "colour")
      return text(key, v, slots.colour, title);
    if (key == "exclude_colour")
      return text(key, v, slots.exclude_colour, title);
    if (key == "brand")
      return text(key, v, slots.brand);
    if (key == "gender")
      return text(key, v, slots.gender, title);
    if (key == "size")
      return text(key, v, slots.size);
    if (key == "preference_value")
      return text(key, v, slots.preference_value);
    if (key == "query") {
      std::optional<std::string> q;
      if (auto err = text(key, v, q))
        return err;
      slots.query = q.value_or("");
      return {};
    }
    if (key == "min_price_minor")
      return integer(key, v, 0, max_money_minor, slots.min_price_minor);
    if (key == "max_price_minor")
      return integer(key, v, 0, max_money_minor, slots.max_price_minor);
    if (key == "alert_threshold_minor")
      return integer(key, v, 1, max_money_minor, slots.alert_threshold_minor);
    if (key == "quantity")
      return integer(key, v, 0, std::numeric_limits<int64_t>::max(), slots.quantity);
    if (key == "alert_drop_percent") {
      std::optional<int64_t> p;
      if (auto err = integer(key, v, 1, 99, p))
        return err;
      slots.alert_drop_percent = static_cast<int32_t>(*p);
      return {};
    }
    if (key == "similar")
      return boolean(key, v, slots.similar);
    if (key == "alert_back_in_stock")
      return boolean(key, v, slots.alert_back_in_stock);
    if (key == "direction") {
      if (v == "cheaper")
        slots.direction = nlu::price_direction::cheaper;
      else if (v == "pricier")
        slots.direction = nlu::price_direction::pricier;
      else
        return invalid(tool, "direction must be \"cheaper\" or \"pricier\"");
      return {};
    }
    if (key == "preference_key") {
      static const char* keys[] = {"size",  "budget",       "colour",       "brand",
                                   "product_type", "gender", "avoid_colour", "avoid_brand",
                                   "avoid_product_type"};
      if (!v.is_string()
          || std::none_of(std::begin(keys), std::end(keys),
                          [&](const char* k) { return v.get<std::string>() == k; }))
        return invalid(tool, "preference_key must be one of size, budget, colour, brand, "
                             "product_type, gender, avoid_colour, avoid_brand, avoid_product_type");
      slots.preference_key = v.get<std::string>();
      return {};
    }
    if (key == "ref")
      return reference(v);
    return invalid(tool, "'" + key + "' is not an argument");
  }
};

std::string hint_lines(const nlu::dialogue_hints& hints) {
  std::string out;
  out += "Results on screen: " + std::to_string(hints.results_on_screen) + "\n";
  out += std::string{"A checkout is waiting for the shopper's yes or no: "}
         + (hints.pending_confirmation ? "yes" : "no") + "\n";
  if (hints.awaiting_clarification)
    out += "The assistant just asked which item the shopper means.\n";
  return out;
}

}  // namespace

chat_request understanding_request(const llm_prompts& prompts, std::string_view text,
                                   const nlu::dialogue_hints& hints, double temperature,
                                   std::chrono::steady_clock::time_point deadline) {
  chat_request req;
  req.messages.push_back({"system", prompts.understanding_prompt});
  req.messages.push_back({"user", hint_lines(hints) + "Shopper: " + std::string{text}});
  req.tools_json = prompts.tools_json;
  req.tool_choice = "auto";
  req.temperature = temperature;
  req.deadline = deadline;
  return req;
}

caf::expected<nlu::step> step_from_tool_call(const tool_call& call,
                                             const std::vector<std::string>& offered) {
  if (std::find(offered.begin(), offered.end(), call.name) == offered.end())
    return invalid(call.name, "no such tool was offered");
  auto act = nlu::intent_from_string(call.name);
  if (!act || *act == nlu::intent::unknown)
    return invalid(call.name, "not one of CartMate's intents");
  auto args = json::parse(call.arguments.empty() ? std::string{"{}"} : call.arguments, nullptr,
                          false);
  if (args.is_discarded())
    return invalid(call.name, "the arguments are not JSON");
  if (!args.is_object())
    return invalid(call.name, "the arguments are not a JSON object");
  nlu::step out;
  out.act = *act;
  slot_reader reader{call.name, out.slots};
  for (const auto& [key, value] : args.items())
    if (auto err = reader.read(key, value))
      return err;
  const auto& s = out.slots;
  if (s.min_price_minor && s.max_price_minor && *s.min_price_minor > *s.max_price_minor)
    return invalid(call.name, "min_price_minor is above max_price_minor");
  if (s.preference_value && !s.preference_key)
    return invalid(call.name, "preference_value needs a preference_key");
  return out;
}

caf::expected<nlu::understanding>
understanding_from_reply(const chat_reply& reply, const std::vector<std::string>& offered) {
  if (reply.tool_calls.empty())
    return make_error(errc::invalid_argument, "the model called no tool");
  if (reply.tool_calls.size() > max_plan_steps)
    return make_error(errc::invalid_argument, "the model called "
                                                + std::to_string(reply.tool_calls.size())
                                                + " tools (at most "
                                                + std::to_string(max_plan_steps) + ")");
  nlu::understanding out;
  for (const auto& call : reply.tool_calls) {
    auto step = step_from_tool_call(call, offered);
    if (!step)
      return std::move(step.error());
    out.steps.push_back(std::move(*step));
  }
  return out;
}

llm_understanding::llm_understanding(std::shared_ptr<chat_client> client, llm_prompts prompts,
                                     double temperature)
  : client_(std::move(client)), prompts_(std::move(prompts)), temperature_(temperature) {
  // nop
}

void llm_understanding::understand(std::string_view text, const nlu::dialogue_hints& hints,
                                   std::chrono::steady_clock::time_point deadline,
                                   done_fn done) const {
  auto req = understanding_request(prompts_, text, hints, temperature_, deadline);
  client_->complete(std::move(req), [offered = prompts_.tool_names,
                                     done = std::move(done)](caf::expected<chat_reply> r) {
    if (!r)
      return done(std::move(r.error()));
    done(understanding_from_reply(*r, offered));
  });
}

}  // namespace cartmate::llm
