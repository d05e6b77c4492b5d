// expectations.cpp — the checks behind every replay expectation.
#include "actors/replay/expectations.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "protocol/errors.hpp"

namespace cartmate::replay {

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

bool equals_any_ci(std::string_view value, const std::vector<std::string>& accepted) {
  auto v = lower(value);
  return std::any_of(accepted.begin(), accepted.end(),
                     [&](const std::string& a) { return lower(a) == v; });
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
      cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty())
    out.push_back(std::move(cur));
  return out;
}

std::string singular(std::string w) {
  if (w.size() > 3 && w.back() == 's' && w[w.size() - 2] != 's')
    w.pop_back();
  return w;
}

// "shoe" matches the types "shoe", "running shoe" and "Shoes"; every word of a multi-word
// expectation must appear in the type, in order.
bool type_matches(std::string_view type, const std::string& expected) {
  auto have = words_of(type);
  auto want = words_of(expected);
  if (want.empty())
    return false;
  for (auto& w : have)
    w = singular(w);
  size_t at = 0;
  for (auto& w : want) {
    auto s = singular(w);
    auto it = std::find(have.begin() + static_cast<std::ptrdiff_t>(at), have.end(), s);
    if (it == have.end())
      return false;
    at = static_cast<size_t>(it - have.begin()) + 1;
  }
  return true;
}

