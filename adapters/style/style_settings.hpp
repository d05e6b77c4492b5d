// style_settings.hpp — the `style` section of the node configuration: signal decay, image
// limits, colour extraction and ranking blend, read with defaults when a key is absent.
// Threading: plain values and pure functions; safe from any thread.
#pragma once

#include <cstddef>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include "adapters/style/colour_extractor.hpp"
#include "adapters/style/image_decoder.hpp"
#include "adapters/style/style_ranker.hpp"
#include "adapters/style/taste_model.hpp"

namespace cartmate::style {

struct style_settings {
  taste_settings taste;            // style.half_life_days (signal weights: defaults only)
  image_limits limits;             // style.max_image_bytes, style.max_image_pixels
  extraction_options extraction;   // style.image_colours, style.analysis_pixels
  rank_options ranking;            // style.taste_weight (the attribute share is the rest)
  size_t image_threads = 1;        // style.image_threads: decoding pool size
};

/// Reads settings["style"] (a validated settings tree); absent keys keep the defaults. Fails
/// with invalid_argument on a key of the wrong type or out of range.
[[nodiscard]] caf::expected<style_settings> read_style_settings(const nlohmann::json& settings);

}  // namespace cartmate::style
