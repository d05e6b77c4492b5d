// json_codec.cpp — encoders and path-tracking decoders of the public JSON shapes.
// Threading: no shared state; every decode keeps its state on the caller's stack.
#include "protocol/json_codec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::protocol {

namespace {

using json = nlohmann::json;

// -- event names -------------------------------------------------------------------------------

// In the order of orchestrator_event's alternatives.
constexpr std::string_view event_names[] = {
  "thinking", "delegation", "products", "cart", "partial", "final", "notification", "error",
  "comparison",
};
static_assert(std::size(event_names) == std::variant_size_v<orchestrator_event>);

template <class Event, size_t I = 0>
constexpr size_t event_index() {
  if constexpr (std::is_same_v<Event, std::variant_alternative_t<I, orchestrator_event>>)
    return I;
  else
    return event_index<Event, I + 1>();
}

template <class Event>
constexpr std::string_view wire_type = event_names[event_index<Event>()];

// -- where a value sits in the document --------------------------------------------------------

// One step from the root to the value being read. Lives on the stack of the read that walks
// into the value and is rendered only when something fails, so a successful decode builds no
// strings.
struct path {
  const path* parent = nullptr;
  const char* key = nullptr;   // nullptr: an array element
  size_t index = 0;

  path child(const char* k) const { return path{this, k, 0}; }
  path element(size_t i) const { return path{this, nullptr, i}; }

  std::string render() const {
    if (parent == nullptr)
      return {};
    auto out = parent->render();
    if (key == nullptr) {
      out += '[';
      out += std::to_string(index);
      out += ']';
    } else {
      if (!out.empty())
        out += '.';
      out += key;
    }
    return out;
  }
};

std::string_view kind_of(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::string: return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    case json::value_t::binary: return "binary";
    case json::value_t::discarded: return "discarded value";
  }
  return "unknown";
}

// Collects the first problem of one decode; once set, the readers stop looking.
class decoder {
public:
  bool failed() const {
    return !message_.empty();
  }

  bool invalid(const path& at, std::string_view what) {
    if (at.parent == nullptr)
      message_ = "top-level value: ";
    else
      message_ = "field '" + at.render() + "': ";
    message_ += what;
    return false;
  }

  bool wrong_type(const path& at, std::string_view expected, const json& got) {
    std::string what = "expected ";
    what += expected;
    what += ", got ";
    what += kind_of(got);
    return invalid(at, what);
  }

  bool missing(const path& at, std::string_view note = {}) {
    message_ = "missing field '" + at.render() + "'";
    message_ += note;
    return false;
  }

  caf::error error() const {
    return make_error(errc::invalid_argument, message_);
  }

private:
  std::string message_;
};

// -- primitive readers -------------------------------------------------------------------------
// Every reader returns false after recording the failure in the decoder.

bool read(decoder& d, const json& j, const path& at, std::string& out) {
  if (!j.is_string())
    return d.wrong_type(at, "string", j);
  out = j.get_ref<const std::string&>();
  return true;
}

bool read(decoder& d, const json& j, const path& at, bool& out) {
  if (!j.is_boolean())
    return d.wrong_type(at, "boolean", j);
  out = j.get<bool>();
  return true;
}

bool read(decoder& d, const json& j, const path& at, float& out) {
  if (!j.is_number())
    return d.wrong_type(at, "number", j);
  auto value = j.get<double>();
  if (std::abs(value) > std::numeric_limits<float>::max())
    return d.invalid(at, "out of range for a float, got " + j.dump());
  out = static_cast<float>(value);
  return true;
}

enum class sign { any, non_negative };

