// price_bootstrap.cpp — start-up wiring of the price agent; see the header.
#include "actors/price/price_bootstrap.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "adapters/http/curl_http_client.hpp"
#include "protocol/errors.hpp"

namespace cartmate::actors::price {

namespace {

using protocol::errc;
using protocol::make_error;

caf::expected<nlohmann::json> read_json_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_error(errc::not_found, "cannot read retailer configuration " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded())
    return make_error(errc::invalid_argument, path + " is not valid JSON");
  return doc;
}

}  // namespace

pricing::pricing_config default_pricing_config(const std::string& catalog_currency,
                                               const std::string& offers_file) {
  pricing::retailer_config local;
  local.name = "local";
  local.kind = pricing::retailer_kind::local;
  local.currency = catalog_currency;
  local.offers_file = offers_file;
  return pricing::pricing_config{{std::move(local)}, pricing::rate_table{catalog_currency}};
}

caf::expected<price_agent_deps> make_price_agent_deps(pricing::pricing_config config,
                                                      const pricing::pricing_settings& settings) {
  price_agent_deps deps;
  deps.rates = std::move(config.rates);
  deps.answer_budget = settings.answer_budget;
  deps.max_body_bytes = settings.max_body_bytes;
  bool any_http = false;
  for (auto& r : config.retailers) {
    retailer_entry entry;
    if (r.kind == pricing::retailer_kind::local) {
      auto book = r.offers_file.empty() ? pricing::local_offer_book::embedded_default()
                                        : pricing::local_offer_book::load_file(r.offers_file);
      if (!book)
        return make_error(errc::invalid_argument, "retailer '" + r.name + "': "
                                                    + pricing::reason_of(book.error()));
      entry.book = std::make_shared<const pricing::local_offer_book>(std::move(*book));
    } else {
      any_http = true;
    }
    entry.config = std::move(r);
    deps.retailers.push_back(std::move(entry));
  }
  if (any_http)
    deps.fetcher = std::make_shared<http::curl_http_client>();
  deps.cache = std::make_shared<pricing::offer_cache>(settings.cache_ttl);
  return deps;
}

caf::expected<price_agent_deps> load_price_agent_deps(const pricing::pricing_settings& settings,
                                                      const std::string& catalog_currency) {
  if (settings.retailers_file.empty())
    return make_price_agent_deps(default_pricing_config(catalog_currency, settings.offers_file),
                                 settings);
  auto doc = read_json_file(settings.retailers_file);
  if (!doc)
    return std::move(doc.error());
  auto config = pricing::parse_pricing_config(*doc, catalog_currency, settings.fetch_timeout);
  if (!config)
    return make_error(errc::invalid_argument, settings.retailers_file + ": "
                                                + pricing::reason_of(config.error()));
  return make_price_agent_deps(std::move(*config), settings);
}

}  // namespace cartmate::actors::price
