// search_explanation.cpp — builds the result explanations; see search_explanation.hpp.
#include "actors/discovery/search_explanation.hpp"

#include <vector>

namespace cartmate::discovery {

namespace {

std::string_view symbol_of(std::string_view currency) {
  if (currency == "INR")
    return "\xE2\x82\xB9";  // ₹
  if (currency == "USD")
    return "$";
  if (currency == "EUR")
    return "\xE2\x82\xAC";  // €
  if (currency == "GBP")
    return "\xC2\xA3";  // £
  return {};
}

// Indian grouping puts the first comma after three digits and then every two (1,00,000).
std::string group_digits(uint64_t whole, bool indian) {
  auto digits = std::to_string(whole);
  std::string out;
  size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    size_t left = n - i;  // digits from here to the end
    if (i > 0) {
      bool comma = indian ? (left == 3 || (left > 3 && (left - 3) % 2 == 0)) : left % 3 == 0;
      if (comma)
        out += ',';
    }
    out += digits[i];
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty())
      out += sep;
    out += p;
  }
  return out;
}

std::string price_range(const protocol::search_filters& f, std::string_view currency) {
  bool has_min = f.min_price_minor >= 0;
  bool has_max = f.max_price_minor >= 0;
  if (has_min && has_max)
    return "between " + format_money(f.min_price_minor, currency) + " and "
           + format_money(f.max_price_minor, currency);
  if (has_max)
    return "under " + format_money(f.max_price_minor, currency);
  if (has_min)
    return "from " + format_money(f.min_price_minor, currency);
  return {};
}

// The filters as short phrases, in the order a shopper would say them.
std::vector<std::string> filter_phrases(const protocol::search_filters& f,
                                        std::string_view currency) {
  std::vector<std::string> out;
  if (!f.product_type.empty())
    out.push_back("of type " + f.product_type);
  if (!f.colour.empty())
    out.push_back("in " + f.colour);
  if (!f.gender.empty())
    out.push_back("for " + f.gender);
  if (!f.brand.empty())
    out.push_back("by " + f.brand);
  if (!f.size.empty())
    out.push_back("in size " + f.size);
  if (auto range = price_range(f, currency); !range.empty())
    out.push_back(std::move(range));
  if (f.in_stock_only)
    out.push_back("in stock");
  if (!f.exclude_colours.empty())
    out.push_back("excluding " + join(f.exclude_colours, " and "));
  return out;
}

std::string with_filters(std::string head, const protocol::search_filters& f,
                         std::string_view currency) {
  auto phrases = filter_phrases(f, currency);
  if (!phrases.empty())
    head += " " + join(phrases, ", ");
  return head;
}

std::string count_of(uint32_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string{n == 1 ? one : many};
}

}  // namespace

std::string format_money(int64_t minor, std::string_view currency) {
  bool negative = minor < 0;
  uint64_t abs_minor = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string out = negative ? "-" : "";
  auto symbol = symbol_of(currency);
  if (symbol.empty())
    out += std::string{currency} + " ";
  else
    out += symbol;
  out += group_digits(abs_minor / 100, currency == "INR");
  if (auto cents = abs_minor % 100; cents != 0) {
    out += '.';
    out += static_cast<char>('0' + cents / 10);
    out += static_cast<char>('0' + cents % 10);
  }
  return out;
}

std::string explain_search(const protocol::search_request& req, uint32_t total_matches,
                           size_t shown, std::string_view currency) {
  std::string head;
  if (total_matches == 0)
    head = req.query.empty() ? "No products" : "No matches for '" + req.query + "'";
  else if (req.query.empty())
    head = count_of(total_matches, "product", "products");
  else
    head = count_of(total_matches, "match", "matches") + " for '" + req.query + "'";
  auto text = with_filters(std::move(head), req.filters, currency);
  bool styled = !req.style_vector.empty() && req.style_weight > 0.f;
  if (styled && total_matches > 0)
    text += ", ranked with your style";
  if (shown > 0 && shown < total_matches)
    text += " (showing " + std::to_string(req.offset + 1) + "\xE2\x80\x93"  // en dash
            + std::to_string(req.offset + shown) + ")";
  return text;
}

std::string explain_similar(std::string_view title, const protocol::search_filters& filters,
                            size_t shown, std::string_view currency) {
  std::string head = shown == 0
                       ? "No items similar to '" + std::string{title} + "'"
                       : count_of(static_cast<uint32_t>(shown), "item", "items") + " similar to '"
                           + std::string{title} + "'";
  return with_filters(std::move(head), filters, currency);
}

}  // namespace cartmate::discovery