std::string join(const std::vector<std::string>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

std::string money_text(int64_t minor) {
  std::ostringstream os;
  os << minor / 100;
  if (minor % 100 != 0)
    os << "." << (minor % 100 < 10 ? "0" : "") << minor % 100;
  return os.str();
}

std::string short_product(const protocol::product& p) {
  return p.id + " '" + p.title + "' (" + money_text(p.price.minor) + ")";
}

class checker {
 public:
  void add(std::string name, bool passed, std::string detail) {
    out_.push_back(check_result{std::move(name), passed, std::move(detail)});
  }

  std::vector<check_result> take() { return std::move(out_); }

 private:
  std::vector<check_result> out_;
};

void check_intents(checker& c, const std::vector<std::string>& want,
                   const protocol::turn_summary& s) {
  size_t at = 0;
  bool ok = true;
  for (auto& w : want) {
    auto it = std::find(s.intents.begin() + static_cast<std::ptrdiff_t>(at), s.intents.end(), w);
    if (it == s.intents.end()) {
      ok = false;
      break;
    }
    at = static_cast<size_t>(it - s.intents.begin()) + 1;
  }
  c.add("intent", ok, "expected [" + join(want) + "], understood [" + join(s.intents) + "]");
}

std::set<std::string> agents_involved(const turn_outcome& o) {
  std::set<std::string> out;
  if (o.summary)
    out.insert(o.summary->agents.begin(), o.summary->agents.end());
  for (auto& d : o.delegations)
    out.insert(std::string{protocol::to_string(d.agent)});
  return out;
}

void check_products(checker& c, const product_expectation& p, const turn_outcome& o,
                    const std::vector<protocol::product>& previous) {
  auto shown = o.shown_products();
  if (p.min)
    c.add("products.min", shown.size() >= *p.min,
          "expected at least " + std::to_string(*p.min) + ", shown " + std::to_string(shown.size()));
  if (p.max)
    c.add("products.max", shown.size() <= *p.max,
          "expected at most " + std::to_string(*p.max) + ", shown " + std::to_string(shown.size()));
  bool has_constraints = p.min_price_minor || p.max_price_minor || !p.colour.empty()
                         || !p.product_type.empty() || !p.gender.empty() || !p.brand.empty()
                         || !p.title_contains.empty() || p.in_stock;
  if (has_constraints) {
    size_t bad = 0;
    std::string first_bad;
    for (auto& x : shown) {
      std::string why;
      if (!product_matches(p, x, why) && bad++ == 0)
        first_bad = short_product(x) + ": " + why;
    }
    // Constraints over nothing would pass vacuously: products must have been shown.
    if (shown.empty())
      c.add("products.constraints", false, "no products were shown to check");
    else
      c.add("products.constraints", bad == 0,
            bad == 0 ? std::to_string(shown.size()) + " product(s) meet every constraint"
                     : std::to_string(bad) + " of " + std::to_string(shown.size())
                         + " product(s) break a constraint, first " + first_bad);
  }
  if (p.new_results) {
    std::set<std::string> before;
    for (auto& x : previous)
      before.insert(x.id);
    auto repeated = std::count_if(shown.begin(), shown.end(),
                                  [&](const protocol::product& x) { return before.count(x.id); });
    c.add("products.new", !shown.empty() && !previous.empty() && repeated == 0,
          previous.empty() ? "no earlier turn showed products"
                           : std::to_string(repeated) + " of " + std::to_string(shown.size())
                               + " product(s) were shown before");
  }
  if (p.cheaper_than_previous) {
    int64_t dearest = -1;
    for (auto& x : previous)
      dearest = std::max(dearest, x.price.minor);
    auto not_cheaper = std::count_if(shown.begin(), shown.end(), [&](const protocol::product& x) {
      return x.price.minor >= dearest;
    });
    c.add("products.cheaper_than_previous", dearest >= 0 && !shown.empty() && not_cheaper == 0,
          dearest < 0 ? "no earlier turn showed products"
                      : std::to_string(not_cheaper) + " of " + std::to_string(shown.size())
                          + " product(s) cost at least the earlier dearest "
                          + money_text(dearest));
  }
}

void check_cart(checker& c, const cart_expectation& e, const turn_outcome& o) {
  auto* cart = o.cart_after();
  if (!cart) {
    c.add("cart", false,
          "no cart_event and the cart could not be fetched"
            + (o.fetch_failure.empty() ? std::string{} : ": " + o.fetch_failure));
    return;
  }
  if (e.items)
    c.add("cart.items", cart->item_count == *e.items,
          "expected " + std::to_string(*e.items) + " item(s), cart has "
            + std::to_string(cart->item_count));
  if (e.lines)
    c.add("cart.lines", cart->lines.size() == *e.lines,
          "expected " + std::to_string(*e.lines) + " line(s), cart has "
            + std::to_string(cart->lines.size()));
  if (e.empty)
    c.add("cart.empty", cart->lines.empty() == *e.empty,
          std::string{"expected the cart "} + (*e.empty ? "empty" : "not empty") + ", it has "
            + std::to_string(cart->lines.size()) + " line(s)");
  for (auto& want : e.contains) {
    bool found = std::any_of(cart->lines.begin(), cart->lines.end(),
                             [&](const protocol::cart_line& l) { return contains_ci(l.title, want); });
    c.add("cart.contains", found, "a line titled like '" + want + "'");
  }
  if (e.quantity_of_first) {
    auto have = cart->lines.empty() ? -1 : cart->lines.front().quantity;
    c.add("cart.quantity_of_first", have == *e.quantity_of_first,
          "expected " + std::to_string(*e.quantity_of_first) + ", first line has "
            + (have < 0 ? std::string{"no line"} : std::to_string(have)));
  }
}

void check_order(checker& c, bool want, const turn_outcome& o) {
  auto id = o.summary ? o.summary->order_id : std::string{};
  if (!want) {
    c.add("order_placed", id.empty(), id.empty() ? "no order placed" : "order " + id + " placed");
    return;
  }
  if (id.empty()) {
    c.add("order_placed", false, "the turn placed no order");
    return;
  }
  if (!o.orders) {
    c.add("order_placed", false, "order " + id + " claimed, but the order history could not be read"
                                   + (o.fetch_failure.empty() ? "" : ": " + o.fetch_failure));
    return;
  }
  auto& list = o.orders->orders;
  auto it = std::find_if(list.begin(), list.end(),
                         [&](const protocol::order& x) { return x.order_id == id; });
  c.add("order_placed", it != list.end() && !it->lines.empty(),
        it == list.end() ? "order " + id + " is not in the cart agent's order history"
                         : "order " + id + " with " + std::to_string(it->lines.size())
                             + " line(s) is in the order history");
}

}  // namespace

const protocol::cart_view* turn_outcome::cart_after() const {
  if (!carts.empty())
    return &carts.back().cart;
  if (fetched_cart)
    return &*fetched_cart;
  return nullptr;
}

std::vector<protocol::product> turn_outcome::shown_products() const {
  std::vector<protocol::product> out;
  for (auto& e : products)
    out.insert(out.end(), e.products.begin(), e.products.end());
  return out;
}

