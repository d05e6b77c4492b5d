// replies.cpp — the assistant's wording.
#include "actors/orchestrator/replies.hpp"

#include <cctype>
#include <cstdlib>

#include "adapters/style/style_ranker.hpp"
#include "protocol/json_codec.hpp"

namespace cartmate::orchestrator {

namespace {

std::string group_thousands(int64_t n) {
  auto digits = std::to_string(n);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count > 0 && count % 3 == 0)
      out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++count;
  }
  return out;
}

std::string currency_prefix(const std::string& currency) {
  if (currency == "INR")
    return "\xE2\x82\xB9";  // ₹
  if (currency == "USD")
    return "$";
  if (currency == "EUR")
    return "\xE2\x82\xAC";  // €
  if (currency == "GBP")
    return "\xC2\xA3";  // £
  return currency.empty() ? std::string{} : currency + " ";
}

std::string plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "a, b and c" (or with `last` between the final two).
std::string joined(const std::vector<std::string>& xs, const char* sep, const char* last = " and ") {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i)
    out += (i == 0 ? "" : i + 1 == xs.size() ? last : sep) + xs[i];
  return out;
}

std::string lowered(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string format_amount(int64_t minor, const std::string& currency) {
  int digits = protocol::minor_digits(currency);
  int64_t scale = 1;
  for (int i = 0; i < digits; ++i)
    scale *= 10;
  bool negative = minor < 0;
  auto abs_minor = negative ? -minor : minor;
  std::string out = (negative ? "-" : "") + currency_prefix(currency)
                    + group_thousands(abs_minor / scale);
  auto frac = abs_minor % scale;
  if (frac != 0) {
    auto f = std::to_string(frac);
    out += "." + std::string(static_cast<size_t>(digits) - f.size(), '0') + f;
  }
  return out;
}

std::string format_money(const protocol::money& m) {
  return format_amount(m.minor, m.currency);
}

std::string product_list(const std::vector<protocol::product>& products, size_t first_number) {
  std::string out;
  auto n = first_number;
  for (const auto& p : products) {
    out += std::to_string(n++) + ". " + p.title + " \xE2\x80\x94 " + format_money(p.price);
    if (!p.colour.empty())
      out += " (" + p.colour + ")";
    if (p.stock == 0)
      out += " [out of stock]";
    out += "\n";
  }
  return out;
}

std::string describe_search(const std::string& query, const protocol::search_filters& f,
                            const std::string& currency) {
  std::string out;
  auto add = [&out](const std::string& s) {
    if (s.empty())
      return;
    if (!out.empty())
      out += ' ';
    out += s;
  };
  add(f.gender.empty() ? "" : f.gender + "'s");
  add(f.colour);
  add(f.brand);
  add(f.product_type);
  add(query);
  if (out.empty())
    out = "products";
  if (!f.size.empty())
    out += " in size " + f.size;
  if (!f.exclude_colours.empty()) {
    out += " not in";
    for (size_t i = 0; i < f.exclude_colours.size(); ++i)
      out += (i == 0 ? " " : " or ") + f.exclude_colours[i];
  }
  if (f.min_price_minor >= 0 && f.max_price_minor >= 0)
    out += " between " + format_amount(f.min_price_minor, currency) + " and "
           + format_amount(f.max_price_minor, currency);
  else if (f.max_price_minor >= 0)
    out += " under " + format_amount(f.max_price_minor, currency);
  else if (f.min_price_minor >= 0)
    out += " over " + format_amount(f.min_price_minor, currency);
  return out;
}

std::string product_details(const protocol::product& p) {
  std::string out = p.title + " \xE2\x80\x94 " + format_money(p.price) + "\n";
  if (!p.brand.empty())
    out += "Brand: " + p.brand + "\n";
  if (!p.colour.empty())
    out += "Colour: " + p.colour + "\n";
  if (!p.product_type.empty())
    out += "Type: " + p.product_type + (p.gender.empty() ? "" : " (" + p.gender + ")") + "\n";
  if (!p.sizes.empty()) {
    out += "Sizes:";
    for (const auto& s : p.sizes)
      out += " " + s;
    out += "\n";
  }
  out += p.stock > 0 ? "In stock (" + std::to_string(p.stock) + " left)\n" : "Out of stock\n";
  if (!p.description.empty())
    out += p.description + "\n";
  return out;
}

std::string cart_text(const protocol::cart_view& cart) {
  if (cart.lines.empty())
    return "Your cart is empty.";
  std::string out = "Your cart (" + plural(cart.item_count, "item", "items") + "):\n";
  size_t n = 1;
  for (const auto& line : cart.lines)
    out += std::to_string(n++) + ". " + std::to_string(line.quantity) + " \xC3\x97 " + line.title
           + " \xE2\x80\x94 " + format_money(line.line_total) + "\n";
  out += "Total: " + format_money(cart.total);
  return out;
}

std::string checkout_text(const protocol::checkout_summary& summary) {
  std::string out = "Here is your order summary:\n";
  for (const auto& line : summary.cart.lines)
    out += "- " + std::to_string(line.quantity) + " \xC3\x97 " + line.title + " \xE2\x80\x94 "
           + format_money(line.line_total) + "\n";
  out += "Total: " + format_money(summary.cart.total) + " ("
         + plural(summary.cart.item_count, "item", "items") + ")\n";
  out += "Shall I place the order? (yes/no)";
  return out;
}

std::string order_placed_text(const protocol::order& o) {
  return "Your order " + o.order_id + " is placed: " + plural(static_cast<int64_t>(o.lines.size()),
                                                              "line", "lines")
         + ", total " + format_money(o.total) + ". Thank you!";
}

std::string orders_text(const protocol::order_history& history) {
  if (history.orders.empty())
    return "You have no orders yet.";
  std::string out = "Your orders:\n";
  for (const auto& o : history.orders)
    out += "- " + o.order_id + ": " + plural(static_cast<int64_t>(o.lines.size()), "line", "lines")
           + ", " + format_money(o.total) + " (" + o.status + ")\n";
  return out;
}

std::string comparison_text(const protocol::price_comparison& c, const std::string& title) {
  std::string out = "Prices for " + title + ": ours is " + format_money(c.our_price) + ".";
  if (c.offers.empty()) {
    out += " I found no offers at other retailers.";
  } else {
    out += "\n";
    for (const auto& o : c.offers)
      out += "- " + o.retailer + ": " + format_money(o.price) + (o.in_stock ? "" : " (out of stock)")
             + "\n";
    if (c.best_offer >= 0 && static_cast<size_t>(c.best_offer) < c.offers.size())
      out += "Best offer: " + c.offers[static_cast<size_t>(c.best_offer)].retailer + ".";
  }
  if (!c.verdict.empty())
    out += " Verdict: " + c.verdict + ".";
  if (!c.reasons.empty())
    out += " Why: " + joined(c.reasons, "; ", "; ") + ".";
  // Each entry names the retailer and why it failed ("Trendora (no answer within 800 ms)"):
  // the shopper should know which shops the comparison leaves out.
  if (!c.failed_retailers.empty())
    out += " I couldn't get prices from " + joined(c.failed_retailers, ", ", " or ") + ".";
  return out;
}

std::string alert_text(const protocol::alert& a, const std::string& title,
                       const std::string& currency) {
  switch (a.condition) {
    case protocol::alert_condition::price_below:
      return "I'll tell you when " + title + " drops below "
             + format_amount(a.threshold, currency.empty() ? "INR" : currency) + ".";
    case protocol::alert_condition::drop_percent:
      return "I'll tell you when " + title + " drops by " + std::to_string(a.threshold) + "%.";
    case protocol::alert_condition::back_in_stock:
      return "I'll tell you when " + title + " is back in stock.";
  }
  return "Alert set.";
}

std::string alerts_text(const protocol::alert_list& list) {
  if (list.alerts.empty())
    return "You have no alerts.";
  std::string out = "Your alerts:\n";
  for (const auto& a : list.alerts) {
    out += "- product " + a.product_id + ": " + std::string{protocol::to_string(a.condition)};
    if (a.condition != protocol::alert_condition::back_in_stock)
      out += " " + std::to_string(a.threshold);
    out += a.active ? "\n" : " (done)\n";
  }
  return out;
}

std::string stated_text(const protocol::stated_preference& s, const std::string& currency) {
  const auto& v = s.value;
  if (s.key == "budget") {
    char* end = nullptr;
    long long minor = std::strtoll(v.c_str(), &end, 10);
    if (end != v.c_str() && *end == '\0')
      return "your budget is " + format_amount(minor, currency);
    return "your budget is " + v;
  }
  if (s.key == "size")
    return "you wear size " + v;
  if (s.key == "avoid_colour")
    return "you don't like " + lowered(v) + " (I leave it out of searches)";
  if (s.key == "colour")
    return "you like " + lowered(v);
  if (s.key == "brand")
    return "you like " + v;
  if (s.key == "avoid_brand")
    return "you don't like " + v;
  if (s.key == "product_type")
    return "you like " + style::plural_of(lowered(v));
  if (s.key == "avoid_product_type")
    return "you don't like " + style::plural_of(lowered(v));
  if (s.key == "gender")
    return "you shop for " + v;
  return s.key + ": " + v;
}

std::string profile_text(const protocol::style_profile& profile, const std::string& currency) {
  if (profile.signal_count == 0 && profile.stated.empty() && profile.attributes.empty())
    return "I don't know your style yet. Like a few items or tell me e.g. \"I wear size M\".";
  std::string out = "Here's what I know about you.";
  if (!profile.stated.empty()) {
    out += "\nYou told me:";
    for (const auto& s : profile.stated)
      out += "\n- " + stated_text(s, currency);
  }
  // Learned likings, strongest first (the profile lists them that way), a few per kind.
  std::vector<std::string> colours;
  std::vector<std::string> types;
  std::vector<std::string> brands;
  for (const auto& a : profile.attributes) {
    if (a.weight <= 0.f)
      continue;
    auto* bucket = a.attribute == "colour"         ? &colours
                   : a.attribute == "product_type" ? &types
                   : a.attribute == "brand"        ? &brands
                                                   : nullptr;
    if (bucket != nullptr && bucket->size() < 4)
      bucket->push_back(a.attribute == "brand"          ? a.value
                        : a.attribute == "product_type" ? style::plural_of(lowered(a.value))
                                                        : lowered(a.value));
  }
  if (profile.signal_count > 0 || !profile.attributes.empty()) {
    out += "\nFrom what you liked, viewed and bought ("
           + plural(profile.signal_count, "signal", "signals") + "):";
    size_t lines = 0;
    auto line = [&out, &lines](const std::string& text) {
      out += "\n- " + text;
      ++lines;
    };
    if (!colours.empty())
      line("colours you like: " + joined(colours, ", "));
    if (!types.empty())
      line("kinds of items you like: " + joined(types, ", "));
    if (!brands.empty())
      line("brands you like: " + joined(brands, ", "));
    if (profile.price_band_min_minor > 0 && profile.price_band_max_minor > 0)
      line("you usually pick items between " + format_amount(profile.price_band_min_minor, currency)
           + " and " + format_amount(profile.price_band_max_minor, currency));
    if (lines == 0)
      line("nothing clear yet; a few more likes will tell me more");
  }
  if (!profile.stated.empty())
    out += "\nSay \"forget my preferences\" to clear what you told me.";
  return out;
}

std::string capabilities_text() {
  return "I can help you:\n"
         "- find products (\"black running shoes under 3000\") and refine them (\"cheaper\", "
         "\"in blue\", \"show more\")\n"
         "- tell you about an item (\"tell me about the second one\")\n"
         "- manage your cart (\"add the cheapest to my cart\", \"remove it\", \"show my cart\")\n"
         "- check out, after you confirm the order summary\n"
         "- compare prices with other retailers and set price alerts\n"
         "- learn your style from likes and recommend things you'll like";
}

std::string greeting_text() {
  return "Hi! I'm CartMate, your shopping assistant. " + capabilities_text();
}

std::string unavailable_text(protocol::agent_kind kind) {
  switch (kind) {
    case protocol::agent_kind::product_discovery:
      return "Product search isn't available right now. Please try again in a moment.";
    case protocol::agent_kind::cart:
      return "The cart isn't available right now, so nothing in it changed. Please try again "
             "in a moment.";
    case protocol::agent_kind::price_comparison:
      return "Price comparison isn't available right now.";
    case protocol::agent_kind::alerts:
      return "Price alerts aren't available right now.";
    case protocol::agent_kind::style_profiler:
      return "Style profiles aren't available right now.";
    case protocol::agent_kind::orchestrator:
      break;
  }
  return "That isn't available right now.";
}

}  // namespace cartmate::orchestrator
