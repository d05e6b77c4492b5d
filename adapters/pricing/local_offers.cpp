// local_offers.cpp — parsing of the local offers file; see the header.
#include "adapters/pricing/local_offers.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/pricing/retailer_config.hpp"
#include "protocol/errors.hpp"

namespace cartmate::pricing {

namespace {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

caf::error bad(const std::string& why) {
  return make_error(errc::invalid_argument, "offers file: " + why);
}

// Each entry is read with the same field rules as an HTTP retailer's answer.
retailer_config entry_reader(const std::string& seller, const std::string& currency) {
  retailer_config r;
  r.name = seller;
  r.currency = currency;
  r.price_path = *json_path::parse("price");
  r.currency_path = *json_path::parse("currency");
  r.url_path = *json_path::parse("url");
  r.stock_path = *json_path::parse("in_stock");
  return r;
}

}  // namespace

caf::expected<local_offer_book> local_offer_book::parse(std::string_view json_text) {
  auto doc = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return bad("not a JSON object");
  std::string currency = "INR";
  if (auto it = doc.find("currency"); it != doc.end()) {
    if (!it->is_string() || !is_currency_code(it->get<std::string>()))
      return bad("currency must be a three-letter code");
    currency = it->get<std::string>();
  }
  std::map<std::string, std::string> url_of;
  if (auto it = doc.find("sellers"); it != doc.end()) {
    if (!it->is_object())
      return bad("sellers must map names to URL templates");
    for (const auto& [name, tmpl] : it->items()) {
      if (!tmpl.is_string())
        return bad("the URL template of seller '" + name + "' is not a string");
      url_of[name] = tmpl.get<std::string>();
    }
  }
  auto offers = doc.find("offers");
  if (offers == doc.end() || !offers->is_object())
    return bad("offers must map product ids to lists of offers");
  local_offer_book book;
  for (const auto& [product_id, list] : offers->items()) {
    if (!list.is_array())
      return bad("the offers of product " + product_id + " are not a list");
    auto& quotes = book.offers_[product_id];
    for (const auto& entry : list) {
      if (!entry.is_object() || !entry.contains("seller") || !entry.at("seller").is_string())
        return bad("an offer of product " + product_id + " names no seller");
      auto seller = entry.at("seller").get<std::string>();
      auto q = read_quote(entry_reader(seller, currency), entry);
      if (!q)
        return bad("product " + product_id + ", seller " + seller + ": " + reason_of(q.error()));
      if (q->url.empty())
        if (auto u = url_of.find(seller); u != url_of.end())
          q->url = expand_url(u->second, product_id, "");
      quotes.push_back(std::move(*q));
    }
  }
  return book;
}

caf::expected<local_offer_book> local_offer_book::load_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_error(errc::not_found, "cannot read offers file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto book = parse(text.str());
  if (!book)
    return make_error(errc::invalid_argument, path + ": " + reason_of(book.error()));
  return book;
}

caf::expected<local_offer_book> local_offer_book::embedded_default() {
  return parse(embedded_offers_json());
}

std::vector<retailer_quote> local_offer_book::quotes(const std::string& product_id) const {
  auto i = offers_.find(product_id);
  return i == offers_.end() ? std::vector<retailer_quote>{} : i->second;
}

}  // namespace cartmate::pricing
