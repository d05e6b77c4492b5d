// section_reader_test.cpp — lenient reads of one section: defaults kept for missing keys and
// sections, every wrong type or range refused naming "section.key", a non-object section refused.
#include "config/section_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::config {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(section_reader, missing_keys_and_sections_keep_the_defaults) {
  for (auto settings : {json::object(), json{{"other", {{"x", 1}}}}, json{{"s", json::object()}}}) {
    section_reader s{settings, "s"};
    std::string text = "default";
    int64_t n = 7;
    double d = 0.5;
    bool b = true;
    EXPECT_FALSE(s.error());
    EXPECT_FALSE(s.text("t", text));
    EXPECT_FALSE(s.integer("n", 0, 10, n));
    EXPECT_FALSE(s.number("d", 0, 1, d));
    EXPECT_FALSE(s.boolean("b", b));
    EXPECT_EQ(text, "default");
    EXPECT_EQ(n, 7);
    EXPECT_EQ(d, 0.5);
    EXPECT_TRUE(b);
  }
}

TEST(section_reader, values_of_the_right_type_and_range_are_read) {
  const json settings{{"s", {{"t", "x"}, {"n", 10}, {"d", 1}, {"b", false}}}};
  section_reader s{settings, "s"};
  std::string text;
  int64_t n = 0;
  double d = 0;
  bool b = true;
  EXPECT_FALSE(s.text("t", text, true));
  EXPECT_FALSE(s.integer("n", 0, 10, n));
  EXPECT_FALSE(s.number("d", 0, 1, d));
  EXPECT_FALSE(s.boolean("b", b));
  EXPECT_EQ(text, "x");
  EXPECT_EQ(n, 10);
  EXPECT_EQ(d, 1.0);
  EXPECT_FALSE(b);
}

TEST(section_reader, wrong_types_and_ranges_name_the_key_and_leave_the_value) {
  const json settings{{"s", {{"t", 3}, {"e", ""}, {"n", 11}, {"f", 1.5}, {"d", "x"}, {"b", 1}}}};
  section_reader s{settings, "s"};
  std::string text = "keep";
  int64_t n = 1;
  double d = 0.25;
  bool b = true;
  EXPECT_THAT(protocol::describe(s.text("t", text)), HasSubstr("s.t must be a string"));
  EXPECT_THAT(protocol::describe(s.text("e", text, true)), HasSubstr("s.e must not be empty"));
  EXPECT_THAT(protocol::describe(s.integer("n", 0, 10, n)),
              HasSubstr("s.n must be an integer from 0 to 10 (got 11)"));
  EXPECT_THAT(protocol::describe(s.integer_at_least("f", 1, n)),
              HasSubstr("s.f must be an integer of 1 or more (got 1.5)"));
  EXPECT_THAT(protocol::describe(s.number("d", 0, 1, d)), HasSubstr("s.d must be a number"));
  EXPECT_THAT(protocol::describe(s.boolean("b", b)), HasSubstr("s.b must be true or false"));
  EXPECT_EQ(text, "keep");
  EXPECT_EQ(n, 1);
  EXPECT_EQ(d, 0.25);
  EXPECT_TRUE(b);
}

TEST(section_reader, a_section_that_is_not_an_object_fails_every_read) {
  const json settings{{"s", 3}};
  section_reader s{settings, "s"};
  ASSERT_TRUE(s.error());
  EXPECT_THAT(protocol::describe(s.error()), HasSubstr("s must be a section"));
  std::string text;
  EXPECT_TRUE(s.text("t", text));
}

}  // namespace
}  // namespace cartmate::config
