// style_messages.hpp — requests to the style-profiler agent and its answers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/ack.hpp"
#include "protocol/agent_kind.hpp"
#include "protocol/envelope.hpp"

namespace cartmate::protocol {

enum class signal_kind : uint8_t { liked, disliked, viewed, added_to_cart, purchased };

/// Something the shopper did with a product; it moves their profile.
struct style_signal {
  envelope env;
  std::string product_id;
  signal_kind kind = signal_kind::viewed;
  int64_t at_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, style_signal& x) {
  return f(caf::meta::type_name("style_signal"), x.env, x.product_id, x.kind, x.at_ms);
}

/// A learned liking for an attribute value, e.g. colour "Navy" with weight 2.5.
struct attribute_preference {
  std::string attribute;   // "colour", "brand", "product_type"
  std::string value;
  float weight = 0.f;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attribute_preference& x) {
  return f(caf::meta::type_name("attribute_preference"), x.attribute, x.value, x.weight);
}

/// Something the shopper told us about themselves ("I wear size M").
struct stated_preference {
  std::string key;     // "size", "budget", "avoid_colour", ...
  std::string value;
  int64_t stated_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stated_preference& x) {
  return f(caf::meta::type_name("stated_preference"), x.key, x.value, x.stated_ms);
}

struct style_profile {
  std::string user;
  std::vector<float> taste;   // in the product embedding space; empty until signals arrive
  std::vector<attribute_preference> attributes;
  int64_t price_band_min_minor = -1;
  int64_t price_band_max_minor = -1;
  std::vector<stated_preference> stated;
  uint32_t signal_count = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, style_profile& x) {
  return f(caf::meta::type_name("style_profile"), x.user, x.taste, x.attributes,
           x.price_band_min_minor, x.price_band_max_minor, x.stated, x.signal_count);
}

struct profile_get {
  envelope env;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, profile_get& x) {
  return f(caf::meta::type_name("profile_get"), x.env);
}

struct preference_set {
  envelope env;
  stated_preference preference;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, preference_set& x) {
  return f(caf::meta::type_name("preference_set"), x.env, x.preference);
}

/// Forgets one stated preference by key, or everything when key is empty.
struct preference_forget {
  envelope env;
  std::string key;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, preference_forget& x) {
  return f(caf::meta::type_name("preference_forget"), x.env, x.key);
}

/// An uploaded image (raw PNG/JPEG bytes) or a local file path (replays, terminal chat).
struct image_analyse {
  envelope env;
  std::vector<uint8_t> bytes;
  std::string path;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, image_analyse& x) {
  return f(caf::meta::type_name("image_analyse"), x.env, x.bytes, x.path);
}

struct colour_share {
  std::string colour;    // catalog colour name
  float share = 0.f;     // fraction of pixels
  uint32_t rgb = 0;      // cluster centre, 0xRRGGBB
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, colour_share& x) {
  return f(caf::meta::type_name("colour_share"), x.colour, x.share, x.rgb);
}

struct image_analysis {
  std::vector<colour_share> colours;
  uint32_t width = 0;
  uint32_t height = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, image_analysis& x) {
  return f(caf::meta::type_name("image_analysis"), x.colours, x.width, x.height);
}

/// Re-orders candidates by closeness to the shopper's taste.
struct style_rank {
  envelope env;
  std::vector<std::string> product_ids;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, style_rank& x) {
  return f(caf::meta::type_name("style_rank"), x.env, x.product_ids);
}

struct style_ranking {
  std::vector<std::string> product_ids;
  std::vector<float> scores;
  std::string reason;   // "you liked several navy kurtas"
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, style_ranking& x) {
  return f(caf::meta::type_name("style_ranking"), x.product_ids, x.scores, x.reason);
}

CARTMATE_REQUEST(style_signal, ack, style_profiler, false);   // counting twice skews the profile
CARTMATE_REQUEST(profile_get, style_profile, style_profiler, true);
CARTMATE_REQUEST(preference_set, style_profile, style_profiler, true);
CARTMATE_REQUEST(preference_forget, style_profile, style_profiler, true);
CARTMATE_REQUEST(image_analyse, image_analysis, style_profiler, true);
CARTMATE_REQUEST(style_rank, style_ranking, style_profiler, true);

}  // namespace cartmate::protocol
