// transcript.cpp — formatting of replayed and chatted turns.
#include "actors/replay/transcript.hpp"

#include <sstream>

#include "protocol/agent_kind.hpp"
#include "protocol/errors.hpp"

namespace cartmate::replay {

namespace {

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

void product_lines(std::ostringstream& os, const std::vector<protocol::product>& products,
                   size_t max) {
  size_t n = 0;
  for (auto& p : products) {
    if (n == max) {
      os << "        … and " << products.size() - max << " more\n";
      break;
    }
    ++n;
    os << "      " << n << ". " << p.title << " — " << format_money(p.price.minor, p.price.currency);
    if (!p.colour.empty())
      os << ", " << p.colour;
    if (p.stock <= 0)
      os << ", sold out";
    os << "  [" << p.id << "]\n";
  }
}

void cart_lines(std::ostringstream& os, const protocol::cart_view& cart, const char* source) {
  os << "    cart" << source << ": ";
  if (cart.lines.empty()) {
    os << "empty\n";
    return;
  }
  os << cart.item_count << " item(s), " << cart.lines.size() << " line(s), total "
     << format_money(cart.total.minor, cart.total.currency) << "\n";
  for (auto& l : cart.lines)
    os << "      - " << l.quantity << " × " << l.title << " — "
       << format_money(l.line_total.minor, l.line_total.currency) << "\n";
}

// Later lines of a multi-line reply line up under its first line.
std::string indent_continuation(const std::string& text, const std::string& pad) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n')
      out += pad;
  }
  return out;
}

}  // namespace

std::string format_money(int64_t minor, const std::string& currency) {
  bool negative = minor < 0;
  auto abs = negative ? -minor : minor;
  auto whole = std::to_string(abs / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0)
      grouped += ',';
    grouped += whole[i];
  }
  if (abs % 100 != 0)
    grouped += (abs % 100 < 10 ? ".0" : ".") + std::to_string(abs % 100);
  return (negative ? "-" : "") + grouped + (currency.empty() ? "" : " " + currency);
}

std::string format_turn(size_t number, const script_turn& turn, const turn_outcome& o,
                        const std::vector<check_result>& checks, int64_t latency_us,
                        const transcript_style& style) {
  std::ostringstream os;
  if (style.echo_user) {
    os << "[" << number << "] you";
    if (turn.input != protocol::turn_input::message)
      os << " (" << to_string(turn.input)
         << (turn.product_ref.empty() ? "" : " " + turn.product_ref) << ")";
    os << ": " << turn.text << "\n";
  }
  if (!o.summary) {
    os << "    !! no answer: "
       << (o.failure ? protocol::describe(o.failure) : std::string{"no turn summary"}) << "\n";
  } else {
    os << "    cartmate: " << indent_continuation(o.reply(), "              ") << "\n";
  }
  for (auto& e : o.products) {
    if (!e.heading.empty())
      os << "    " << e.heading << "\n";
    product_lines(os, e.products, style.max_products);
  }
  for (auto& c : o.comparisons) {
    os << "    prices for " << c.comparison.product_id << ": " << c.comparison.offers.size()
       << " offer(s)\n";
  }
  if (!o.carts.empty())
    cart_lines(os, o.carts.back().cart, "");
  else if (o.fetched_cart)
    cart_lines(os, *o.fetched_cart, " (fetched)");
  for (auto& e : o.errors)
    os << "    error " << e.code << ": " << e.message << "\n";
  if (o.summary && style.show_meta) {
    const auto& s = *o.summary;
    os << "    (intents: " << join(s.intents) << "; agents: " << join(s.agents);
    if (!s.order_id.empty())
      os << "; order " << s.order_id;
    if (s.confirmation_asked)
      os << "; confirmation asked";
    if (s.degraded)
      os << "; degraded: " << join(s.degraded_reasons);
    os << "; " << latency_us / 1000.0 << " ms)\n";
  }
  if (o.foreign_events > 0)
    os << "    (" << o.foreign_events << " event(s) of another turn ignored)\n";
  for (auto& c : checks)
    if (style.show_checks || !c.passed)
      os << "    " << (c.passed ? "PASS " : "FAIL ") << c.name << ": " << c.detail << "\n";
  return os.str();
}

}  // namespace cartmate::replay
