// image_decoder.cpp — container checks (PNG chunks and checksums, JPEG segments up to the
// end-of-image marker) and decoding with stb_image, whose implementation lives in this file.
#include "adapters/style/image_decoder.hpp"

#include <array>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sys/stat.h>

#include "protocol/errors.hpp"

// stb_image: PNG and JPEG only, functions private to this file, no stdio (we read files).
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS (1 << 16)
#include <stb_image.h>

namespace cartmate::style {

namespace {

using protocol::errc;
using protocol::make_error;

constexpr std::array<uint8_t, 8> png_magic{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

uint32_t crc32_of(const uint8_t* data, size_t size) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i)
    c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

caf::error invalid(std::string what) {
  return make_error(errc::invalid_argument, std::move(what));
}

struct dimensions {
  uint64_t width = 0;
  uint64_t height = 0;
};

// Walks the chunks: each must fit, carry a matching CRC, and the last must be IEND.
caf::expected<dimensions> check_png(const uint8_t* data, size_t size) {
  size_t pos = png_magic.size();
  bool first = true;
  dimensions dims;
  while (true) {
    if (size - pos < 12)
      return invalid("truncated PNG image: it ends before its IEND chunk");
    uint32_t length = read_be32(data + pos);
    std::string type(reinterpret_cast<const char*>(data + pos + 4), 4);
    if (length > size - pos - 12)
      return invalid("truncated PNG image: chunk " + type + " runs past the end of the data");
    if (first && (type != "IHDR" || length < 8))
      return invalid("corrupt PNG image: it does not start with an IHDR chunk");
    uint32_t stored = read_be32(data + pos + 8 + length);
    if (crc32_of(data + pos + 4, length + 4) != stored)
      return invalid("corrupt PNG image: checksum mismatch in chunk " + type);
    if (first)
      dims = dimensions{read_be32(data + pos + 8), read_be32(data + pos + 12)};
    first = false;
    pos += 12 + size_t{length};
    if (type == "IEND")
      return dims;
  }
}

// Huffman tables defined so far: [class 0 = DC, 1 = AC][id 0..3].
using huffman_defined = std::array<std::array<bool, 4>, 2>;

// Each Huffman table in a DHT segment: class and id in range, at most 256 codes (stb_image 2.27
// overruns its tables on more), and the segment holds exactly its tables.
bool read_huffman_tables(const uint8_t* p, size_t length, huffman_defined& defined) {
  size_t pos = 0;
  while (pos < length) {
    if (length - pos < 17)
      return false;
    uint8_t tc = p[pos] >> 4;
    uint8_t th = p[pos] & 0x0F;
    if (tc > 1 || th > 3)
      return false;
    size_t codes = 0;
    for (size_t i = 1; i <= 16; ++i)
      codes += p[pos + i];
    if (codes > 256 || length - pos - 17 < codes)
      return false;
    defined[tc][th] = true;
    pos += 17 + codes;
  }
  return true;
}

// A scan may only use tables defined before it: stb_image 2.27 decodes with whatever memory an
// undefined table holds.
bool scan_tables_defined(const uint8_t* p, size_t length, const huffman_defined& defined,
                         bool progressive) {
  if (length < 1)
    return false;
  size_t n = p[0];
  if (n == 0 || n > 4 || length < 1 + 2 * n + 3)
    return false;
  uint8_t ss = p[1 + 2 * n];
  uint8_t se = p[2 + 2 * n];
  uint8_t ah = p[3 + 2 * n] >> 4;
  bool needs_dc = ss == 0 && !(progressive && ah != 0);
  bool needs_ac = se > 0;
  for (size_t i = 0; i < n; ++i) {
    uint8_t td = p[2 + 2 * i] >> 4;
    uint8_t ta = p[2 + 2 * i] & 0x0F;
    if (needs_dc && (td > 3 || !defined[0][td]))
      return false;
    if (needs_ac && (ta > 3 || !defined[1][ta]))
      return false;
  }
  return true;
}

bool is_frame_header(uint8_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// Walks the segments to the first scan, then the entropy-coded data (which holds no markers
// other than restarts) to the next marker: more segments and scans (progressive JPEGs) or EOI.
caf::expected<dimensions> check_jpeg(const uint8_t* data, size_t size) {
  auto truncated = [] { return invalid("truncated JPEG image: it ends before its end marker"); };
  size_t pos = 2;
  dimensions dims;
  bool framed = false;
  bool progressive = false;
  huffman_defined tables{};
  while (true) {
    while (pos < size && data[pos] == 0xFF && pos + 1 < size && data[pos + 1] == 0xFF)
      ++pos;   // fill bytes
    if (size - pos < 2)
      return truncated();
    if (data[pos] != 0xFF)
      return invalid("corrupt JPEG image: expected a marker at byte " + std::to_string(pos));
    uint8_t marker = data[pos + 1];
    if (marker == 0xD9) {
      if (!framed)
        return invalid("corrupt JPEG image: it has no frame header");
      return dims;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {   // no length
      pos += 2;
      continue;
    }
    if (size - pos < 4)
      return truncated();
    size_t length = (size_t{data[pos + 2]} << 8) | data[pos + 3];
    if (length < 2)
      return invalid("corrupt JPEG image: bad segment length at byte " + std::to_string(pos));
    if (length > size - pos - 2)
      return truncated();
    if (marker == 0xC4 && !read_huffman_tables(data + pos + 4, length - 2, tables))
      return invalid("corrupt JPEG image: bad Huffman table");
    if (marker == 0xDA && !scan_tables_defined(data + pos + 4, length - 2, tables, progressive))
      return invalid("corrupt JPEG image: a scan uses an undefined Huffman table");
    if (is_frame_header(marker) && !framed) {
      if (length < 7)
        return invalid("corrupt JPEG image: frame header too short");
      dims = dimensions{(uint64_t{data[pos + 7]} << 8) | data[pos + 8],
                        (uint64_t{data[pos + 5]} << 8) | data[pos + 6]};
      framed = true;
      progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
    }
    pos += 2 + length;
    if (marker != 0xDA)
      continue;
    // Entropy-coded data: FF 00 is a stuffed byte, FF D0..D7 a restart; anything else a marker.
    while (true) {
      if (pos + 1 >= size)
        return truncated();
      if (data[pos] == 0xFF) {
        uint8_t next = data[pos + 1];
        if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
          pos += 2;
          continue;
        }
        if (next == 0xFF) {
          ++pos;
          continue;
        }
        break;   // a marker: back to the segment walk
      }
      ++pos;
    }
  }
}

struct stbi_deleter {
  void operator()(stbi_uc* p) const noexcept {
    stbi_image_free(p);
  }
};

}  // namespace

image_format sniff_format(const uint8_t* data, size_t size) noexcept {
  if (size >= png_magic.size() && std::memcmp(data, png_magic.data(), png_magic.size()) == 0)
    return image_format::png;
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
    return image_format::jpeg;
  return image_format::unknown;
}

caf::expected<rgba_image> decode_image(const uint8_t* data, size_t size,
                                       const image_limits& limits) {
  if (data == nullptr || size == 0)
    return invalid("empty image: no bytes were sent");
  if (size > limits.max_bytes)
    return invalid("image too large: " + std::to_string(size) + " bytes, the limit is "
                   + std::to_string(limits.max_bytes));
  if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
    return invalid("image too large for the decoder");
  auto format = sniff_format(data, size);
  if (format == image_format::unknown)
    return invalid("unsupported image format: only PNG and JPEG images are accepted");
  const char* name = format == image_format::png ? "PNG" : "JPEG";
  // Our own parse gives the size before stb_image sees it: the pixel limit decides, not the
  // decoder's own overflow checks, and nothing is allocated for an oversized image.
  auto dims = format == image_format::png ? check_png(data, size) : check_jpeg(data, size);
  if (!dims)
    return std::move(dims.error());
  if (dims->width == 0 || dims->height == 0)
    return invalid(std::string{"corrupt "} + name + " image: zero width or height");
  if (dims->width * dims->height > limits.max_pixels)
    return invalid("image too large: " + std::to_string(dims->width) + "x"
                   + std::to_string(dims->height) + " pixels, the limit is "
                   + std::to_string(limits.max_pixels) + " pixels");
  int w = 0;
  int h = 0;
  int channels = 0;
  const int len = static_cast<int>(size);
  if (stbi_info_from_memory(data, len, &w, &h, &channels) == 0)
    return invalid(std::string{"corrupt "} + name + " image: " + stbi_failure_reason());
  if (w <= 0 || h <= 0)
    return invalid(std::string{"corrupt "} + name + " image: it has no pixels");
  uint64_t pixels = uint64_t(w) * uint64_t(h);
  if (pixels > limits.max_pixels)
    return invalid("image too large: " + std::to_string(w) + "x" + std::to_string(h)
                   + " pixels, the limit is " + std::to_string(limits.max_pixels) + " pixels");
  std::unique_ptr<stbi_uc, stbi_deleter> decoded{
    stbi_load_from_memory(data, len, &w, &h, &channels, 4)};
  if (!decoded)
    return invalid(std::string{"corrupt "} + name + " image: " + stbi_failure_reason());
  rgba_image out;
  out.width = static_cast<uint32_t>(w);
  out.height = static_cast<uint32_t>(h);
  out.pixels.assign(decoded.get(), decoded.get() + size_t(w) * size_t(h) * 4);
  return out;
}

caf::expected<std::vector<uint8_t>> read_image_file(const std::string& path,
                                                    const image_limits& limits) {
  if (path.empty())
    return invalid("no image path given");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error(errc::not_found, "no image file " + path);
  if (!S_ISREG(st.st_mode))
    return invalid("not a regular file: " + path);
  if (static_cast<uint64_t>(st.st_size) > limits.max_bytes)
    return invalid("image too large: " + path + " has " + std::to_string(st.st_size)
                   + " bytes, the limit is " + std::to_string(limits.max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return invalid("cannot read image file " + path);
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  if (!bytes.empty()
      && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    return invalid("cannot read image file " + path);
  return bytes;
}

}  // namespace cartmate::style
