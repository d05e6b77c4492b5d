// taste_model.cpp — decayed signal accumulation and the profile summary; see the header.
// Decay is exponential, so the whole profile can be kept as of its newest signal and scaled
// once per newer signal: no per-signal history is stored.
#include "adapters/style/taste_model.hpp"

#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <tuple>

namespace cartmate::style {

namespace {

constexpr double ms_per_day = 86400000.0;

// Weights below this (after decay) are forgotten, so old profiles do not grow forever.
constexpr float negligible = 1e-4f;

// A liked attribute is shown from this weight on (a fifth of one like): a view or two alone
// is no liking.
constexpr float shown_weight = 0.2f;

constexpr size_t max_shown_attributes = 20;

void scale_profile(learned_profile& p, double f) {
  if (!p.taste.empty())
    cblas_sscal(static_cast<int>(p.taste.size()), static_cast<float>(f), p.taste.data(), 1);
  for (auto& [kind, values] : p.attributes) {
    for (auto i = values.begin(); i != values.end();) {
      i->second.weight = static_cast<float>(i->second.weight * f);
      bool idle = std::fabs(i->second.weight) < negligible;
      i = idle ? values.erase(i) : std::next(i);
    }
  }
  p.price_weight *= f;
  p.price_log_sum *= f;
  p.price_log_sq *= f;
}

}  // namespace

taste_model::taste_model(taste_settings settings) : settings_(settings) {
  if (!(settings_.half_life_days > 0))
    settings_.half_life_days = 30.0;
}

float taste_model::weight_of(protocol::signal_kind kind) const noexcept {
  const auto& w = settings_.weights;
  switch (kind) {
    case protocol::signal_kind::liked: return w.liked;
    case protocol::signal_kind::disliked: return w.disliked;
    case protocol::signal_kind::viewed: return w.viewed;
    case protocol::signal_kind::added_to_cart: return w.added_to_cart;
    case protocol::signal_kind::purchased: return w.purchased;
  }
  return 0.f;
}

double taste_model::decay(int64_t dt_ms) const noexcept {
  if (dt_ms <= 0)
    return 1.0;
  return std::exp2(-static_cast<double>(dt_ms) / (settings_.half_life_days * ms_per_day));
}

double taste_model::advance(learned_profile& p, int64_t at_ms) const {
  if (p.as_of_ms == 0 && p.signal_count == 0) {
    p.as_of_ms = at_ms;
    return 1.0;
  }
  if (at_ms > p.as_of_ms) {
    scale_profile(p, decay(at_ms - p.as_of_ms));
    p.as_of_ms = at_ms;
    return 1.0;
  }
  return decay(p.as_of_ms - at_ms);
}

void taste_model::add_attribute(learned_profile& p, const std::string& kind,
                                const std::string& value, double w, bool counted) const {
  if (value.empty() || w == 0)
    return;
  auto& stat = p.attributes[kind][value];
  stat.weight = static_cast<float>(stat.weight + w);
  if (counted)
    ++(w > 0 ? stat.positives : stat.negatives);
}

void taste_model::observe(learned_profile& p, const product_facts& product,
                          protocol::signal_kind kind, int64_t at_ms) const {
  double w = weight_of(kind) * advance(p, at_ms);
  ++p.signal_count;
  if (!product.vector.empty()) {
    if (p.taste.size() != product.vector.size())
      p.taste.assign(product.vector.size(), 0.f);   // first signal, or the catalog's dim changed
    cblas_saxpy(static_cast<int>(p.taste.size()), static_cast<float>(w), product.vector.data(), 1,
                p.taste.data(), 1);
  }
  add_attribute(p, attribute::colour, product.colour, w, true);
  add_attribute(p, attribute::brand, product.brand, w, true);
  add_attribute(p, attribute::product_type, product.product_type, w, true);
  add_attribute(p, attribute::look, look_of(product.colour, product.product_type), w, true);
  if (w > 0 && product.price_minor > 0) {
    double x = std::log(static_cast<double>(product.price_minor));
    p.price_weight += w;
    p.price_log_sum += w * x;
    p.price_log_sq += w * x * x;
  }
}

void taste_model::observe_colours(learned_profile& p,
                                  const std::vector<protocol::colour_share>& colours,
                                  int64_t at_ms) const {
  if (colours.empty())
    return;
  double w = settings_.weights.image * advance(p, at_ms);
  ++p.signal_count;
  for (const auto& c : colours)
    add_attribute(p, attribute::colour, c.colour, w * c.share, false);
}

protocol::style_profile taste_model::summarise(const learned_profile& p, const std::string& user,
                                               int64_t now_ms) const {
  protocol::style_profile out;
  out.user = user;
  out.signal_count = p.signal_count;
  out.stated = p.stated;
  if (!p.taste.empty()) {
    const int n = static_cast<int>(p.taste.size());
    float norm = cblas_snrm2(n, p.taste.data(), 1);
    if (norm > 1e-6f) {
      out.taste = p.taste;
      cblas_sscal(n, 1.f / norm, out.taste.data(), 1);
    }
  }
  double f = now_ms > p.as_of_ms ? decay(now_ms - p.as_of_ms) : 1.0;
  for (const char* kind : {attribute::colour, attribute::brand, attribute::product_type}) {
    auto it = p.attributes.find(kind);
    if (it == p.attributes.end())
      continue;
    for (const auto& [value, stat] : it->second) {
      float w = static_cast<float>(stat.weight * f);
      if (w >= shown_weight)
        out.attributes.push_back(protocol::attribute_preference{kind, value, w});
    }
  }
  std::sort(out.attributes.begin(), out.attributes.end(), [](const auto& x, const auto& y) {
    return x.weight != y.weight ? x.weight > y.weight
                                : std::tie(x.attribute, x.value) < std::tie(y.attribute, y.value);
  });
  if (out.attributes.size() > max_shown_attributes)
    out.attributes.resize(max_shown_attributes);
  if (p.price_weight > 0) {
    double mean = p.price_log_sum / p.price_weight;
    double var = std::max(0.0, p.price_log_sq / p.price_weight - mean * mean);
    double spread = std::max(std::sqrt(var), std::log(1.25));   // at least +-25%
    out.price_band_min_minor = std::llround(std::exp(mean - spread));
    out.price_band_max_minor = std::llround(std::exp(mean + spread));
  }
  return out;
}

bool remember_key(learned_profile& p, const std::string& key) {
  if (key.empty())
    return true;
  if (std::find(p.recent_keys.begin(), p.recent_keys.end(), key) != p.recent_keys.end())
    return false;
  p.recent_keys.push_back(key);
  if (p.recent_keys.size() > max_recent_keys)
    p.recent_keys.erase(p.recent_keys.begin(),
                        p.recent_keys.begin() + (p.recent_keys.size() - max_recent_keys));
  return true;
}

void set_stated(learned_profile& p, protocol::stated_preference pref) {
  for (auto& s : p.stated) {
    if (s.key == pref.key) {
      s = std::move(pref);
      return;
    }
  }
  p.stated.push_back(std::move(pref));
}

size_t forget_stated(learned_profile& p, const std::string& key) {
  auto before = p.stated.size();
  if (key.empty())
    p.stated.clear();
  else
    p.stated.erase(std::remove_if(p.stated.begin(), p.stated.end(),
                                  [&](const auto& s) { return s.key == key; }),
                   p.stated.end());
  return before - p.stated.size();
}

const protocol::stated_preference* stated(const learned_profile& p, const std::string& key) {
  for (const auto& s : p.stated)
    if (s.key == key)
      return &s;
  return nullptr;
}

bool is_cold(const learned_profile& p) {
  if (p.signal_count > 0 || !p.attributes.empty())
    return false;
  for (const auto& s : p.stated)
    if (s.key != "size" && s.key != "gender")
      return false;
  return true;
}

std::string look_of(const std::string& colour, const std::string& product_type) {
  if (colour.empty() || product_type.empty())
    return {};
  return colour + " " + product_type;
}

}  // namespace cartmate::style
