// style_colour_test.cpp — CIELAB conversion, CIEDE2000 against Sharma's published pairs, colour
// naming with the catalog's vocabulary, and the cart clash note.
#include <gtest/gtest.h>

#include "adapters/style/clash_note.hpp"
#include "adapters/style/colour_palette.hpp"
#include "adapters/style/colour_space.hpp"

namespace cartmate::style {
namespace {

TEST(style_colour_space, srgb_to_lab_matches_reference_values) {
  auto white = srgb_to_lab(255, 255, 255);
  EXPECT_NEAR(white.l, 100.f, 0.05f);
  EXPECT_NEAR(white.a, 0.f, 0.05f);
  EXPECT_NEAR(white.b, 0.f, 0.05f);
  auto red = srgb_to_lab(0xFF0000);
  EXPECT_NEAR(red.l, 53.24f, 0.05f);
  EXPECT_NEAR(red.a, 80.09f, 0.05f);
  EXPECT_NEAR(red.b, 67.20f, 0.05f);
  auto black = srgb_to_lab(0, 0, 0);
  EXPECT_NEAR(black.l, 0.f, 0.01f);
}

TEST(style_colour_space, ciede2000_matches_sharma_test_data) {
  struct pair {
    lab x, y;
    float expected;
  };
  // Sharma, Wu, Dalal (2005), table 1: pairs 1, 7, 17, 25 and 34.
  const pair pairs[] = {
    {{50.f, 2.6772f, -79.7751f}, {50.f, 0.f, -82.7485f}, 2.0425f},
    {{50.f, 0.f, 0.f}, {50.f, -1.f, 2.f}, 2.3669f},
    {{50.f, 2.5f, 0.f}, {73.f, 25.f, -18.f}, 27.1492f},
    {{60.2574f, -34.0099f, 36.2677f}, {60.4626f, -34.1751f, 39.4387f}, 1.2644f},
    {{22.7233f, 20.0904f, -46.694f}, {23.0331f, 14.973f, -42.5619f}, 2.0373f},
  };
  for (const auto& p : pairs) {
    EXPECT_NEAR(delta_e_2000(p.x, p.y), p.expected, 1e-3f);
    EXPECT_NEAR(delta_e_2000(p.y, p.x), p.expected, 1e-3f);   // symmetric
  }
  EXPECT_FLOAT_EQ(delta_e_2000(srgb_to_lab(0x336699), srgb_to_lab(0x336699)), 0.f);
}

TEST(style_colour_palette, every_entry_names_itself_and_near_colours_find_it) {
  const auto& palette = colour_palette::standard();
  for (const auto& c : palette.colours())
    EXPECT_EQ(palette.nearest(c.lab_value).name, c.name);
  EXPECT_EQ(palette.nearest(srgb_to_lab(30, 42, 80)).name, "Navy");
  EXPECT_EQ(palette.nearest(srgb_to_lab(0, 0, 0)).name, "Black");
  EXPECT_EQ(palette.nearest(srgb_to_lab(255, 255, 255)).name, "White");
  EXPECT_EQ(palette.nearest(srgb_to_lab(210, 25, 35)).name, "Red");
  EXPECT_EQ(palette.nearest(srgb_to_lab(40, 140, 60)).name, "Green");
}

TEST(style_colour_palette, covers_the_demo_catalog_colours) {
  const auto& palette = colour_palette::standard();
  for (const char* name : {"Blue", "Black", "Red", "Green", "White", "Grey", "Brown", "Pink",
                           "Yellow", "Gold", "Beige", "Maroon", "Silver", "Orange", "Burgundy",
                           "Navy", "Purple", "Khaki", "Mustard", "Lavender", "Rose", "Magenta",
                           "Peach", "Platinum", "Charcoal", "Bronze"})
    EXPECT_NE(palette.find(name), nullptr) << name;
  EXPECT_EQ(palette.find("navy blue")->name, "Navy");   // aliases, any case
  EXPECT_EQ(palette.find("Chartreuse"), nullptr);
}

TEST(style_colour_palette, for_catalog_keeps_the_catalog_spelling_and_only_its_colours) {
  std::vector<std::string> vocabulary{"Black", "White", "Navy Blue", "Red", "Green", "Grey",
                                      "Blue", "Pink", "Yellow", "Brown"};
  auto palette = colour_palette::for_catalog(vocabulary);
  EXPECT_EQ(palette.colours().size(), vocabulary.size());
  EXPECT_EQ(palette.nearest(srgb_to_lab(30, 42, 80)).name, "Navy Blue");
  ASSERT_NE(palette.find("Navy"), nullptr);
  EXPECT_EQ(palette.find("Navy")->name, "Navy Blue");
  // Maroon is not a catalog colour here: a maroon pixel gets the closest one the catalog has.
  EXPECT_EQ(palette.find("Maroon"), nullptr);
  EXPECT_EQ(palette.nearest(srgb_to_lab(0x6E1423)).name, "Red");
}

TEST(style_colour_palette, a_catalog_without_colours_gets_the_standard_table) {
  auto palette = colour_palette::for_catalog({});
  EXPECT_EQ(palette.colours().size(), colour_palette::standard().colours().size());
}

protocol::product item(std::string colour) {
  protocol::product p;
  p.id = "p1";
  p.title = "Test Kurta";
  p.colour = std::move(colour);
  return p;
}

TEST(style_clash_note, strong_colours_a_third_of_the_wheel_apart_clash) {
  auto note = clash_note({"Pink"}, item("Orange"));
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("orange"), std::string::npos) << *note;
  EXPECT_NE(note->find("pink"), std::string::npos) << *note;
  EXPECT_TRUE(clash_note({"Purple"}, item("Orange")));
}

TEST(style_clash_note, neutrals_similar_hues_and_unknown_names_do_not_clash) {
  EXPECT_FALSE(clash_note({"Red"}, item("Navy")));        // navy goes with anything
  EXPECT_FALSE(clash_note({"Black", "White"}, item("Red")));
  EXPECT_FALSE(clash_note({"Red"}, item("Maroon")));      // same hue family
  EXPECT_FALSE(clash_note({"Red"}, item("Red")));
  EXPECT_FALSE(clash_note({"Chartreuse"}, item("Red")));
  EXPECT_FALSE(clash_note({"Red"}, item("")));
  EXPECT_FALSE(clash_note({}, item("Red")));
}

}  // namespace
}  // namespace cartmate::style
