// style_image_test.cpp — image decoding limits and errors, and dominant colours on the committed
// fixtures (tests/fixtures/images, made by generate_fixtures.cpp) and on pixels built here.
#include <fstream>
#include <future>
#include <thread>
#include <iterator>

#include <gtest/gtest.h>

#include "adapters/style/colour_extractor.hpp"
#include "adapters/style/image_decoder.hpp"
#include "adapters/style/worker_executor.hpp"
#include "protocol/errors.hpp"

namespace cartmate::style {
namespace {

std::string fixture_path(const std::string& name) {
  return std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/images/" + name;
}

std::vector<uint8_t> fixture(const std::string& name) {
  std::ifstream in(fixture_path(name), std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

caf::expected<protocol::image_analysis> analyse(const std::string& name,
                                                const image_limits& limits = {}) {
  return analyse_image(fixture(name), colour_palette::standard(), limits);
}

float share_of(const protocol::image_analysis& a, const std::string& colour) {
  for (const auto& c : a.colours)
    if (c.colour == colour)
      return c.share;
  return 0.f;
}

void expect_invalid(const caf::expected<protocol::image_analysis>& r, const std::string& words) {
  ASSERT_FALSE(r) << "expected an error mentioning '" << words << "'";
  EXPECT_EQ(protocol::errc_of(r.error()), protocol::errc::invalid_argument)
    << protocol::describe(r.error());
  EXPECT_NE(protocol::describe(r.error()).find(words), std::string::npos)
    << protocol::describe(r.error());
}

TEST(style_image, solid_png_is_that_colour_with_share_one) {
  auto a = analyse("solid_navy.png");
  ASSERT_TRUE(a) << protocol::describe(a.error());
  EXPECT_EQ(a->width, 32u);
  EXPECT_EQ(a->height, 32u);
  ASSERT_EQ(a->colours.size(), 1u);
  EXPECT_EQ(a->colours[0].colour, "Navy");
  EXPECT_NEAR(a->colours[0].share, 1.f, 1e-6f);
  EXPECT_EQ(a->colours[0].rgb, 0x1E2A50u);   // the cluster centre is the pixels' colour
}

TEST(style_image, two_colour_png_gives_both_with_their_shares) {
  auto a = analyse("red_white.png");
  ASSERT_TRUE(a) << protocol::describe(a.error());
  ASSERT_EQ(a->colours.size(), 2u);
  EXPECT_EQ(a->colours[0].colour, "Red");   // largest first
  EXPECT_NEAR(a->colours[0].share, 0.75f, 1e-3f);
  EXPECT_EQ(a->colours[1].colour, "White");
  EXPECT_NEAR(a->colours[1].share, 0.25f, 1e-3f);
}

TEST(style_image, transparent_pixels_are_ignored) {
  auto a = analyse("transparent_red.png");
  ASSERT_TRUE(a) << protocol::describe(a.error());
  ASSERT_EQ(a->colours.size(), 1u);
  EXPECT_EQ(a->colours[0].colour, "Red");
  EXPECT_NEAR(a->colours[0].share, 1.f, 1e-6f);
}

TEST(style_image, large_images_are_sampled_and_keep_their_proportions) {
  auto a = analyse("large_maroon_white.png");
  ASSERT_TRUE(a) << protocol::describe(a.error());
  EXPECT_EQ(a->width, 1200u);
  EXPECT_NEAR(share_of(*a, "Maroon"), 2.f / 3.f, 0.02f);
  EXPECT_NEAR(share_of(*a, "White"), 1.f / 3.f, 0.02f);
}

TEST(style_image, jpeg_works) {
  auto green = analyse("solid_green.jpg");
  ASSERT_TRUE(green) << protocol::describe(green.error());
  ASSERT_FALSE(green->colours.empty());
  EXPECT_EQ(green->colours[0].colour, "Green");
  EXPECT_GT(green->colours[0].share, 0.95f);

  auto two = analyse("blue_yellow.jpg");
  ASSERT_TRUE(two) << protocol::describe(two.error());
  EXPECT_NEAR(share_of(*two, "Blue"), 0.5f, 0.05f);
  EXPECT_NEAR(share_of(*two, "Yellow"), 0.5f, 0.05f);
}

TEST(style_image, analysis_is_deterministic) {
  auto a = analyse("blue_yellow.jpg");
  auto b = analyse("blue_yellow.jpg");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->colours.size(), b->colours.size());
  for (size_t i = 0; i < a->colours.size(); ++i) {
    EXPECT_EQ(a->colours[i].colour, b->colours[i].colour);
    EXPECT_EQ(a->colours[i].share, b->colours[i].share);
    EXPECT_EQ(a->colours[i].rgb, b->colours[i].rgb);
  }
}

TEST(style_image, broken_files_are_invalid_arguments_naming_the_problem) {
  expect_invalid(analyse("empty.png"), "empty image");
  expect_invalid(analyse("truncated.png"), "truncated PNG");
  expect_invalid(analyse("corrupt.png"), "corrupt PNG");
  expect_invalid(analyse("truncated.jpg"), "truncated JPEG");
  expect_invalid(analyse("corrupt.jpg"), "corrupt JPEG");
  expect_invalid(analyse("not_an_image.png"), "unsupported image format");
  expect_invalid(analyse("pixel.gif"), "unsupported image format");
}

size_t find_marker(const std::vector<uint8_t>& b, uint8_t marker) {
  for (size_t i = 0; i + 1 < b.size(); ++i)
    if (b[i] == 0xFF && b[i + 1] == marker)
      return i;
  ADD_FAILURE() << "no marker " << int(marker);
  return 0;
}

// stb_image 2.27 overruns its tables on these; the container check refuses them first.
TEST(style_image, jpeg_huffman_tables_are_checked_before_decoding) {
  auto overfull = fixture("solid_green.jpg");
  auto dht = find_marker(overfull, 0xC4);
  for (size_t i = 0; i < 16; ++i)
    overfull[dht + 5 + i] = 255;   // 4080 codes in one table
  expect_invalid(analyse_image(overfull, colour_palette::standard(), {}), "bad Huffman table");

  auto undefined = fixture("solid_green.jpg");
  auto sos = find_marker(undefined, 0xDA);
  undefined[sos + 6] = 0x33;   // first component: DC and AC table 3, never defined
  expect_invalid(analyse_image(undefined, colour_palette::standard(), {}),
                 "undefined Huffman table");
}

TEST(style_image, every_prefix_of_a_valid_file_is_rejected_without_a_crash) {
  for (const char* name : {"red_white.png", "blue_yellow.jpg"}) {
    auto whole = fixture(name);
    for (size_t n = 0; n < whole.size(); ++n) {
      std::vector<uint8_t> cut(whole.begin(), whole.begin() + n);
      auto r = analyse_image(cut, colour_palette::standard(), {});
      ASSERT_FALSE(r) << name << " cut at " << n << " was accepted";
      EXPECT_EQ(protocol::errc_of(r.error()), protocol::errc::invalid_argument);
    }
  }
}

TEST(style_image, huge_images_are_refused_before_decoding) {
  // 40000 x 40000 claimed by a 65-byte file: refused from the header.
  expect_invalid(analyse("huge_header.png"), "40000x40000 pixels");
  image_limits small_pixels;
  small_pixels.max_pixels = 32 * 32 - 1;
  expect_invalid(analyse("solid_navy.png", small_pixels), "image too large");
  image_limits small_bytes;
  small_bytes.max_bytes = 100;
  expect_invalid(analyse("red_white.png", small_bytes), "image too large: 120 bytes");
  // At the limits exactly, the image passes.
  image_limits exact;
  exact.max_pixels = 32 * 32;
  exact.max_bytes = fixture("solid_navy.png").size();
  EXPECT_TRUE(analyse("solid_navy.png", exact));
}

TEST(style_image, read_image_file_checks_path_and_size) {
  auto ok = read_image_file(fixture_path("solid_navy.png"), {});
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, fixture("solid_navy.png"));
  auto missing = read_image_file(fixture_path("no_such_file.png"), {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(protocol::errc_of(missing.error()), protocol::errc::not_found);
  auto dir = read_image_file(std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/images", {});
  ASSERT_FALSE(dir);
  EXPECT_EQ(protocol::errc_of(dir.error()), protocol::errc::invalid_argument);
  image_limits small;
  small.max_bytes = 10;
  auto big = read_image_file(fixture_path("solid_navy.png"), small);
  ASSERT_FALSE(big);
  EXPECT_EQ(protocol::errc_of(big.error()), protocol::errc::invalid_argument);
}

rgba_image stripes(uint32_t w, uint32_t h, const std::vector<uint32_t>& colours) {
  rgba_image img;
  img.width = w;
  img.height = h;
  img.pixels.resize(size_t(w) * h * 4);
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      uint32_t c = colours[x * colours.size() / w];
      uint8_t* px = &img.pixels[(size_t(y) * w + x) * 4];
      px[0] = uint8_t(c >> 16);
      px[1] = uint8_t(c >> 8);
      px[2] = uint8_t(c);
      px[3] = 255;
    }
  return img;
}

TEST(style_colours, each_of_several_colours_is_found_with_equal_share) {
  auto img = stripes(100, 10, {0xC8202A, 0x2E8B3A, 0x2F5DB5, 0xF5D90A});
  auto colours = dominant_colours(img, colour_palette::standard());
  ASSERT_EQ(colours.size(), 4u);
  for (const char* name : {"Red", "Green", "Blue", "Yellow"}) {
    auto it = std::find_if(colours.begin(), colours.end(),
                           [&](const auto& c) { return c.colour == name; });
    ASSERT_NE(it, colours.end()) << name;
    EXPECT_NEAR(it->share, 0.25f, 1e-3f) << name;
  }
}

TEST(style_colours, small_specks_are_dropped_and_k_is_respected) {
  // 2% of the pixels are a stray colour: below min_share.
  auto img = stripes(100, 10, std::vector<uint32_t>(49, 0x141414));
  for (uint32_t y = 0; y < 10; ++y)
    for (uint32_t x = 98; x < 100; ++x) {
      uint8_t* px = &img.pixels[(size_t(y) * 100 + x) * 4];
      px[0] = 245;
      px[1] = 217;
      px[2] = 10;
    }
  auto colours = dominant_colours(img, colour_palette::standard());
  ASSERT_EQ(colours.size(), 1u);
  EXPECT_EQ(colours[0].colour, "Black");

  extraction_options one;
  one.max_colours = 1;
  auto many = stripes(100, 10, {0xC8202A, 0x2E8B3A, 0x2F5DB5});
  EXPECT_EQ(dominant_colours(many, colour_palette::standard(), one).size(), 1u);
}

TEST(style_colours, an_all_transparent_image_has_no_colours) {
  auto img = stripes(8, 8, {0xC8202A});
  for (size_t i = 3; i < img.pixels.size(); i += 4)
    img.pixels[i] = 0;
  EXPECT_TRUE(dominant_colours(img, colour_palette::standard()).empty());
}

TEST(style_worker_executor, runs_jobs_off_the_calling_thread) {
  auto pool = make_worker_executor(2);
  EXPECT_FALSE(pool->runs_inline());
  std::promise<std::thread::id> ran;
  auto done = ran.get_future();
  pool->execute([&ran] { ran.set_value(std::this_thread::get_id()); });
  EXPECT_NE(done.get(), std::this_thread::get_id());
}

}  // namespace
}  // namespace cartmate::style