// Integral floats (129900.0, as some JSON writers print every number) count as integers.
template <class Int>
bool read_integer(decoder& d, const json& j, const path& at, Int& out, sign s) {
  static_assert(std::is_integral_v<Int> && sizeof(Int) <= sizeof(int64_t));
  constexpr auto max = static_cast<uint64_t>(std::numeric_limits<Int>::max());
  constexpr auto min = static_cast<int64_t>(std::numeric_limits<Int>::min());
  auto out_of_range = [&] { return d.invalid(at, "out of range, got " + j.dump()); };
  auto negative = [&] { return d.invalid(at, "must not be negative, got " + j.dump()); };
  if (j.is_number_unsigned()) {
    auto value = j.get<uint64_t>();
    if (value > max)
      return out_of_range();
    out = static_cast<Int>(value);
    return true;
  }
  int64_t value = 0;
  if (j.is_number_integer()) {
    value = j.get<int64_t>();
  } else if (j.is_number_float()) {
    auto real = j.get<double>();
    if (std::trunc(real) != real)
      return d.wrong_type(at, "integer", j);
    // 2^63 as a double; anything at or beyond it does not fit in int64_t.
    if (real >= 9223372036854775808.0 || real < -9223372036854775808.0)
      return out_of_range();
    value = static_cast<int64_t>(real);
  } else {
    return d.wrong_type(at, "integer", j);
  }
  if (value < 0 && (s == sign::non_negative || std::is_unsigned_v<Int>))
    return negative();
  if (value < min || (value > 0 && static_cast<uint64_t>(value) > max))
    return out_of_range();
  out = static_cast<Int>(value);
  return true;
}

bool read(decoder& d, const json& j, const path& at, int32_t& out) {
  return read_integer(d, j, at, out, sign::any);
}

bool read(decoder& d, const json& j, const path& at, int64_t& out) {
  return read_integer(d, j, at, out, sign::any);
}

bool read(decoder& d, const json& j, const path& at, uint32_t& out) {
  return read_integer(d, j, at, out, sign::any);
}

bool read(decoder& d, const json& j, const path& at, uint64_t& out) {
  return read_integer(d, j, at, out, sign::any);
}

// Reads an enum spelled as its name; `names` lists every accepted spelling for the message.
template <class Enum, class FromString>
bool read_enum(decoder& d, const json& j, const path& at, Enum& out, FromString from_string,
               std::string_view names) {
  std::string name;
  if (!read(d, j, at, name))
    return false;
  auto value = from_string(name);
  if (!value)
    return d.invalid(at, "unknown value '" + name + "' (expected one of " + std::string{names}
                           + ")");
  out = *value;
  return true;
}

bool read(decoder& d, const json& j, const path& at, alert_condition& out) {
  return read_enum(d, j, at, out, alert_condition_from_string,
                   "price_below, drop_percent, back_in_stock");
}

bool read(decoder& d, const json& j, const path& at, agent_kind& out) {
  static const std::string names = [] {
    std::string out;
    for (auto kind : all_agent_kinds) {
      if (!out.empty())
        out += ", ";
      out += to_string(kind);
    }
    return out;
  }();
  return read_enum(d, j, at, out, agent_kind_from_string, names);
}

// -- composite readers, declared first so the generic ones below can find them ----------------

bool read(decoder& d, const json& j, const path& at, money& out);
bool read(decoder& d, const json& j, const path& at, product& out);
bool read(decoder& d, const json& j, const path& at, search_filters& out);
bool read(decoder& d, const json& j, const path& at, cart_line& out);
bool read(decoder& d, const json& j, const path& at, cart_view& out);
bool read(decoder& d, const json& j, const path& at, order& out);
bool read(decoder& d, const json& j, const path& at, offer& out);
bool read(decoder& d, const json& j, const path& at, price_comparison& out);
bool read(decoder& d, const json& j, const path& at, alert& out);
bool read(decoder& d, const json& j, const path& at, attribute_preference& out);
bool read(decoder& d, const json& j, const path& at, stated_preference& out);
bool read(decoder& d, const json& j, const path& at, style_profile& out);
bool read(decoder& d, const json& j, const path& at, turn_summary& out);
bool read(decoder& d, const json& j, const path& at, thinking_event& out);
bool read(decoder& d, const json& j, const path& at, delegation_event& out);
bool read(decoder& d, const json& j, const path& at, products_event& out);
bool read(decoder& d, const json& j, const path& at, cart_event& out);
bool read(decoder& d, const json& j, const path& at, partial_event& out);
bool read(decoder& d, const json& j, const path& at, final_event& out);
bool read(decoder& d, const json& j, const path& at, notification_event& out);
bool read(decoder& d, const json& j, const path& at, error_event& out);
bool read(decoder& d, const json& j, const path& at, comparison_event& out);

template <class T>
bool read(decoder& d, const json& j, const path& at, std::vector<T>& out) {
  if (!j.is_array())
    return d.wrong_type(at, "array", j);
  out.clear();
  out.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    T value{};
    if (!read(d, j[i], at.element(i), value))
      return false;
    out.push_back(std::move(value));
  }
  return true;
}

