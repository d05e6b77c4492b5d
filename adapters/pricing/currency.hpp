// currency.hpp — prices as retailers write them (numbers or "1,299.50") to exact minor units,
// and the rate table that converts them to the catalog currency.
// Threading: pure functions; a rate_table is immutable once built and safe to share.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include "protocol/product.hpp"

namespace cartmate::pricing {

/// Digits after the decimal point of an ISO 4217 currency: 0 for JPY or KRW, 3 for KWD, else 2.
int minor_digits(std::string_view currency);

/// True for three ASCII capital letters, the shape of an ISO 4217 code.
bool is_currency_code(std::string_view code);

/// Parses a decimal amount such as "1299", "1,299.50" or " 12.5 " into minor units with
/// `digits` decimals. Rejects signs, exponents, more decimals than `digits` (no silent
/// rounding of a quoted price) and amounts above 10^15 minor units.
[[nodiscard]] caf::expected<int64_t> parse_amount_text(std::string_view text, int digits);

/// Like parse_amount_text for a JSON number or string. Zero and negative prices are refused:
/// a retailer quoting them is not making an offer.
[[nodiscard]] caf::expected<int64_t> parse_amount(const nlohmann::json& value, int digits);

/// Exchange rates into one base currency (the catalog's).
class rate_table {
 public:
  rate_table() : rate_table("INR") {
    // nop
  }
  explicit rate_table(std::string base);

  /// Reads {"USD": 83.1, "EUR": 90.4}: units of the base currency per unit of each code.
  [[nodiscard]] static caf::expected<rate_table> from_json(const nlohmann::json& rates,
                                                           std::string base);

  /// Sets the rate of `code`; fails on a malformed code or a rate that is not positive.
  [[nodiscard]] caf::error set(std::string code, double rate);

  const std::string& base() const { return base_; }
  bool knows(std::string_view code) const;

  /// `amount` in the base currency, rounded to the nearest minor unit. Fails with
  /// errc::unsupported when its currency has no rate.
  [[nodiscard]] caf::expected<protocol::money> to_base(const protocol::money& amount) const;

 private:
  std::string base_;
  std::map<std::string, double, std::less<>> rates_;
};

}  // namespace cartmate::pricing
