// style_ranker.cpp — the blended style score and the reason; see the header.
#include "adapters/style/style_ranker.hpp"

#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <optional>

#include "adapters/style/colour_palette.hpp"

namespace cartmate::style {

namespace {

// Share of each learned attribute kind in the attribute score; `look` is the most specific.
struct kind_share {
  const char* kind;
  float share;
};
constexpr kind_share kind_shares[] = {{attribute::colour, 0.3f},
                                      {attribute::product_type, 0.25f},
                                      {attribute::brand, 0.2f},
                                      {attribute::look, 0.25f}};

// value -> weight / largest |weight| of that kind, so each kind scores in -1..1 whatever the
// profile's age (decay scales every weight alike).
struct kind_scale {
  const std::map<std::string, attribute_stat>* values = nullptr;
  float max_abs = 0.f;
};

kind_scale scale_of(const learned_profile& p, const char* kind) {
  kind_scale s;
  auto it = p.attributes.find(kind);
  if (it == p.attributes.end())
    return s;
  s.values = &it->second;
  for (const auto& [value, stat] : it->second)
    s.max_abs = std::max(s.max_abs, std::fabs(stat.weight));
  return s;
}

float preference(const kind_scale& s, const std::string& value) {
  if (s.values == nullptr || s.max_abs <= 0.f || value.empty())
    return 0.f;
  auto it = s.values->find(value);
  return it == s.values->end() ? 0.f : it->second.weight / s.max_abs;
}

const attribute_stat* stat_of(const learned_profile& p, const char* kind,
                              const std::string& value) {
  auto it = p.attributes.find(kind);
  if (it == p.attributes.end() || value.empty())
    return nullptr;
  auto v = it->second.find(value);
  return v == it->second.end() ? nullptr : &v->second;
}

const std::string& value_of(const product_facts& f, const char* kind, const std::string& look) {
  std::string_view k{kind};
  if (k == attribute::colour)
    return f.colour;
  if (k == attribute::brand)
    return f.brand;
  if (k == attribute::product_type)
    return f.product_type;
  return look;
}

bool same(const std::string& a, const std::string& b) {
  return !a.empty() && fold_case(a) == fold_case(b);
}

// +1 per stated liking the product matches, -1 per stated avoidance, -1 above a stated budget.
float stated_score(const learned_profile& p, const product_facts& f) {
  float s = 0.f;
  for (const auto& pref : p.stated) {
    if (pref.key == "colour" && same(pref.value, f.colour))
      s += 1.f;
    else if (pref.key == "brand" && same(pref.value, f.brand))
      s += 1.f;
    else if (pref.key == "product_type" && same(pref.value, f.product_type))
      s += 1.f;
    else if (pref.key == "avoid_colour" && same(pref.value, f.colour))
      s -= 1.f;
    else if (pref.key == "avoid_brand" && same(pref.value, f.brand))
      s -= 1.f;
    else if (pref.key == "avoid_product_type" && same(pref.value, f.product_type))
      s -= 1.f;
    else if (pref.key == "budget") {
      long long budget = std::atoll(pref.value.c_str());
      if (budget > 0 && f.price_minor > budget)
        s -= 1.f;
    }
  }
  return s;
}

struct price_band {
  bool known = false;
  double mean = 0;
  double spread = 1;
};

price_band band_of(const learned_profile& p) {
  price_band b;
  if (p.price_weight <= 0)
    return b;
  b.known = true;
  b.mean = p.price_log_sum / p.price_weight;
  double var = std::max(0.0, p.price_log_sq / p.price_weight - b.mean * b.mean);
  b.spread = std::max(std::sqrt(var), std::log(1.25));
  return b;
}

float price_fit(const price_band& b, int64_t price_minor) {
  if (!b.known || price_minor <= 0)
    return 0.f;
  double z = (std::log(static_cast<double>(price_minor)) - b.mean) / b.spread;
  return static_cast<float>(std::exp(-0.5 * z * z));
}

std::string lower(const std::string& s) {
  return fold_case(s);
}

// Why `top` came first, from the strongest evidence it matches.
std::string reason_for(const learned_profile& p, const product_facts& top, float cosine) {
  for (const char* key : {"colour", "product_type", "brand"}) {
    const auto* s = stated(p, key);
    if (s && same(s->value, value_of(top, key, top.colour)))
      return "you told me you like " + (std::string_view{key} == "brand" ? s->value : lower(s->value));
  }
  auto look = look_of(top.colour, top.product_type);
  const auto* look_stat = stat_of(p, attribute::look, look);
  if (look_stat && look_stat->weight > 0 && look_stat->positives > 0) {
    if (look_stat->positives > 1)
      return "you liked several " + lower(top.colour) + " " + plural_of(top.product_type);
    return "you liked a " + lower(top.colour) + " " + top.product_type;
  }
  std::vector<std::string> parts;
  bool shown_only = true;   // every part comes from images, none from liked products
  auto positive = [&](const char* kind, const std::string& value) -> const attribute_stat* {
    const auto* s = stat_of(p, kind, value);
    return s && s->weight > 0 ? s : nullptr;
  };
  if (const auto* s = positive(attribute::colour, top.colour)) {
    parts.push_back(lower(top.colour) + " things");
    shown_only = shown_only && s->positives == 0;
  }
  if (const auto* s = positive(attribute::product_type, top.product_type)) {
    parts.push_back(plural_of(top.product_type));
    shown_only = shown_only && s->positives == 0;
  }
  if (const auto* s = positive(attribute::brand, top.brand)) {
    parts.push_back(top.brand);
    shown_only = shown_only && s->positives == 0;
  }
  if (!parts.empty()) {
    std::string joined = parts.front();
    for (size_t i = 1; i < parts.size(); ++i)
      joined += (i + 1 == parts.size() ? " and " : ", ") + parts[i];
    if (shown_only)
      return "the images you showed me were mostly " + lower(top.colour);
    return "you liked " + joined;
  }
  if (cosine > 0.1f)
    return "it is closest to the items you liked";
  return "it is furthest from what you disliked";
}

}  // namespace

std::string plural_of(const std::string& t) {
  if (t.empty())
    return "items";
  auto ends = [&](std::string_view suffix) {
    return t.size() >= suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends("ss"))
    return t + "es";   // "dress"
  if (ends("s") || ends("wear"))
    return t;   // "running shoes", "jeans", "footwear"
  if (ends("x") || ends("ch") || ends("sh"))
    return t + "es";
  if (ends("y") && t.size() > 1 && std::string_view{"aeiou"}.find(t[t.size() - 2]) == std::string_view::npos)
    return t.substr(0, t.size() - 1) + "ies";
  return t + "s";
}

protocol::style_ranking rank_by_style(const learned_profile& profile,
                                      const std::vector<std::string>& product_ids,
                                      const style_catalog& catalog, const rank_options& options) {
  protocol::style_ranking out;
  const size_t n = product_ids.size();
  if (is_cold(profile)) {
    out.product_ids = product_ids;
    out.scores.assign(n, 0.f);
    out.reason = cold_start_reason;
    return out;
  }
  std::vector<std::optional<product_facts>> facts(n);
  for (size_t i = 0; i < n; ++i)
    if (auto f = catalog.facts(product_ids[i]))
      facts[i] = std::move(*f);

  std::vector<float> taste;
  if (!profile.taste.empty() && profile.taste.size() == catalog.dim()) {
    const int d = static_cast<int>(profile.taste.size());
    float norm = cblas_snrm2(d, profile.taste.data(), 1);
    if (norm > 1e-6f) {
      taste = profile.taste;
      cblas_sscal(d, 1.f / norm, taste.data(), 1);
    }
  }
  kind_scale scales[std::size(kind_shares)];
  for (size_t k = 0; k < std::size(kind_shares); ++k)
    scales[k] = scale_of(profile, kind_shares[k].kind);
  auto band = band_of(profile);

  std::vector<float> scores(n, 0.f);
  std::vector<float> cosines(n, 0.f);
  for (size_t i = 0; i < n; ++i) {
    if (!facts[i])
      continue;
    const auto& f = *facts[i];
    if (!taste.empty() && f.vector.size() == taste.size())
      cosines[i] = cblas_sdot(static_cast<int>(taste.size()), taste.data(), 1, f.vector.data(), 1);
    auto look = look_of(f.colour, f.product_type);
    float attr = 0.f;
    for (size_t k = 0; k < std::size(kind_shares); ++k)
      attr += kind_shares[k].share * preference(scales[k], value_of(f, kind_shares[k].kind, look));
    scores[i] = options.taste_weight * cosines[i] + options.attribute_weight * attr
                + options.price_weight * price_fit(band, f.price_minor)
                + options.stated_weight * stated_score(profile, f);
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (facts[a].has_value() != facts[b].has_value())
      return facts[a].has_value();
    return scores[a] > scores[b];
  });
  for (size_t i : order) {
    out.product_ids.push_back(product_ids[i]);
    out.scores.push_back(scores[i]);
  }
  if (n == 0 || !facts[order.front()]) {
    out.reason = "none of these products is in the catalog, so they keep their order";
    return out;
  }
  out.reason = reason_for(profile, *facts[order.front()], cosines[order.front()]);
  return out;
}

}  // namespace cartmate::style