// Reads the members of one JSON object; after the first failure every call is a no-op.
class object_reader {
public:
  object_reader(decoder& d, const json& j, const path& at) : d_(d), j_(j), at_(at) {
    if (!j.is_object())
      d_.wrong_type(at, "object", j);
  }

  bool ok() const {
    return !d_.failed();
  }

  /// The member `key`, or nullptr when absent (or when this is not an object).
  const json* find(const char* key) const {
    if (!j_.is_object())
      return nullptr;
    auto i = j_.find(key);
    return i == j_.end() ? nullptr : &*i;
  }

  template <class T>
  object_reader& field(const char* key, T& out) {
    if (!ok())
      return *this;
    auto p = at_.child(key);
    if (auto value = find(key))
      read(d_, *value, p, out);
    else
      d_.missing(p);
    return *this;
  }

  /// Absent or null leaves `out` at its default.
  template <class T>
  object_reader& optional_field(const char* key, T& out) {
    if (!ok())
      return *this;
    if (auto value = find(key); value != nullptr && !value->is_null())
      read(d_, *value, at_.child(key), out);
    return *this;
  }

  /// A required integer that counts something, so it cannot be negative.
  template <class Int>
  object_reader& count(const char* key, Int& out) {
    if (!ok())
      return *this;
    auto p = at_.child(key);
    if (auto value = find(key))
      read_integer(d_, *value, p, out, sign::non_negative);
    else
      d_.missing(p);
    return *this;
  }

  /// Requires "type" to name this event, so a frame never decodes as the wrong kind.
  object_reader& event_type(std::string_view expected) {
    std::string got;
    field("type", got);
    if (ok() && got != expected)
      d_.invalid(at_.child("type"), "expected '" + std::string{expected} + "', got '" + got
                                      + "'");
    return *this;
  }

  bool fail(const char* key, std::string_view what) {
    return d_.invalid(at_.child(key), what);
  }

private:
  decoder& d_;
  const json& j_;
  const path& at_;
};

// -- money -------------------------------------------------------------------------------------

double minor_scale(std::string_view currency) {
  return std::pow(10.0, minor_digits(currency));
}

// "minor" is exact and wins; "amount" is what people type. When both come, they must agree.
bool read(decoder& d, const json& j, const path& at, money& out) {
  object_reader r{d, j, at};
  r.field("currency", out.currency);
  if (!r.ok())
    return false;
  auto scale = minor_scale(out.currency);
  auto* minor = r.find("minor");
  auto* amount = r.find("amount");
  if (amount != nullptr && !amount->is_number())
    return d.wrong_type(at.child("amount"), "number", *amount);
  if (minor != nullptr) {
    if (!read_integer(d, *minor, at.child("minor"), out.minor, sign::any))
      return false;
    if (amount != nullptr) {
      auto expected = static_cast<double>(out.minor);
      auto tolerance = std::max(0.5, std::abs(expected) * 1e-14);
      if (std::abs(amount->get<double>() * scale - expected) > tolerance)
        return d.invalid(at.child("amount"), amount->dump() + " does not match minor "
                                               + std::to_string(out.minor));
    }
    return true;
  }
  if (amount == nullptr)
    return d.missing(at.child("minor"), " (or 'amount')");
  auto scaled = amount->get<double>() * scale;
  // Beyond 2^53 a double no longer holds every integer, so the amount cannot be exact.
  if (!std::isfinite(scaled) || std::abs(scaled) > 9007199254740992.0)
    return d.invalid(at.child("amount"), "out of range, got " + amount->dump());
  auto rounded = std::llround(scaled);
  if (std::abs(scaled - static_cast<double>(rounded)) > std::max(1e-6, std::abs(scaled) * 1e-15))
    return d.invalid(at.child("amount"),
                     "more than " + std::to_string(minor_digits(out.currency))
                       + " decimal places for " + out.currency + ", got " + amount->dump());
  out.minor = rounded;
  return true;
}

// -- catalog and cart --------------------------------------------------------------------------