std::string turn_outcome::reply() const {
  if (summary && !summary->reply.empty())
    return summary->reply;
  if (!finals.empty())
    return finals.back().text;
  return {};
}

bool product_matches(const product_expectation& p, const protocol::product& x, std::string& why) {
  if (p.max_price_minor && x.price.minor > *p.max_price_minor) {
    why = "price above " + money_text(*p.max_price_minor);
    return false;
  }
  if (p.min_price_minor && x.price.minor < *p.min_price_minor) {
    why = "price below " + money_text(*p.min_price_minor);
    return false;
  }
  if (!p.colour.empty() && !equals_any_ci(x.colour, p.colour)) {
    why = "colour '" + x.colour + "' is not " + join(p.colour);
    return false;
  }
  if (!p.gender.empty() && !equals_any_ci(x.gender, p.gender)) {
    why = "gender '" + x.gender + "' is not " + join(p.gender);
    return false;
  }
  if (!p.brand.empty() && !equals_any_ci(x.brand, p.brand)) {
    why = "brand '" + x.brand + "' is not " + join(p.brand);
    return false;
  }
  if (!p.product_type.empty()
      && std::none_of(p.product_type.begin(), p.product_type.end(),
                      [&](const std::string& t) { return type_matches(x.product_type, t); })) {
    why = "type '" + x.product_type + "' is not " + join(p.product_type);
    return false;
  }
  if (!p.title_contains.empty()
      && std::none_of(p.title_contains.begin(), p.title_contains.end(),
                      [&](const std::string& t) { return contains_ci(x.title, t); })) {
    why = "title lacks " + join(p.title_contains);
    return false;
  }
  if (p.in_stock && x.stock <= 0) {
    why = "out of stock";
    return false;
  }
  return true;
}

std::vector<check_result> check_turn(const turn_expectations& e, const turn_outcome& o,
                                     const std::vector<protocol::product>& previous) {
  checker c;
  if (!o.summary) {
    c.add("turn completed", false,
          o.failure ? protocol::describe(o.failure) : std::string{"no turn summary arrived"});
    return c.take();
  }
  const auto& s = *o.summary;
  if (!e.intents.empty())
    check_intents(c, e.intents, s);
  if (!e.agents.empty() || !e.no_agents.empty()) {
    auto involved = agents_involved(o);
    std::vector<std::string> seen{involved.begin(), involved.end()};
    for (auto& a : e.agents)
      c.add("agents", involved.count(a) > 0, "expected " + a + " among [" + join(seen) + "]");
    for (auto& a : e.no_agents)
      c.add("no_agents", involved.count(a) == 0, "expected no " + a + " among [" + join(seen) + "]");
  }
  if (e.products)
    check_products(c, *e.products, o, previous);
  if (e.cart)
    check_cart(c, *e.cart, o);
  if (e.confirmation_asked) {
    bool asked = s.confirmation_asked
                 || std::any_of(o.finals.begin(), o.finals.end(),
                                [](const protocol::final_event& f) { return f.confirmation_asked; });
    c.add("confirmation_asked", asked == *e.confirmation_asked,
          std::string{"expected "} + (*e.confirmation_asked ? "a" : "no") + " confirmation question, "
            + (asked ? "one was asked" : "none was asked"));
  }
  if (e.order_placed)
    check_order(c, *e.order_placed, o);
  if (e.degraded)
    c.add("degraded", s.degraded == *e.degraded,
          std::string{"expected "} + (*e.degraded ? "a degraded" : "a full") + " answer, got "
            + (s.degraded ? "degraded [" + join(s.degraded_reasons) + "]" : "a full one"));
  if (e.error)
    c.add("error", o.errors.empty() != *e.error,
          std::string{"expected "} + (*e.error ? "an" : "no") + " error event, got "
            + std::to_string(o.errors.size()));
  auto reply = o.reply();
  for (auto& want : e.reply_contains)
    c.add("reply_contains", contains_ci(reply, want), "'" + want + "' in the reply");
  for (auto& unwanted : e.reply_not_contains)
    c.add("reply_not_contains", !contains_ci(reply, unwanted), "no '" + unwanted + "' in the reply");
  return c.take();
}

}  // namespace cartmate::replay
