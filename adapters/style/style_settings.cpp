// style_settings.cpp — the `style` section, leniently defaulted; see the header.
#include "adapters/style/style_settings.hpp"

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::style {

namespace {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

caf::error read_int(const json& section, const char* key, int64_t lo, int64_t hi, int64_t& out) {
  auto it = section.find(key);
  if (it == section.end())
    return {};
  if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi)
    return make_error(errc::invalid_argument, std::string{"style."} + key + " must be an integer from "
                                                + std::to_string(lo) + " to " + std::to_string(hi));
  out = it->get<int64_t>();
  return {};
}

caf::error read_number(const json& section, const char* key, double lo, double hi, double& out) {
  auto it = section.find(key);
  if (it == section.end())
    return {};
  if (!it->is_number() || !(it->get<double>() >= lo) || !(it->get<double>() <= hi))
    return make_error(errc::invalid_argument, std::string{"style."} + key + " must be a number from "
                                                + std::to_string(lo) + " to " + std::to_string(hi));
  out = it->get<double>();
  return {};
}

}  // namespace

caf::expected<style_settings> read_style_settings(const json& settings) {
  style_settings out;
  if (!settings.is_object())
    return out;
  auto section = settings.find("style");
  if (section == settings.end())
    return out;
  if (!section->is_object())
    return make_error(errc::invalid_argument, "style must be a section (an object)");
  double half_life = out.taste.half_life_days;
  int64_t max_bytes = static_cast<int64_t>(out.limits.max_bytes);
  int64_t max_pixels = static_cast<int64_t>(out.limits.max_pixels);
  int64_t colours = out.extraction.max_colours;
  int64_t sample = out.extraction.sample_pixels;
  double taste_weight = out.ranking.taste_weight / 0.9;
  int64_t threads = static_cast<int64_t>(out.image_threads);
  for (auto err : {read_number(*section, "half_life_days", 0.01, 3650.0, half_life),
                   read_int(*section, "max_image_bytes", 1, int64_t{1} << 30, max_bytes),
                   read_int(*section, "max_image_pixels", 1, int64_t{1} << 32, max_pixels),
                   read_int(*section, "image_colours", 1, 12, colours),
                   read_int(*section, "analysis_pixels", 256, int64_t{1} << 24, sample),
                   read_number(*section, "taste_weight", 0.0, 1.0, taste_weight),
                   read_int(*section, "image_threads", 1, 16, threads)})
    if (err)
      return err;
  out.taste.half_life_days = half_life;
  out.limits.max_bytes = static_cast<size_t>(max_bytes);
  out.limits.max_pixels = static_cast<uint64_t>(max_pixels);
  out.extraction.max_colours = static_cast<uint32_t>(colours);
  out.extraction.sample_pixels = static_cast<uint32_t>(sample);
  // The taste share and the learned-attribute share split 0.9; price keeps its 0.1.
  out.ranking.taste_weight = static_cast<float>(0.9 * taste_weight);
  out.ranking.attribute_weight = static_cast<float>(0.9 * (1.0 - taste_weight));
  out.image_threads = static_cast<size_t>(threads);
  return out;
}

}  // namespace cartmate::style