bool read(decoder& d, const json& j, const path& at, product& out) {
  object_reader r{d, j, at};
  r.field("id", out.id)
    .field("title", out.title)
    .field("brand", out.brand)
    .field("product_type", out.product_type)
    .field("gender", out.gender)
    .field("colour", out.colour)
    .field("description", out.description)
    .field("sizes", out.sizes)
    .field("price", out.price)
    .count("stock", out.stock);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, search_filters& out) {
  object_reader r{d, j, at};
  r.optional_field("min_price_minor", out.min_price_minor)
    .optional_field("max_price_minor", out.max_price_minor)
    .optional_field("colour", out.colour)
    .optional_field("gender", out.gender)
    .optional_field("brand", out.brand)
    .optional_field("product_type", out.product_type)
    .optional_field("size", out.size)
    .optional_field("in_stock_only", out.in_stock_only)
    .optional_field("exclude_colours", out.exclude_colours);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, cart_line& out) {
  object_reader r{d, j, at};
  r.field("product_id", out.product_id)
    .field("title", out.title)
    .field("unit_price", out.unit_price)
    .count("quantity", out.quantity)
    .field("line_total", out.line_total);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, cart_view& out) {
  object_reader r{d, j, at};
  r.field("user", out.user)
    .field("lines", out.lines)
    .field("total", out.total)
    .count("item_count", out.item_count);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, order& out) {
  object_reader r{d, j, at};
  r.field("order_id", out.order_id)
    .field("user", out.user)
    .field("lines", out.lines)
    .field("total", out.total)
    .field("created_ms", out.created_ms)
    .field("status", out.status);
  return r.ok();
}

// -- prices and alerts -------------------------------------------------------------------------

bool read(decoder& d, const json& j, const path& at, offer& out) {
  object_reader r{d, j, at};
  r.field("retailer", out.retailer)
    .field("price", out.price)
    .field("original_price", out.original_price)
    .field("url", out.url)
    .field("in_stock", out.in_stock);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, price_comparison& out) {
  object_reader r{d, j, at};
  r.field("product_id", out.product_id)
    .field("our_price", out.our_price)
    .field("offers", out.offers)
    .field("best_offer", out.best_offer)
    .field("min_price", out.min_price)
    .field("median_price", out.median_price)
    .field("verdict", out.verdict)
    .field("reasons", out.reasons)
    .field("failed_retailers", out.failed_retailers);
  if (!r.ok())
    return false;
  if (out.best_offer < -1 || out.best_offer >= static_cast<int64_t>(out.offers.size()))
    return r.fail("best_offer", "index " + std::to_string(out.best_offer) + " out of range for "
                                  + std::to_string(out.offers.size()) + " offers");
  return true;
}

bool read(decoder& d, const json& j, const path& at, alert& out) {
  object_reader r{d, j, at};
  r.field("alert_id", out.alert_id)
    .field("user", out.user)
    .field("product_id", out.product_id)
    .field("condition", out.condition)
    .count("threshold", out.threshold)
    .field("reference_price_minor", out.reference_price_minor)
    .field("created_ms", out.created_ms)
    .field("active", out.active);
  return r.ok();
}

// -- style -------------------------------------------------------------------------------------

bool read(decoder& d, const json& j, const path& at, attribute_preference& out) {
  object_reader r{d, j, at};
  r.field("attribute", out.attribute).field("value", out.value).field("weight", out.weight);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, stated_preference& out) {
  object_reader r{d, j, at};
  r.field("key", out.key).field("value", out.value).field("stated_ms", out.stated_ms);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, style_profile& out) {
  object_reader r{d, j, at};
  r.field("user", out.user)
    .field("taste", out.taste)
    .field("attributes", out.attributes)
    .field("price_band_min_minor", out.price_band_min_minor)
    .field("price_band_max_minor", out.price_band_max_minor)
    .field("stated", out.stated)
    .field("signal_count", out.signal_count);
  return r.ok();
}

// -- turns and events --------------------------------------------------------------------------

