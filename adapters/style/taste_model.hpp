// taste_model.hpp — a shopper's learned style: a taste vector in the product embedding space
// and attribute weights (colour, brand, product type, their colour+type combination, price),
// moved by signals with per-kind weights and exponential decay over time.
// Threading: learned_profile is a plain value; taste_model is immutable and its members are
// safe from any thread. One actor owns a user's profile at a time (the style profiler).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adapters/style/style_catalog.hpp"
#include "protocol/style_messages.hpp"

namespace cartmate::style {

/// Learned liking for one attribute value. `weight` decays with the profile; the counts do not
/// (they say how many products backed it, for reasons such as "several navy kurtas").
struct attribute_stat {
  float weight = 0.f;
  uint32_t positives = 0;
  uint32_t negatives = 0;
};

/// Attribute kinds a profile learns. `look` is colour and product type together ("Navy kurta").
namespace attribute {
inline constexpr const char* colour = "colour";
inline constexpr const char* brand = "brand";
inline constexpr const char* product_type = "product_type";
inline constexpr const char* look = "look";
}  // namespace attribute

/// Everything learned about one user, as stored. Weights are as of `as_of_ms`; reading them at
/// a later time multiplies them all by the same decay factor.
struct learned_profile {
  std::vector<float> taste;   // weighted sum of unit product vectors; empty before any signal
  std::map<std::string, std::map<std::string, attribute_stat>> attributes;   // kind -> value
  double price_weight = 0;    // decayed weight, sum and sum of squares of log(price minor)
  double price_log_sum = 0;
  double price_log_sq = 0;
  int64_t as_of_ms = 0;
  uint32_t signal_count = 0;
  std::vector<protocol::stated_preference> stated;
  std::vector<std::string> recent_keys;   // idempotency keys already counted, oldest first
};

/// Most idempotency keys a profile remembers.
inline constexpr size_t max_recent_keys = 64;

struct signal_weights {
  float liked = 1.0f;
  float disliked = -1.0f;
  float viewed = 0.1f;
  float added_to_cart = 0.5f;
  float purchased = 1.5f;
  float image = 0.5f;   // an analysed image, spread over its colours by share
};

struct taste_settings {
  signal_weights weights;
  double half_life_days = 30.0;   // a signal this old counts half
};

class taste_model {
public:
  explicit taste_model(taste_settings settings = {});

  const taste_settings& settings() const noexcept {
    return settings_;
  }

  float weight_of(protocol::signal_kind kind) const noexcept;

  /// Decay factor after `dt_ms` (1 for dt_ms <= 0).
  double decay(int64_t dt_ms) const noexcept;

  /// Moves `p` by a signal about `product` at `at_ms`. An older signal than the profile's
  /// newest counts with its decay; a newer one first decays everything learned so far.
  void observe(learned_profile& p, const product_facts& product, protocol::signal_kind kind,
               int64_t at_ms) const;

  /// Adds an analysed image's colours as colour preferences at `at_ms`.
  void observe_colours(learned_profile& p, const std::vector<protocol::colour_share>& colours,
                       int64_t at_ms) const;

  /// The profile as agents answer it at `now_ms`: the taste vector normalised (empty when
  /// nothing was learned or likes and dislikes cancel out), liked colours, brands and types
  /// (positive weights, strongest first), the price band of liked products, stated preferences.
  protocol::style_profile summarise(const learned_profile& p, const std::string& user,
                                    int64_t now_ms) const;

private:
  // Brings `p` to `at_ms` and returns the factor a signal at `at_ms` is added with.
  double advance(learned_profile& p, int64_t at_ms) const;

  void add_attribute(learned_profile& p, const std::string& kind, const std::string& value,
                     double w, bool counted) const;

  taste_settings settings_;
};

/// Records `key` as counted; false when it was counted before (a retried write). Empty keys
/// are never recorded and always count.
bool remember_key(learned_profile& p, const std::string& key);

/// Sets (replaces) the stated preference with the same key.
void set_stated(learned_profile& p, protocol::stated_preference pref);

/// Forgets the stated preference `key`, or all of them when `key` is empty. Returns how many.
size_t forget_stated(learned_profile& p, const std::string& key);

/// True when nothing shapes a ranking yet: no signal, no learned attribute, no stated liking.
bool is_cold(const learned_profile& p);

/// The stated preference `key`, or nullptr.
const protocol::stated_preference* stated(const learned_profile& p, const std::string& key);

/// "Navy kurta": the look value of a product (empty unless both colour and type are known).
std::string look_of(const std::string& colour, const std::string& product_type);

}  // namespace cartmate::style
