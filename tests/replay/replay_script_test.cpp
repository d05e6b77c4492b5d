// replay_script_test.cpp — the script format: what parses, and that every malformed line is an
// error naming the file and line. Threading: single-threaded.
#include "actors/replay/replay_script.hpp"

#include <gtest/gtest.h>

#include "protocol/errors.hpp"

namespace cartmate::replay {
namespace {

std::string error_of(std::string_view text) {
  auto s = parse_script(text, "t.jsonl");
  EXPECT_FALSE(s) << "expected a parse error for: " << text;
  return s ? std::string{} : protocol::describe(s.error());
}

TEST(replay_script, parses_header_turns_and_expectations) {
  auto s = parse_script(
    R"({"conversation": "demo", "tenant": "acme", "user": "ann"}
# a comment line

{"user": "black shoes under 2999.5", "expect": {"intent": ["search", "add_to_cart"], "agents": ["product_discovery"], "products": {"min": 1, "max": 5, "max_price": 2999.5, "colour": ["black", "navy"], "product_type": "shoe", "gender": "men"}, "cart": {"items": 2, "lines": 1, "contains": "shoe", "empty": false}, "confirmation_asked": true, "order_placed": false, "degraded": false, "reply_contains": "found"}}
{"input": "confirm"}
{"user": "love it", "input": "like"}
{"user": "meh", "input": "dislike", "ref": "the second one"}
)",
    "dir/demo_file.jsonl");
  ASSERT_TRUE(s) << protocol::describe(s.error());
  EXPECT_EQ(s->name, "demo");
  EXPECT_EQ(s->tenant, "acme");
  EXPECT_EQ(s->user, "ann");
  ASSERT_EQ(s->turns.size(), 4u);
  const auto& t = s->turns[0];
  EXPECT_EQ(t.line, 4u);
  EXPECT_EQ(t.text, "black shoes under 2999.5");
  EXPECT_EQ(t.expect.intents, (std::vector<std::string>{"search", "add_to_cart"}));
  ASSERT_TRUE(t.expect.products);
  EXPECT_EQ(*t.expect.products->max_price_minor, 299950);
  EXPECT_EQ(t.expect.products->colour, (std::vector<std::string>{"black", "navy"}));
  EXPECT_EQ(*t.expect.products->min, 1u);
  ASSERT_TRUE(t.expect.cart);
  EXPECT_EQ(*t.expect.cart->items, 2);
  EXPECT_EQ(*t.expect.cart->empty, false);
  EXPECT_EQ(*t.expect.confirmation_asked, true);
  EXPECT_EQ(*t.expect.order_placed, false);
  EXPECT_EQ(s->turns[1].input, protocol::turn_input::confirm);
  EXPECT_TRUE(s->turns[1].expect.empty());
  EXPECT_EQ(s->turns[2].product_ref, "love it");  // a like without ref likes what the text says
  EXPECT_EQ(s->turns[3].product_ref, "the second one");
}

TEST(replay_script, name_defaults_to_the_file_stem) {
  auto s = parse_script(R"({"user": "hi"})", "examples/conversations/greet.jsonl");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "greet");
  EXPECT_EQ(s->user, "shopper");
}