bool read(decoder& d, const json& j, const path& at, turn_summary& out) {
  object_reader r{d, j, at};
  r.field("turn_id", out.turn_id)
    .field("intents", out.intents)
    .field("agents", out.agents)
    .field("reply", out.reply)
    .field("confirmation_asked", out.confirmation_asked)
    .field("order_id", out.order_id)
    .field("degraded", out.degraded)
    .field("degraded_reasons", out.degraded_reasons)
    .field("latency_us", out.latency_us);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, thinking_event& out) {
  object_reader r{d, j, at};
  r.event_type(wire_type<thinking_event>).field("turn_id", out.turn_id).field("text", out.text);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, delegation_event& out) {
  object_reader r{d, j, at};
  r.event_type(wire_type<delegation_event>)
    .field("turn_id", out.turn_id)
    .field("agent", out.agent)
    .field("action", out.action);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, products_event& out) {
  object_reader r{d, j, at};
  r.event_type(wire_type<products_event>)
    .field("turn_id", out.turn_id)
    .field("heading", out.heading)
    .field("products", out.products);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, cart_event& out) {
  object_reader r{d, j, at};
  r.event_type(wire_type<cart_event>).field("turn_id", out.turn_id).field("cart", out.cart);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, partial_event& out) {
  object_reader r{d, j, at};
  r.event_type(wire_type<partial_event>).field("turn_id", out.turn_id).field("text", out.text);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, final_event& out) {
  object_reader r{d, j, at};
  r.event_type(wire_type<final_event>)
    .field("turn_id", out.turn_id)
    .field("text", out.text)
    .field("confirmation_asked", out.confirmation_asked)
    .field("degraded", out.degraded);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, notification_event& out) {
  object_reader r{d, j, at};
  r.event_type(wire_type<notification_event>)
    .field("notification_id", out.notification_id)
    .field("user", out.user)
    .field("product_id", out.product_id)
    .field("text", out.text)
    .field("created_ms", out.created_ms);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, error_event& out) {
  object_reader r{d, j, at};
  r.event_type(wire_type<error_event>)
    .field("turn_id", out.turn_id)
    .field("code", out.code)
    .field("message", out.message);
  return r.ok();
}

bool read(decoder& d, const json& j, const path& at, comparison_event& out) {
  object_reader r{d, j, at};
  r.event_type(wire_type<comparison_event>)
    .field("turn_id", out.turn_id)
    .field("comparison", out.comparison);
  return r.ok();
}

// Tries the alternative whose wire name is `type`, then the next one.
template <size_t I = 0>
bool read_event(decoder& d, const json& j, const path& at, std::string_view type,
                orchestrator_event& out) {
  if constexpr (I == std::variant_size_v<orchestrator_event>) {
    return d.invalid(at.child("type"), "unknown event type '" + std::string{type} + "'");
  } else {
    if (type != event_names[I])
      return read_event<I + 1>(d, j, at, type, out);
    std::variant_alternative_t<I, orchestrator_event> event;
    if (!read(d, j, at, event))
      return false;
    out = std::move(event);
    return true;
  }
}

bool read(decoder& d, const json& j, const path& at, orchestrator_event& out) {
  object_reader r{d, j, at};
  std::string type;
  r.field("type", type);
  return r.ok() && read_event(d, j, at, type, out);
}

template <class T>
caf::expected<T> decode_as(const json& j) {
  decoder d;
  T out{};
  if (read(d, j, path{}, out))
    return out;
  return d.error();
}

// -- encoding helpers --------------------------------------------------------------------------

template <class T>
json encode_all(const std::vector<T>& xs) {
  auto out = json::array();
  for (const auto& x : xs)
    out.push_back(encode(x));
  return out;
}

template <class Event>
json event_frame(const Event&) {
  json out = json::object();
  out["type"] = wire_type<Event>;
  return out;
}

}  // namespace

// -- text --------------------------------------------------------------------------------------

caf::expected<json> parse_json(std::string_view text) {
  // nlohmann's parser is iterative, but copying and dumping are recursive: refuse deep input
  // before it becomes a value someone might copy.
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_json_depth)
        return make_error(errc::invalid_argument, "invalid JSON: nesting deeper than "
                                                    + std::to_string(max_json_depth)
                                                    + " levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // what() reads "[json.exception.parse_error.101] parse error at line 1, column 5: ...".
    std::string_view what = e.what();
    if (auto end = what.find("] "); end != std::string_view::npos)
      what.remove_prefix(end + 2);
    return make_error(errc::invalid_argument, "invalid JSON: " + std::string{what});
  }
}

std::string dump_json(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

int minor_digits(std::string_view currency) {
  // ISO 4217 exponents that differ from 2.
  static constexpr std::string_view zero[] = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
    "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
  };
  static constexpr std::string_view three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  for (auto code : zero)
    if (code == currency)
      return 0;
  for (auto code : three)
    if (code == currency)
      return 3;
  return 2;
}

std::string_view to_string(alert_condition x) {
  switch (x) {
    case alert_condition::price_below: return "price_below";
    case alert_condition::drop_percent: return "drop_percent";
    case alert_condition::back_in_stock: return "back_in_stock";
  }
  return "unknown";
}

