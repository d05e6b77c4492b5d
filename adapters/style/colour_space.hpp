// colour_space.hpp — sRGB to CIELAB (D65) and the CIEDE2000 colour difference, so "nearest
// colour" means nearest as people see it, not nearest in RGB.
// Threading: pure functions; safe from any thread.
#pragma once

#include <cstdint>

namespace cartmate::style {

/// A colour in CIELAB: lightness 0..100, a (green-red) and b (blue-yellow) around 0.
struct lab {
  float l = 0.f;
  float a = 0.f;
  float b = 0.f;
};

/// The CIELAB coordinates of an 8-bit sRGB colour (D65 white).
lab srgb_to_lab(uint8_t r, uint8_t g, uint8_t b) noexcept;

/// The same for 0xRRGGBB.
lab srgb_to_lab(uint32_t rgb) noexcept;

/// CIEDE2000 difference (Sharma, Wu, Dalal 2005); about 1 is a just-noticeable difference.
float delta_e_2000(const lab& x, const lab& y) noexcept;

/// Chroma (colourfulness) of a Lab colour: 0 for greys.
float chroma(const lab& c) noexcept;

/// Hue angle in degrees, 0..360.
float hue_degrees(const lab& c) noexcept;

/// 0xRRGGBB from 8-bit channels.
constexpr uint32_t pack_rgb(uint8_t r, uint8_t g, uint8_t b) noexcept {
  return (uint32_t{r} << 16) | (uint32_t{g} << 8) | uint32_t{b};
}

}  // namespace cartmate::style
