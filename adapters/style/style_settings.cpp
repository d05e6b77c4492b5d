// style_settings.cpp — the `style` section, leniently defaulted; see the header.
#include "adapters/style/style_settings.hpp"

#include <nlohmann/json.hpp>

#include "config/section_reader.hpp"

namespace cartmate::style {

using nlohmann::json;

caf::expected<style_settings> read_style_settings(const json& settings) {
  style_settings out;
  config::section_reader section{settings, "style"};
  double half_life = out.taste.half_life_days;
  int64_t max_bytes = static_cast<int64_t>(out.limits.max_bytes);
  int64_t max_pixels = static_cast<int64_t>(out.limits.max_pixels);
  int64_t colours = out.extraction.max_colours;
  int64_t sample = out.extraction.sample_pixels;
  double taste_weight = out.ranking.taste_weight / 0.9;
  int64_t threads = static_cast<int64_t>(out.image_threads);
  for (auto err : {section.number("half_life_days", 0.01, 3650.0, half_life),
                   section.integer("max_image_bytes", 1, int64_t{1} << 30, max_bytes),
                   section.integer("max_image_pixels", 1, int64_t{1} << 32, max_pixels),
                   section.integer("image_colours", 1, 12, colours),
                   section.integer("analysis_pixels", 256, int64_t{1} << 24, sample),
                   section.number("taste_weight", 0.0, 1.0, taste_weight),
                   section.integer("image_threads", 1, 16, threads)})
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
