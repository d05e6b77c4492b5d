// preferences.cpp — stated preferences applied to searches; see preferences.hpp.
#include "actors/orchestrator/preferences.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "actors/orchestrator/replies.hpp"

namespace cartmate::orchestrator {

namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool same(const std::string& a, const std::string& b) {
  return lower(a) == lower(b);
}

bool contains_folded(const std::vector<std::string>& xs, const std::string& x) {
  return std::any_of(xs.begin(), xs.end(), [&x](const std::string& y) { return same(x, y); });
}

// "yellow", "yellow and pink", "yellow, pink and red"
std::string joined(const std::vector<std::string>& xs) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i)
    out += (i == 0 ? "" : i + 1 == xs.size() ? " and " : ", ") + lower(xs[i]);
  return out;
}

}  // namespace

shopper_preferences preferences_of(const std::vector<protocol::stated_preference>& stated) {
  shopper_preferences out;
  for (const auto& s : stated) {
    if (s.value.empty())
      continue;
    if (s.key == "budget") {
      char* end = nullptr;
      long long v = std::strtoll(s.value.c_str(), &end, 10);
      if (end != s.value.c_str() && *end == '\0' && v > 0)
        out.budget_minor = v;
    } else if (s.key == "avoid_colour") {
      if (!contains_folded(out.avoid_colours, s.value))
        out.avoid_colours.push_back(s.value);
    } else if (s.key == "size") {
      out.size = s.value;
    }
  }
  return out;
}

applied_preferences apply_preferences(const shopper_preferences& prefs,
                                      protocol::search_filters& filters) {
  applied_preferences out;
  if (prefs.budget_minor && filters.max_price_minor < 0
      && filters.min_price_minor < *prefs.budget_minor) {
    filters.max_price_minor = *prefs.budget_minor;
    out.budget_minor = prefs.budget_minor;
  }
  for (const auto& colour : prefs.avoid_colours) {
    if (!filters.colour.empty() && same(filters.colour, colour)) {
      out.asked_anyway.push_back(colour);
      continue;
    }
    if (!contains_folded(filters.exclude_colours, colour))
      filters.exclude_colours.push_back(colour);
    out.left_out.push_back(colour);
  }
  if (!prefs.size.empty() && filters.size.empty()) {
    filters.size = prefs.size;
    out.size = prefs.size;
  }
  return out;
}

std::string applied_text(const applied_preferences& a, const std::string& currency) {
  std::vector<std::string> parts;
  if (a.budget_minor)
    parts.push_back("within your budget of " + format_amount(*a.budget_minor, currency));
  if (!a.left_out.empty())
    parts.push_back("leaving out " + joined(a.left_out));
  if (!a.size.empty())
    parts.push_back("in your size " + a.size);
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i)
    out += (i == 0 ? "" : ", ") + parts[i];
  if (!out.empty()) {
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    out += " (from what you told me).";
  }
  if (!a.asked_anyway.empty())
    out += std::string{out.empty() ? "" : " "} + "You said you don't like "
           + joined(a.asked_anyway) + ", but you asked for it, so I included it.";
  return out;
}

bool lacks_sizes(const std::vector<protocol::product>& products) {
  return !products.empty()
         && std::all_of(products.begin(), products.end(),
                        [](const protocol::product& p) { return p.sizes.empty(); });
}

}  // namespace cartmate::orchestrator