std::optional<alert_condition> alert_condition_from_string(std::string_view name) {
  for (auto x : {alert_condition::price_below, alert_condition::drop_percent,
                 alert_condition::back_in_stock})
    if (to_string(x) == name)
      return x;
  return std::nullopt;
}

std::string_view event_type(const orchestrator_event& x) {
  return event_names[x.index()];
}

// -- encoders ----------------------------------------------------------------------------------

json encode(const money& x) {
  return json{{"amount", static_cast<double>(x.minor) / minor_scale(x.currency)},
              {"minor", x.minor},
              {"currency", x.currency}};
}

json encode(const product& x) {
  return json{{"id", x.id},
              {"title", x.title},
              {"brand", x.brand},
              {"product_type", x.product_type},
              {"gender", x.gender},
              {"colour", x.colour},
              {"description", x.description},
              {"sizes", x.sizes},
              {"price", encode(x.price)},
              {"stock", x.stock}};
}

json encode(const search_filters& x) {
  return json{{"min_price_minor", x.min_price_minor},
              {"max_price_minor", x.max_price_minor},
              {"colour", x.colour},
              {"gender", x.gender},
              {"brand", x.brand},
              {"product_type", x.product_type},
              {"size", x.size},
              {"in_stock_only", x.in_stock_only},
              {"exclude_colours", x.exclude_colours}};
}

json encode(const cart_line& x) {
  return json{{"product_id", x.product_id},
              {"title", x.title},
              {"unit_price", encode(x.unit_price)},
              {"quantity", x.quantity},
              {"line_total", encode(x.line_total)}};
}

json encode(const cart_view& x) {
  return json{{"user", x.user},
              {"lines", encode_all(x.lines)},
              {"total", encode(x.total)},
              {"item_count", x.item_count}};
}

json encode(const order& x) {
  return json{{"order_id", x.order_id},
              {"user", x.user},
              {"lines", encode_all(x.lines)},
              {"total", encode(x.total)},
              {"created_ms", x.created_ms},
              {"status", x.status}};
}

json encode(const offer& x) {
  return json{{"retailer", x.retailer},
              {"price", encode(x.price)},
              {"original_price", encode(x.original_price)},
              {"url", x.url},
              {"in_stock", x.in_stock}};
}

json encode(const price_comparison& x) {
  return json{{"product_id", x.product_id},
              {"our_price", encode(x.our_price)},
              {"offers", encode_all(x.offers)},
              {"best_offer", x.best_offer},
              {"min_price", encode(x.min_price)},
              {"median_price", encode(x.median_price)},
              {"verdict", x.verdict},
              {"reasons", x.reasons},
              {"failed_retailers", x.failed_retailers}};
}

json encode(const alert& x) {
  return json{{"alert_id", x.alert_id},
              {"user", x.user},
              {"product_id", x.product_id},
              {"condition", to_string(x.condition)},
              {"threshold", x.threshold},
              {"reference_price_minor", x.reference_price_minor},
              {"created_ms", x.created_ms},
              {"active", x.active}};
}

json encode(const attribute_preference& x) {
  return json{{"attribute", x.attribute}, {"value", x.value}, {"weight", x.weight}};
}

json encode(const stated_preference& x) {
  return json{{"key", x.key}, {"value", x.value}, {"stated_ms", x.stated_ms}};
}

json encode(const style_profile& x) {
  return json{{"user", x.user},
              {"taste", x.taste},
              {"attributes", encode_all(x.attributes)},
              {"price_band_min_minor", x.price_band_min_minor},
              {"price_band_max_minor", x.price_band_max_minor},
              {"stated", encode_all(x.stated)},
              {"signal_count", x.signal_count}};
}

json encode(const turn_summary& x) {
  return json{{"turn_id", x.turn_id},
              {"intents", x.intents},
              {"agents", x.agents},
              {"reply", x.reply},
              {"confirmation_asked", x.confirmation_asked},
              {"order_id", x.order_id},
              {"degraded", x.degraded},
              {"degraded_reasons", x.degraded_reasons},
              {"latency_us", x.latency_us}};
}

json encode(const thinking_event& x) {
  auto out = event_frame(x);
  out["turn_id"] = x.turn_id;
  out["text"] = x.text;
  return out;
}

