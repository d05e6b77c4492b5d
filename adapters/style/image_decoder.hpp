// image_decoder.hpp — checks and decodes an uploaded PNG or JPEG into RGBA pixels, within size
// limits, so a hostile or broken upload gets a clear invalid_argument error and never a crash
// or a huge allocation. Decoding is stb_image; the container checks before it are our own
// (stb_image accepts some truncated files silently).
// Threading: pure functions; safe from any thread. Decoding is CPU-bound (tens of ms for a
// photo): agents run it on an executor, not on a CAF scheduler thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace cartmate::style {

struct image_limits {
  size_t max_bytes = 10u << 20;          // encoded size
  uint64_t max_pixels = 16u << 20;       // width * height, checked before decoding
};

enum class image_format : uint8_t { unknown, png, jpeg };

/// The format the first bytes announce.
image_format sniff_format(const uint8_t* data, size_t size) noexcept;

/// Decoded pixels, 4 bytes (R, G, B, A) each, row by row.
struct rgba_image {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> pixels;
};

/// Decodes `data`. Fails with errc::invalid_argument naming the problem: empty, above
/// max_bytes, not PNG or JPEG (unsupported), truncated, corrupt (bad PNG checksum, undecodable
/// data), or above max_pixels (checked from the header, before any pixel is allocated).
[[nodiscard]] caf::expected<rgba_image> decode_image(const uint8_t* data, size_t size,
                                                     const image_limits& limits);

[[nodiscard]] inline caf::expected<rgba_image> decode_image(const std::vector<uint8_t>& data,
                                                            const image_limits& limits) {
  return decode_image(data.data(), data.size(), limits);
}

/// The bytes of the image file at `path` (blocking I/O). Fails with invalid_argument when the
/// path is empty, not a regular file or larger than max_bytes, not_found when it does not exist.
[[nodiscard]] caf::expected<std::vector<uint8_t>> read_image_file(const std::string& path,
                                                                  const image_limits& limits);

}  // namespace cartmate::style
