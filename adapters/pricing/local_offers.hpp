// local_offers.hpp — the "local" retailer kind: offers of several named sellers per product,
// read once from a JSON file (or the embedded default, examples/offers/offers.json) so the
// price comparison works offline. Threading: immutable after loading; safe to share.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/pricing/retailer_answer.hpp"

namespace cartmate::pricing {

class local_offer_book {
 public:
  /// Parses the offers document:
  /// {"currency": "INR", "sellers": {"Trendora": "https://trendora.example/p/{product_id}"},
  ///  "offers": {"<product id>": [{"seller": "Trendora", "price": 812.0, "in_stock": true,
  ///                               "currency": "USD" (optional)}]}}.
  /// Fails with invalid_argument naming the first bad entry.
  [[nodiscard]] static caf::expected<local_offer_book> parse(std::string_view json_text);

  /// Reads and parses the file at `path` (blocking: call at start-up, not from an actor).
  [[nodiscard]] static caf::expected<local_offer_book> load_file(const std::string& path);

  /// The embedded default (examples/offers/offers.json), parsed.
  [[nodiscard]] static caf::expected<local_offer_book> embedded_default();

  /// The quotes for `product_id`, each named after its seller; empty when none.
  std::vector<retailer_quote> quotes(const std::string& product_id) const;

  size_t product_count() const { return offers_.size(); }

 private:
  std::map<std::string, std::vector<retailer_quote>> offers_;
};

/// The text of examples/offers/offers.json, compiled in.
std::string_view embedded_offers_json();

}  // namespace cartmate::pricing