TEST(replay_script, malformed_lines_name_file_and_line) {
  EXPECT_NE(error_of("{\"user\": \"hi\"}\n{\"user\": ").find("t.jsonl:2: "), std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("t.jsonl:1: expected a JSON object"), std::string::npos);
  EXPECT_NE(error_of("{\"user\": \"x\", \"expect\": {\"prodcuts\": {}}}")
              .find("t.jsonl:1: unknown key 'expect.prodcuts'"),
            std::string::npos);
  EXPECT_NE(error_of("\n{\"user\": \"x\", \"expect\": {\"intent\": \"serch\"}}")
              .find("t.jsonl:2: unknown intent 'serch'"),
            std::string::npos);
  EXPECT_NE(error_of("{\"user\": \"x\", \"expect\": {\"agents\": [\"kart\"]}}").find("unknown agent 'kart'"),
            std::string::npos);
  EXPECT_NE(error_of("{\"user\": \"x\", \"expect\": {\"products\": {\"min\": -1}}}")
              .find("'expect.products.min' must be a non-negative integer"),
            std::string::npos);
  EXPECT_NE(error_of("{\"user\": \"x\", \"expect\": {\"cart\": {\"empty\": \"no\"}}}")
              .find("'expect.cart.empty' must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of("{\"user\": \"x\", \"input\": \"shout\"}").find("unknown input 'shout'"),
            std::string::npos);
  EXPECT_NE(error_of("{\"expect\": {}}").find("needs a non-empty 'user' text"), std::string::npos);
  EXPECT_NE(error_of("{\"input\": \"like\"}").find("needs 'ref'"), std::string::npos);
  EXPECT_NE(error_of("{\"user\": \"x\"}\n{\"conversation\": \"late\"}")
              .find("t.jsonl:2: 'conversation' is only allowed on the first line"),
            std::string::npos);
  EXPECT_NE(error_of("{\"conversation\": \"empty\"}").find("has no turns"), std::string::npos);
}

// Errors deep inside an object come back as values with the whole key path, exactly once
// prefixed with file and line, and the first malformed line is the one reported.
TEST(replay_script, nested_errors_carry_the_key_path_and_first_bad_line) {
  auto s = parse_script("{\"conversation\": \"c\"}\n{\"user\": \"ok\", \"expect\": {\"intent\": \"greet\"}}\n"
                        "{\"user\": \"x\", \"expect\": {\"products\": {\"colour\": [\"red\", 3]}}}\n"
                        "{\"user\": \"y\", \"expect\": {\"cart\": {\"items\": -2}}}\n",
                        "t.jsonl");
  ASSERT_FALSE(s);
  EXPECT_EQ(protocol::errc_of(s.error()), protocol::errc::invalid_argument);
  EXPECT_EQ(protocol::describe(s.error()),
            "invalid_argument: t.jsonl:3: 'expect.products.colour[]' must be a string");
  EXPECT_NE(error_of("{\"conversation\": \"c\", \"user\": 7}\n{\"user\": \"x\"}")
              .find("t.jsonl:1: 'user' must be a string"),
            std::string::npos);
  EXPECT_NE(error_of("{\"user\": \"x\", \"expect\": {\"products\": {\"min\": 3, \"max\": 1}}}")
              .find("t.jsonl:1: 'expect.products.min' is greater than 'max'"),
            std::string::npos);
  EXPECT_NE(error_of("{\"user\": \"x\", \"expect\": {\"cart\": {\"quantity_of_first\": 1.5}}}")
              .find("t.jsonl:1: 'expect.cart.quantity_of_first' must be a non-negative integer"),
            std::string::npos);
}

TEST(replay_script, missing_file_is_not_found) {
  auto s = load_script("no/such/script.jsonl");
  ASSERT_FALSE(s);
  EXPECT_EQ(protocol::errc_of(s.error()), protocol::errc::not_found);
}

// Image turns read their file when the script is parsed, relative to the script's folder.
TEST(replay_script, image_turns_carry_the_file_bytes) {
  const std::string dir = std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/images";
  auto s = parse_script(R"({"image": "solid_navy.png", "expect": {"intent": "search"}}
{"user": "this one", "input": "image", "image": "red_white.png"})",
                        dir + "/images.jsonl");
  ASSERT_TRUE(s) << protocol::describe(s.error());
  ASSERT_EQ(s->turns.size(), 2u);
  const auto& t = s->turns[0];
  EXPECT_EQ(t.input, protocol::turn_input::image);
  EXPECT_EQ(t.image_path, "solid_navy.png");
  auto direct = read_image_file(dir + "/solid_navy.png", "elsewhere/x.jsonl");
  ASSERT_TRUE(direct) << protocol::describe(direct.error());
  EXPECT_EQ(t.image, *direct);
  ASSERT_GE(t.image.size(), 8u);
  EXPECT_EQ(t.image[1], 'P');   // a PNG signature: the file's bytes, not its name
  EXPECT_FALSE(t.text.empty()) << "the transcript shows something for the turn";
  EXPECT_EQ(s->turns[1].text, "this one");
  EXPECT_FALSE(s->turns[1].image.empty());
}

TEST(replay_script, an_unreadable_image_is_a_script_error_naming_file_and_line) {
  auto missing = parse_script("{\"user\": \"hi\"}\n{\"image\": \"nope.png\"}",
                              "scripts/pics.jsonl");
  ASSERT_FALSE(missing);
  auto text = protocol::describe(missing.error());
  EXPECT_NE(text.find("scripts/pics.jsonl:2: cannot read image 'nope.png'"), std::string::npos)
    << text;
  EXPECT_NE(text.find("scripts/nope.png"), std::string::npos) << "the resolved path: " << text;
  EXPECT_NE(error_of("{\"input\": \"image\"}").find("t.jsonl:1: an image turn needs 'image'"),
            std::string::npos);
  EXPECT_NE(error_of("{\"input\": \"like\", \"ref\": \"it\", \"image\": \"a.png\"}")
              .find("'image' goes with input 'image'"),
            std::string::npos);
  EXPECT_NE(error_of("{\"image\": 3}").find("'image' must be a string"), std::string::npos);
}

TEST(replay_script, every_example_conversation_parses) {
  for (auto name : {"demo", "greet_help_unknown", "multi_step", "bad_input", "checkout_confirm",
                    "image_search", "style_and_prices"}) {
    auto path = std::string{CARTMATE_SOURCE_DIR} + "/examples/conversations/" + name + ".jsonl";
    auto s = load_script(path);
    ASSERT_TRUE(s) << protocol::describe(s.error());
    EXPECT_EQ(s->name, name);
    for (auto& t : s->turns)
      EXPECT_FALSE(t.expect.empty()) << path << ":" << t.line << " checks nothing";
  }
}

}  // namespace
}  // namespace cartmate::replay
