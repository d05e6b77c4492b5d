// retailer_config.cpp — validation of the retailer list and URL template expansion.
#include "adapters/pricing/retailer_config.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::pricing {

namespace {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

caf::error bad(const std::string& who, const std::string& why) {
  return make_error(errc::invalid_argument, who + ": " + why);
}

constexpr std::string_view placeholders[] = {"{product_id}", "{query}"};

caf::error check_template(const std::string& who, const std::string& tmpl) {
  if (tmpl.rfind("http://", 0) != 0 && tmpl.rfind("https://", 0) != 0)
    return bad(who, "url must start with http:// or https://");
  for (size_t open = tmpl.find('{'); open != std::string::npos; open = tmpl.find('{', open + 1)) {
    bool known = false;
    for (auto p : placeholders)
      if (tmpl.compare(open, p.size(), p) == 0)
        known = true;
    if (!known)
      return bad(who, "url has an unknown placeholder at '" + tmpl.substr(open) + "' (use "
                        "{product_id} or {query})");
  }
  if (tmpl.find("{product_id}") == std::string::npos && tmpl.find("{query}") == std::string::npos)
    return bad(who, "url names neither {product_id} nor {query}");
  return {};
}

caf::expected<std::string> string_field(const json& obj, const char* key, const std::string& who) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null())
    return std::string{};
  if (!it->is_string())
    return bad(who, std::string{key} + " must be a string");
  return it->get<std::string>();
}

caf::error read_path(const json& obj, const char* key, const std::string& who, json_path& out) {
  auto text = string_field(obj, key, who);
  if (!text)
    return std::move(text.error());
  if (text->empty())
    return {};
  auto parsed = json_path::parse(*text);
  if (!parsed)
    return bad(who, protocol::describe(parsed.error()));
  out = std::move(*parsed);
  return {};
}

caf::expected<retailer_config> parse_retailer(const json& obj, size_t position,
                                              const std::string& base_currency,
                                              std::chrono::milliseconds default_timeout) {
  std::string who = "retailer #" + std::to_string(position + 1);
  if (!obj.is_object())
    return bad(who, "must be an object");
  static const std::set<std::string> known{"name",       "kind",       "url",      "price_path",
                                           "currency_path", "url_path", "stock_path", "currency",
                                           "timeout_ms", "file"};
  retailer_config r;
  auto name = string_field(obj, "name", who);
  if (!name)
    return std::move(name.error());
  if (name->empty())
    return bad(who, "needs a name");
  r.name = *name;
  who = "retailer '" + r.name + "'";
  for (const auto& item : obj.items())
    if (known.count(item.key()) == 0)
      return bad(who, "unknown key '" + item.key() + "'");
  auto kind = string_field(obj, "kind", who);
  if (!kind)
    return std::move(kind.error());
  if (kind->empty() || *kind == "http")
    r.kind = retailer_kind::http;
  else if (*kind == "local")
    r.kind = retailer_kind::local;
  else
    return bad(who, "kind must be \"http\" or \"local\", not \"" + *kind + "\"");
  auto currency = string_field(obj, "currency", who);
  if (!currency)
    return std::move(currency.error());
  r.currency = currency->empty() ? base_currency : *currency;
  if (!is_currency_code(r.currency))
    return bad(who, "currency '" + r.currency + "' is not a three-letter code");
  r.timeout = default_timeout;
  if (auto it = obj.find("timeout_ms"); it != obj.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1
        || it->get<int64_t>() > max_retailer_timeout.count())
      return bad(who, "timeout_ms must be an integer from 1 to "
                        + std::to_string(max_retailer_timeout.count()));
    r.timeout = std::chrono::milliseconds{it->get<int64_t>()};
  }
  if (r.kind == retailer_kind::local) {
    auto file = string_field(obj, "file", who);
    if (!file)
      return std::move(file.error());
    r.offers_file = *file;
    return r;
  }
  auto url = string_field(obj, "url", who);
  if (!url)
    return std::move(url.error());
  if (auto err = check_template(who, *url))
    return err;
  r.url_template = *url;
  for (auto [key, path] : {std::pair{"price_path", &r.price_path},
                           std::pair{"currency_path", &r.currency_path},
                           std::pair{"url_path", &r.url_path},
                           std::pair{"stock_path", &r.stock_path}})
    if (auto err = read_path(obj, key, who, *path))
      return err;
  if (r.price_path.empty())
    return bad(who, "needs a price_path");
  return r;
}

}  // namespace

caf::expected<pricing_config> parse_pricing_config(const json& doc,
                                                   const std::string& base_currency,
                                                   std::chrono::milliseconds default_timeout) {
  if (!doc.is_object())
    return make_error(errc::invalid_argument, "the retailer configuration must be a JSON object");
  for (const auto& item : doc.items())
    if (item.key() != "retailers" && item.key() != "currency_rates")
      return make_error(errc::invalid_argument, "unknown key '" + item.key()
                                                  + "' in the retailer configuration");
  auto rates = rate_table::from_json(doc.contains("currency_rates") ? doc.at("currency_rates")
                                                                    : json{},
                                     base_currency);
  if (!rates)
    return std::move(rates.error());
  pricing_config out{{}, std::move(*rates)};
  auto it = doc.find("retailers");
  if (it == doc.end())
    return out;
  if (!it->is_array())
    return make_error(errc::invalid_argument, "retailers must be an array");
  std::set<std::string> names;
  for (size_t i = 0; i < it->size(); ++i) {
    auto r = parse_retailer((*it)[i], i, base_currency, default_timeout);
    if (!r)
      return std::move(r.error());
    if (!names.insert(r->name).second)
      return make_error(errc::invalid_argument, "two retailers are named '" + r->name + "'");
    out.retailers.push_back(std::move(*r));
  }
  return out;
}

std::string url_escape(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                      || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::string expand_url(std::string_view url_template, std::string_view product_id,
                       std::string_view query) {
  std::string out;
  size_t i = 0;
  while (i < url_template.size()) {
    if (url_template.compare(i, 12, "{product_id}") == 0) {
      out += url_escape(product_id);
      i += 12;
    } else if (url_template.compare(i, 7, "{query}") == 0) {
      out += url_escape(query);
      i += 7;
    } else {
      out += url_template[i++];
    }
  }
  return out;
}

bool needs_query(const retailer_config& retailer) {
  return retailer.url_template.find("{query}") != std::string::npos;
}

}  // namespace cartmate::pricing