json encode(const delegation_event& x) {
  auto out = event_frame(x);
  out["turn_id"] = x.turn_id;
  out["agent"] = to_string(x.agent);
  out["action"] = x.action;
  return out;
}

json encode(const products_event& x) {
  auto out = event_frame(x);
  out["turn_id"] = x.turn_id;
  out["heading"] = x.heading;
  out["products"] = encode_all(x.products);
  return out;
}

json encode(const cart_event& x) {
  auto out = event_frame(x);
  out["turn_id"] = x.turn_id;
  out["cart"] = encode(x.cart);
  return out;
}

json encode(const partial_event& x) {
  auto out = event_frame(x);
  out["turn_id"] = x.turn_id;
  out["text"] = x.text;
  return out;
}

json encode(const final_event& x) {
  auto out = event_frame(x);
  out["turn_id"] = x.turn_id;
  out["text"] = x.text;
  out["confirmation_asked"] = x.confirmation_asked;
  out["degraded"] = x.degraded;
  return out;
}

json encode(const notification_event& x) {
  auto out = event_frame(x);
  out["notification_id"] = x.notification_id;
  out["user"] = x.user;
  out["product_id"] = x.product_id;
  out["text"] = x.text;
  out["created_ms"] = x.created_ms;
  return out;
}

json encode(const error_event& x) {
  auto out = event_frame(x);
  out["turn_id"] = x.turn_id;
  out["code"] = x.code;
  out["message"] = x.message;
  return out;
}

json encode(const comparison_event& x) {
  auto out = event_frame(x);
  out["turn_id"] = x.turn_id;
  out["comparison"] = encode(x.comparison);
  return out;
}

json encode(const orchestrator_event& x) {
  return std::visit([](const auto& event) { return encode(event); }, x);
}

// -- decoders ----------------------------------------------------------------------------------

caf::expected<money> decode_money(const json& j) {
  return decode_as<money>(j);
}

caf::expected<product> decode_product(const json& j) {
  return decode_as<product>(j);
}

caf::expected<search_filters> decode_search_filters(const json& j) {
  return decode_as<search_filters>(j);
}

caf::expected<cart_line> decode_cart_line(const json& j) {
  return decode_as<cart_line>(j);
}

caf::expected<cart_view> decode_cart_view(const json& j) {
  return decode_as<cart_view>(j);
}

caf::expected<order> decode_order(const json& j) {
  return decode_as<order>(j);
}

caf::expected<offer> decode_offer(const json& j) {
  return decode_as<offer>(j);
}

caf::expected<price_comparison> decode_price_comparison(const json& j) {
  return decode_as<price_comparison>(j);
}

caf::expected<alert> decode_alert(const json& j) {
  return decode_as<alert>(j);
}

caf::expected<attribute_preference> decode_attribute_preference(const json& j) {
  return decode_as<attribute_preference>(j);
}

caf::expected<stated_preference> decode_stated_preference(const json& j) {
  return decode_as<stated_preference>(j);
}

caf::expected<style_profile> decode_style_profile(const json& j) {
  return decode_as<style_profile>(j);
}

caf::expected<turn_summary> decode_turn_summary(const json& j) {
  return decode_as<turn_summary>(j);
}

caf::expected<thinking_event> decode_thinking_event(const json& j) {
  return decode_as<thinking_event>(j);
}

caf::expected<delegation_event> decode_delegation_event(const json& j) {
  return decode_as<delegation_event>(j);
}

caf::expected<products_event> decode_products_event(const json& j) {
  return decode_as<products_event>(j);
}

caf::expected<cart_event> decode_cart_event(const json& j) {
  return decode_as<cart_event>(j);
}

caf::expected<partial_event> decode_partial_event(const json& j) {
  return decode_as<partial_event>(j);
}

caf::expected<final_event> decode_final_event(const json& j) {
  return decode_as<final_event>(j);
}

caf::expected<notification_event> decode_notification_event(const json& j) {
  return decode_as<notification_event>(j);
}

caf::expected<error_event> decode_error_event(const json& j) {
  return decode_as<error_event>(j);
}

caf::expected<comparison_event> decode_comparison_event(const json& j) {
  return decode_as<comparison_event>(j);
}

caf::expected<orchestrator_event> decode_event(const json& j) {
  return decode_as<orchestrator_event>(j);
}

}  // namespace cartmate::protocol
