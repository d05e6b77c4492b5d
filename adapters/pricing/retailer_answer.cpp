// retailer_answer.cpp — turning retailer answers into quotes and offers; see the header.
#include "adapters/pricing/retailer_answer.hpp"

#include <algorithm>
#include <cctype>

#include <caf/message.hpp>
#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::pricing {

namespace {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

caf::error unusable(const std::string& why) {
  return make_error(errc::agent_error, why);
}

std::string lowered_word(std::string_view text) {
  std::string out;
  for (char c : text)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

caf::expected<bool> read_stock(const json& value) {
  if (value.is_boolean())
    return value.get<bool>();
  if (value.is_number())
    return value.get<double>() > 0;
  if (value.is_string()) {
    auto word = lowered_word(value.get_ref<const std::string&>());
    for (const char* yes : {"instock", "available", "yes", "true", "limitedavailability"})
      if (word == yes)
        return true;
    for (const char* no : {"outofstock", "soldout", "unavailable", "no", "false",
                           "discontinued"})
      if (word == no)
        return false;
  }
  return unusable("stock '" + value.dump() + "' is neither a yes nor a no");
}

caf::expected<retailer_quote> read_quote(const retailer_config& retailer, const json& doc) {
  retailer_quote q;
  q.retailer = retailer.name;
  q.quoted.currency = retailer.currency;
  if (const auto* cur = retailer.currency_path.find(doc); cur != nullptr && !cur->is_null()) {
    if (!cur->is_string())
      return unusable("currency at '" + retailer.currency_path.text() + "' is not a string");
    std::string code = cur->get<std::string>();
    std::transform(code.begin(), code.end(), code.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (!is_currency_code(code))
      return unusable("currency '" + cur->get<std::string>() + "' is not a currency code");
    q.quoted.currency = std::move(code);
  }
  const auto* price = retailer.price_path.find(doc);
  if (price == nullptr || price->is_null())
    return unusable("no price at '" + retailer.price_path.text() + "'");
  auto minor = parse_amount(*price, minor_digits(q.quoted.currency));
  if (!minor)
    return unusable(reason_of(minor.error()));
  q.quoted.minor = *minor;
  if (const auto* url = retailer.url_path.find(doc); url != nullptr && url->is_string())
    q.url = url->get<std::string>();
  if (const auto* stock = retailer.stock_path.find(doc); stock != nullptr && !stock->is_null()) {
    auto in_stock = read_stock(*stock);
    if (!in_stock)
      return std::move(in_stock.error());
    q.in_stock = *in_stock;
  }
  return q;
}

caf::expected<std::optional<retailer_quote>>
read_retailer_answer(const retailer_config& retailer, long status, std::string_view body) {
  if (status == 404)
    return std::optional<retailer_quote>{};
  if (status < 200 || status > 299)
    return make_error(errc::unavailable, "HTTP " + std::to_string(status));
  // nlohmann reports malformed JSON by throwing; the no-throw parse gives a discarded value.
  auto doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded())
    return unusable("malformed JSON");
  auto q = read_quote(retailer, doc);
  if (!q)
    return std::move(q.error());
  return std::optional<retailer_quote>{std::move(*q)};
}

caf::expected<protocol::offer> normalise(const retailer_quote& quote, const rate_table& rates) {
  auto price = rates.to_base(quote.quoted);
  if (!price)
    return std::move(price.error());
  protocol::offer o;
  o.retailer = quote.retailer;
  o.price = std::move(*price);
  o.original_price = quote.quoted;
  o.url = quote.url;
  o.in_stock = quote.in_stock;
  return o;
}

std::string reason_of(const caf::error& err) {
  if (protocol::errc_of(err)) {
    const auto& ctx = err.context();
    if (ctx.match_elements<std::string>())
      return ctx.get_as<std::string>(0);
    return std::string{protocol::to_string(*protocol::errc_of(err))};
  }
  return protocol::describe(err);
}

}  // namespace cartmate::pricing
