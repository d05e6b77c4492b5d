// profile_codec.cpp — nlohmann JSON both ways; exceptions stop at this edge.
#include "adapters/style/profile_codec.hpp"

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::style {

namespace {

using nlohmann::json;
constexpr int codec_version = 1;

}  // namespace

std::string encode_profile(const learned_profile& p) {
  json attrs = json::object();
  for (const auto& [kind, values] : p.attributes) {
    json vs = json::object();
    for (const auto& [value, s] : values)
      vs[value] = json::array({s.weight, s.positives, s.negatives});
    attrs[kind] = std::move(vs);
  }
  json stated = json::array();
  for (const auto& s : p.stated)
    stated.push_back(json::array({s.key, s.value, s.stated_ms}));
  json j{{"v", codec_version},
         {"taste", p.taste},
         {"attributes", std::move(attrs)},
         {"price", json::array({p.price_weight, p.price_log_sum, p.price_log_sq})},
         {"as_of_ms", p.as_of_ms},
         {"signals", p.signal_count},
         {"stated", std::move(stated)},
         {"keys", p.recent_keys}};
  return j.dump();
}

caf::expected<learned_profile> decode_profile(std::string_view text) {
  try {
    auto j = json::parse(text);
    if (!j.is_object() || j.value("v", 0) != codec_version)
      return protocol::make_error(protocol::errc::invalid_argument,
                                  "style profile: not a version 1 profile object");
    learned_profile p;
    p.taste = j.at("taste").get<std::vector<float>>();
    for (const auto& [kind, values] : j.at("attributes").items())
      for (const auto& [value, s] : values.items())
        p.attributes[kind][value] = attribute_stat{s.at(0).get<float>(), s.at(1).get<uint32_t>(),
                                                   s.at(2).get<uint32_t>()};
    const auto& price = j.at("price");
    p.price_weight = price.at(0).get<double>();
    p.price_log_sum = price.at(1).get<double>();
    p.price_log_sq = price.at(2).get<double>();
    p.as_of_ms = j.at("as_of_ms").get<int64_t>();
    p.signal_count = j.at("signals").get<uint32_t>();
    for (const auto& s : j.at("stated"))
      p.stated.push_back(protocol::stated_preference{s.at(0).get<std::string>(),
                                                     s.at(1).get<std::string>(),
                                                     s.at(2).get<int64_t>()});
    p.recent_keys = j.at("keys").get<std::vector<std::string>>();
    return p;
  } catch (const json::exception& e) {
    return protocol::make_error(protocol::errc::invalid_argument,
                                std::string{"style profile: "} + e.what());
  }
}

}  // namespace cartmate::style
