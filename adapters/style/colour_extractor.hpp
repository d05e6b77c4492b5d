// colour_extractor.hpp — the dominant colours of an image: k-means in CIELAB over its (sampled)
// opaque pixels, deterministic, each cluster named with the nearest catalog colour.
// Threading: pure functions; safe from any thread. CPU-bound: run it where decoding runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/style/colour_palette.hpp"
#include "adapters/style/image_decoder.hpp"
#include "protocol/style_messages.hpp"

namespace cartmate::style {

struct extraction_options {
  uint32_t max_colours = 5;          // k of k-means
  uint32_t sample_pixels = 65536;    // bigger images are sampled on a regular grid down to this
  float min_share = 0.04f;           // smaller colours are dropped (edges, noise, JPEG ringing)
  uint32_t max_iterations = 30;
};

/// The image's colours, largest share first, shares of the opaque pixels summing to about 1.
/// Clusters that map to the same catalog name are merged (their centre is the share-weighted
/// mean). Transparent pixels (alpha < 128) are ignored; an all-transparent image has none.
std::vector<protocol::colour_share> dominant_colours(const rgba_image& image,
                                                     const colour_palette& palette,
                                                     const extraction_options& options = {});

/// decode_image followed by dominant_colours.
[[nodiscard]] caf::expected<protocol::image_analysis>
analyse_image(const std::vector<uint8_t>& bytes, const colour_palette& palette,
              const image_limits& limits, const extraction_options& options = {});

}  // namespace cartmate::style
