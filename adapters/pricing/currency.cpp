// currency.cpp — amount parsing and conversion to the catalog currency; see the header.
#include "adapters/pricing/currency.hpp"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::pricing {

namespace {

using protocol::errc;
using protocol::make_error;

constexpr int64_t max_minor = 1'000'000'000'000'000;  // 10^15: far above any shop price

int64_t pow10(int digits) {
  int64_t out = 1;
  for (int i = 0; i < digits; ++i)
    out *= 10;
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::string quoted_name(const std::string& currency) {
  return currency.empty() ? std::string{"no currency"} : currency;
}

caf::error bad_amount(std::string_view text, const std::string& why) {
  return make_error(errc::invalid_argument, "price '" + std::string{text} + "' " + why);
}

}  // namespace

int minor_digits(std::string_view currency) {
  static const std::map<std::string_view, int> unusual{
    {"BIF", 0}, {"CLP", 0}, {"DJF", 0}, {"GNF", 0}, {"ISK", 0}, {"JPY", 0}, {"KMF", 0},
    {"KRW", 0}, {"PYG", 0}, {"RWF", 0}, {"UGX", 0}, {"VND", 0}, {"VUV", 0}, {"XAF", 0},
    {"XOF", 0}, {"XPF", 0}, {"BHD", 3}, {"IQD", 3}, {"JOD", 3}, {"KWD", 3}, {"LYD", 3},
    {"OMR", 3}, {"TND", 3},
  };
  auto i = unusual.find(currency);
  return i == unusual.end() ? 2 : i->second;
}

bool is_currency_code(std::string_view code) {
  if (code.size() != 3)
    return false;
  for (char c : code)
    if (c < 'A' || c > 'Z')
      return false;
  return true;
}

caf::expected<int64_t> parse_amount_text(std::string_view raw, int digits) {
  auto text = trim(raw);
  if (text.empty())
    return bad_amount(raw, "is empty");
  int64_t whole = 0;
  int64_t fraction = 0;
  int fraction_digits = 0;
  bool seen_digit = false;
  bool in_fraction = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      seen_digit = true;
      if (in_fraction) {
        if (++fraction_digits > digits)
          return bad_amount(raw, "has more than " + std::to_string(digits) + " decimals");
        fraction = fraction * 10 + (c - '0');
      } else {
        whole = whole * 10 + (c - '0');
        if (whole > max_minor)
          return bad_amount(raw, "is too large");
      }
    } else if (c == ',' && !in_fraction && seen_digit) {
      continue;  // thousands separator
    } else if (c == '.' && !in_fraction) {
      in_fraction = true;
    } else {
      return bad_amount(raw, "is not a plain decimal number");
    }
  }
  if (!seen_digit)
    return bad_amount(raw, "has no digits");
  for (int i = fraction_digits; i < digits; ++i)
    fraction *= 10;
  auto scale = pow10(digits);
  if (whole > max_minor / scale)
    return bad_amount(raw, "is too large");
  return whole * scale + fraction;
}

caf::expected<int64_t> parse_amount(const nlohmann::json& value, int digits) {
  caf::expected<int64_t> minor{0};
  if (value.is_string()) {
    minor = parse_amount_text(value.get_ref<const std::string&>(), digits);
  } else if (value.is_number_integer() || value.is_number_unsigned()) {
    // Integers go through text so huge ones hit the same bound instead of overflowing.
    minor = parse_amount_text(value.dump(), digits);
  } else if (value.is_number_float()) {
    double major = value.get<double>();
    if (!std::isfinite(major) || major < 0 || major * static_cast<double>(pow10(digits)) > 1e15)
      return bad_amount(value.dump(), "is out of range");
    // A JSON float such as 1299.5 is the retailer's decimal rounded to binary: round back.
    minor = static_cast<int64_t>(std::llround(major * static_cast<double>(pow10(digits))));
  } else {
    return bad_amount(value.dump(), "is not a number");
  }
  if (minor && *minor <= 0)
    return bad_amount(value.dump(), "is not positive");
  return minor;
}

rate_table::rate_table(std::string base) : base_(std::move(base)) {
  // nop
}

caf::expected<rate_table> rate_table::from_json(const nlohmann::json& rates, std::string base) {
  rate_table out{std::move(base)};
  if (rates.is_null())
    return out;
  if (!rates.is_object())
    return make_error(errc::invalid_argument,
                      "currency_rates must be an object such as {\"USD\": 83.1}");
  for (const auto& [code, rate] : rates.items()) {
    if (!rate.is_number())
      return make_error(errc::invalid_argument, "the rate of " + code + " is not a number");
    if (auto err = out.set(code, rate.get<double>()))
      return err;
  }
  return out;
}

caf::error rate_table::set(std::string code, double rate) {
  if (!is_currency_code(code))
    return make_error(errc::invalid_argument,
                      "'" + code + "' is not a currency code (three capital letters)");
  if (!std::isfinite(rate) || rate <= 0)
    return make_error(errc::invalid_argument, "the rate of " + code + " must be positive");
  rates_[std::move(code)] = rate;
  return {};
}

bool rate_table::knows(std::string_view code) const {
  return code == base_ || rates_.find(code) != rates_.end();
}

caf::expected<protocol::money> rate_table::to_base(const protocol::money& amount) const {
  if (amount.currency == base_)
    return amount;
  auto i = rates_.find(amount.currency);
  if (i == rates_.end())
    return make_error(errc::unsupported, "quoted in " + quoted_name(amount.currency)
                                           + ", which has no rate to " + base_);
  // Through long double: 10^15 minor units times a rate keeps its cents exact.
  long double major = static_cast<long double>(amount.minor)
                      / static_cast<long double>(pow10(minor_digits(amount.currency)));
  long double converted = major * static_cast<long double>(i->second)
                          * static_cast<long double>(pow10(minor_digits(base_)));
  if (converted > static_cast<long double>(max_minor))
    return make_error(errc::invalid_argument, "converted price is out of range");
  return protocol::money{static_cast<int64_t>(std::llroundl(converted)), base_};
}

}  // namespace cartmate::pricing
