// conversation_context.cpp — reference resolution and refinement over a conversation's memory.
#include "actors/orchestrator/conversation_context.hpp"

#include <algorithm>
#include <cstdint>

#include "adapters/nlu/vocabulary.hpp"

namespace cartmate::orchestrator {

namespace {

std::string count_items(size_t n) {
  return std::to_string(n) + (n == 1 ? " item" : " items");
}

std::string nothing_shown_problem() {
  return "I haven't shown you any products yet. Tell me what you're looking for, "
         "e.g. \"black running shoes under 3000\".";
}

bool same_word(const std::string& a, const std::string& b) {
  return nlu::vocabulary::normalise_phrase(a) == nlu::vocabulary::normalise_phrase(b);
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> out;
  auto norm = nlu::vocabulary::normalise_phrase(text);
  size_t i = 0;
  while (i < norm.size()) {
    auto j = norm.find(' ', i);
    if (j == std::string::npos)
      j = norm.size();
    auto w = norm.substr(i, j - i);
    if (w.size() > 2 && w.back() == 's')
      w.pop_back();  // "shoes" names the same kind of item as "shoe"
    out.push_back(std::move(w));
    i = j + 1;
  }
  return out;
}

// A named type matches a product's type when their last words agree and every word of the
// named type occurs in it: "shoe" matches "running shoe", as the discovery filter does.
bool type_matches(const std::string& wanted, const std::string& have) {
  auto w = words_of(wanted);
  auto h = words_of(have);
  if (w.empty())
    return true;
  if (h.empty() || w.back() != h.back())
    return false;
  return std::all_of(w.begin(), w.end(), [&](const std::string& x) {
    return std::find(h.begin(), h.end(), x) != h.end();
  });
}

// Every word of `wanted` is a word of `title` ("navy blue" in "Roadster Men Navy Blue Jeans").
bool title_has(const std::string& title, const std::string& wanted) {
  auto w = words_of(wanted);
  auto t = words_of(title);
  return !w.empty() && std::all_of(w.begin(), w.end(), [&](const std::string& x) {
    return std::find(t.begin(), t.end(), x) != t.end();
  });
}

// An attribute the product does not carry (a cart line knows only its title) is looked for in
// the title instead.
bool attribute_matches(const std::optional<std::string>& wanted, const std::string& have,
                       const std::string& title) {
  if (!wanted)
    return true;
  return have.empty() ? title_has(title, *wanted) : same_word(*wanted, have);
}

bool matches_attributes(const protocol::product& p, const nlu::slot_values& s) {
  if (!attribute_matches(s.colour, p.colour, p.title) || !attribute_matches(s.brand, p.brand, p.title)
      || !attribute_matches(s.gender, p.gender, p.title))
    return false;
  if (s.product_type)
    return p.product_type.empty() ? title_has(p.title, *s.product_type)
                                  : type_matches(*s.product_type, p.product_type);
  return true;
}

}  // namespace

resolution resolve_reference(const nlu::slot_values& slots, const conversation_context& ctx) {
  resolution out;
  auto ref = slots.ref.value_or(nlu::reference{nlu::reference_kind::last_mentioned, 0});
  const auto& shown = ctx.shown;
  switch (ref.kind) {
    case nlu::reference_kind::last_mentioned:
      if (ctx.focused) {
        out.items.push_back(*ctx.focused);
      } else if (shown.size() == 1) {
        out.items.push_back(shown.front());
      } else if (shown.empty()) {
        out.problem = nothing_shown_problem();
      } else {
        out.ambiguous = true;
        out.problem = "Which one do you mean? I showed " + count_items(shown.size())
                      + "; say e.g. \"the first one\" or \"the cheapest\".";
      }
      return out;
    case nlu::reference_kind::ordinal: {
      if (shown.empty()) {
        out.problem = nothing_shown_problem();
        return out;
      }
      auto n = static_cast<int64_t>(shown.size());
      int64_t pos = ref.index > 0 ? ref.index - 1 : n + ref.index;
      if (ref.index == 0 || pos < 0 || pos >= n) {
        out.problem = "I only showed " + count_items(shown.size()) + ", so there is no item "
                      + (ref.index > 0 ? "number " + std::to_string(ref.index) : "there")
                      + ". Pick one from 1 to " + std::to_string(n) + ".";
        return out;
      }
      out.items.push_back(shown[static_cast<size_t>(pos)]);
      return out;
    }
    case nlu::reference_kind::cheapest:
    case nlu::reference_kind::most_expensive: {
      if (shown.empty()) {
        out.problem = nothing_shown_problem();
        return out;
      }
      auto by_price = [](const protocol::product& a, const protocol::product& b) {
        return a.price.minor < b.price.minor;
      };
      auto it = ref.kind == nlu::reference_kind::cheapest
                  ? std::min_element(shown.begin(), shown.end(), by_price)
                  : std::max_element(shown.begin(), shown.end(), by_price);
      out.items.push_back(*it);
      return out;
    }
    case nlu::reference_kind::all:
      if (shown.empty())
        out.problem = nothing_shown_problem();
      else
        out.items = shown;
      return out;
    case nlu::reference_kind::by_attributes: {
      if (shown.empty()) {
        out.problem = nothing_shown_problem();
        return out;
      }
      for (const auto& p : shown)
        if (matches_attributes(p, slots))
          out.items.push_back(p);
      if (out.items.empty())
        out.problem = "None of the " + count_items(shown.size())
                      + " I showed matches that. Which one do you mean?";
      else if (out.items.size() > 1)
        out.ambiguous = true;
      if (out.ambiguous)
        out.problem = "More than one item I showed matches that; say e.g. \"the first one\".";
      return out;
    }
  }
  return out;
}

protocol::search_filters filters_from(const nlu::slot_values& s) {
  protocol::search_filters f;
  if (s.min_price_minor)
    f.min_price_minor = *s.min_price_minor;
  if (s.max_price_minor)
    f.max_price_minor = *s.max_price_minor;
  f.colour = s.colour.value_or("");
  f.gender = s.gender.value_or("");
  f.brand = s.brand.value_or("");
  f.product_type = s.product_type.value_or("");
  f.size = s.size.value_or("");
  if (s.exclude_colour)
    f.exclude_colours.push_back(*s.exclude_colour);
  return f;
}

void refine_search(search_state& search, const nlu::slot_values& s,
                   const std::vector<protocol::product>& shown) {
  auto& f = search.filters;
  if (s.product_type)
    f.product_type = *s.product_type;
  if (s.colour) {
    f.colour = *s.colour;
    // Asking for a colour overrides an earlier "not that colour".
    f.exclude_colours.erase(std::remove_if(f.exclude_colours.begin(), f.exclude_colours.end(),
                                           [&](const std::string& c) { return same_word(c, *s.colour); }),
                            f.exclude_colours.end());
  }
  if (s.exclude_colour) {
    if (same_word(f.colour, *s.exclude_colour))
      f.colour.clear();
    f.exclude_colours.push_back(*s.exclude_colour);
  }
  if (s.brand)
    f.brand = *s.brand;
  if (s.gender)
    f.gender = *s.gender;
  if (s.size)
    f.size = *s.size;
  if (s.min_price_minor)
    f.min_price_minor = *s.min_price_minor;
  if (s.max_price_minor)
    f.max_price_minor = *s.max_price_minor;
  if (s.direction && !s.max_price_minor && !s.min_price_minor) {
    auto by_price = [](const protocol::product& a, const protocol::product& b) {
      return a.price.minor < b.price.minor;
    };
    if (*s.direction == nlu::price_direction::cheaper) {
      int64_t bound = -1;
      if (!shown.empty())
        bound = std::min_element(shown.begin(), shown.end(), by_price)->price.minor - 1;
      else if (f.max_price_minor > 0)
        bound = f.max_price_minor * 4 / 5;
      if (bound >= 0) {
        f.max_price_minor = bound;
        if (f.min_price_minor > bound)
          f.min_price_minor = -1;
      }
    } else {
      int64_t bound = -1;
      if (!shown.empty())
        bound = std::max_element(shown.begin(), shown.end(), by_price)->price.minor + 1;
      else if (f.min_price_minor > 0)
        bound = f.min_price_minor * 5 / 4;
      if (bound >= 0) {
        f.min_price_minor = bound;
        if (f.max_price_minor >= 0 && f.max_price_minor < bound)
          f.max_price_minor = -1;
      }
    }
  }
  // Words no slot took ("with a hood") narrow the text query only when nothing structured
  // changed; otherwise they are usually leftovers of the cue ("show me").
  bool structured = s.product_type || s.colour || s.exclude_colour || s.brand || s.gender
                    || s.size || s.min_price_minor || s.max_price_minor || s.direction;
  if (!structured && !s.query.empty())
    search.query = search.query.empty() ? s.query : search.query + " " + s.query;
  search.active = true;
  search.offset = 0;
}

std::vector<protocol::product> products_of(const protocol::cart_view& cart,
                                           const conversation_context& ctx) {
  std::vector<protocol::product> out;
  out.reserve(cart.lines.size());
  for (const auto& line : cart.lines) {
    protocol::product p;
    if (auto it = ctx.seen.find(line.product_id); it != ctx.seen.end())
      p = it->second;
    p.id = line.product_id;
    p.title = line.title;
    p.price = line.unit_price;
    out.push_back(std::move(p));
  }
  return out;
}

void remember_products(conversation_context& ctx, const std::vector<protocol::product>& products) {
  for (const auto& p : products) {
    if (p.id.empty())
      continue;
    auto [it, fresh] = ctx.seen.insert_or_assign(p.id, p);
    if (fresh)
      ctx.seen_order.push_back(p.id);
  }
  while (ctx.seen.size() > max_seen && !ctx.seen_order.empty()) {
    ctx.seen.erase(ctx.seen_order.front());
    ctx.seen_order.pop_front();
  }
}

resolution resolve_in_cart(const nlu::slot_values& slots, const conversation_context& ctx,
                           const protocol::cart_view& cart) {
  resolution out;
  if (cart.lines.empty()) {
    out.problem = "Your cart is empty.";
    return out;
  }
  auto lines = products_of(cart, ctx);
  const bool names_attributes = slots.product_type || slots.colour || slots.brand || slots.gender;
  const bool by_attributes = !slots.ref || slots.ref->kind == nlu::reference_kind::by_attributes;
  if (names_attributes && by_attributes) {
    for (const auto& p : lines)
      if (matches_attributes(p, slots))
        out.items.push_back(p);
    if (out.items.empty())
      out.problem = "Nothing in your cart matches that. Your cart has "
                    + count_items(lines.size()) + "; say \"show my cart\" to see them.";
    else if (out.items.size() > 1)
      out.ambiguous = true;
    return out;
  }
  // "the second one", "it", "them": what the shopper sees, as far as it is in the cart.
  auto on_screen = resolve_reference(slots, ctx);
  if (on_screen.items.empty() || on_screen.ambiguous) {
    out.problem = on_screen.problem;
    return out;
  }
  auto in_cart = [&lines](const protocol::product& p) {
    return std::any_of(lines.begin(), lines.end(),
                       [&p](const protocol::product& l) { return l.id == p.id; });
  };
  for (const auto& p : on_screen.items)
    if (in_cart(p))
      out.items.push_back(p);
  if (out.items.empty())
    out.problem = on_screen.items.size() == 1 ? on_screen.items.front().title + " isn't in your cart."
                                              : "None of those is in your cart.";
  return out;
}

}  // namespace cartmate::orchestrator
