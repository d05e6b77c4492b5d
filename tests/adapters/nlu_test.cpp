// nlu_test.cpp — the offline language understanding: intents, slots, plans, references and bad input,
// over a small hand-made catalog. Threading: single-threaded tests.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/nlu/offline_understanding.hpp"
#include "adapters/nlu/tokens.hpp"
#include "adapters/nlu/vocabulary.hpp"

namespace cartmate::nlu {
namespace {

protocol::product make(std::string title, std::string brand, std::string type, std::string gender,
                       std::string colour, int64_t rupees) {
  protocol::product p;
  p.id = title;
  p.title = std::move(title);
  p.brand = std::move(brand);
  p.product_type = std::move(type);
  p.gender = std::move(gender);
  p.colour = std::move(colour);
  p.price = protocol::money{rupees * 100, "INR"};
  p.stock = 5;
  return p;
}

std::vector<protocol::product> test_catalog() {
  return {
    make("Puma Men Black Running Shoes", "Puma", "running shoe", "Men", "Black", 2999),
    make("Puma Women Grey Running Shoes", "Puma", "running shoe", "Women", "Grey", 3499),
    make("Red Tape Men Brown Casual Shoes", "Red Tape", "casual shoe", "Men", "Brown", 1999),
    make("Mast & Harbour Women White Shirt", "Mast & Harbour", "shirt", "Women", "White", 899),
    make("U.S. Polo Assn. Men Navy Blue Polo T-shirt", "U.S. Polo Assn.", "t-shirt", "Men",
         "Navy Blue", 1299),
    make("Roadster Men Blue Slim Jeans", "Roadster", "jeans", "Men", "Blue", 1499),
    make("Biba Women Yellow Kurta", "Biba", "kurta", "Women", "Yellow", 1199),
    make("Only Women Red Dress", "Only", "dress", "Women", "Red", 2199),
    make("Gini and Jony Girls Pink Dress", "Gini and Jony", "dress", "Girls", "Pink", 799),
    make("Noisy Row With A Colour As Type", "Whatever", "red", "Boys", "Green", 10),
  };
}

class nlu_test : public ::testing::Test {
protected:
  nlu_test() : lu_(vocabulary::from_products(test_catalog())) {}

  understanding read(std::string_view text, dialogue_hints hints = {}) const {
    return lu_.understand(text, hints);
  }

  intent act(std::string_view text, dialogue_hints hints = {}) const {
    auto u = read(text, hints);
    EXPECT_EQ(u.steps.size(), 1u) << "for: " << text;
    return u.steps.empty() ? intent::unknown : u.steps.front().act;
  }

  slot_values slots(std::string_view text, dialogue_hints hints = {}) const {
    auto u = read(text, hints);
    EXPECT_FALSE(u.steps.empty());
    return u.steps.empty() ? slot_values{} : u.steps.front().slots;
  }

  static dialogue_hints on_screen(int n = 5) {
    dialogue_hints h;
    h.results_on_screen = n;
    return h;
  }

  static dialogue_hints pending() {
    dialogue_hints h;
    h.pending_confirmation = true;
    return h;
  }

  offline_understanding lu_;
};

// ---- names ----

TEST(intent_names, are_stable_snake_case_and_round_trip) {
  EXPECT_EQ(to_string(intent::add_to_cart), "add_to_cart");
  EXPECT_EQ(to_string(intent::remember_preference), "remember_preference");
  EXPECT_EQ(to_string(intent::compare_prices), "compare_prices");
  for (auto x : all_intents) {
    auto name = to_string(x);
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(intent_from_string(name), x) << name;
  }
  EXPECT_FALSE(intent_from_string("add-to-cart").has_value());
}

// ---- tokens and vocabulary ----

TEST(tokens, normalise_numbers_and_currency) {
  auto toks = tokenize("Rs 1,500 or \xE2\x82\xB9" "2k, two thousand five hundred; 1,50,000 the 2nd 20%");
  std::vector<double> numbers;
  for (const auto& t : toks)
    if (t.kind == token_kind::number)
      numbers.push_back(t.value);
  EXPECT_EQ(numbers, (std::vector<double>{1500, 2000, 2500, 150000, 20}));
  EXPECT_EQ(toks.front().text, "rs");
  bool ordinal = false;
  for (const auto& t : toks)
    ordinal |= t.kind == token_kind::ordinal && t.value == 2;
  EXPECT_TRUE(ordinal);
}

TEST(tokens, cap_length_and_accept_any_bytes) {
  std::string huge(100000, 'a');
  EXPECT_LE(tokenize(huge).size(), 1u);
  std::string junk = "\xFF\xFE\xC3\x28 shirt \xE2\x82";  // invalid UTF-8 around a word
  auto toks = tokenize(junk);
  ASSERT_EQ(toks.size(), 1u);
  EXPECT_EQ(toks[0].text, "shirt");
}

TEST(vocabulary, comes_from_the_catalog_with_plurals_and_multiword_entries) {
  auto v = vocabulary::from_products(test_catalog());
  auto kind_value = [&](std::string_view phrase, term_kind kind) -> std::string {
    if (const auto* terms = v.find(phrase))
      for (const auto& t : *terms)
        if (t.kind == kind)
          return t.value;
    return {};
  };
  EXPECT_EQ(kind_value("running shoes", term_kind::product_type), "running shoe");
  EXPECT_EQ(kind_value("dresses", term_kind::product_type), "dress");
  EXPECT_EQ(kind_value("tshirt", term_kind::product_type), "t-shirt");
  EXPECT_EQ(kind_value("t shirts", term_kind::product_type), "t-shirt");
  EXPECT_EQ(kind_value("shoes", term_kind::product_type), "shoe");  // head noun of several types
  EXPECT_EQ(kind_value("navy blue", term_kind::colour), "Navy Blue");
  EXPECT_EQ(kind_value("gray", term_kind::colour), "Grey");
  EXPECT_EQ(kind_value("mast and harbour", term_kind::brand), "Mast & Harbour");
  EXPECT_EQ(kind_value("us polo assn", term_kind::brand), "U.S. Polo Assn.");
  EXPECT_EQ(kind_value("ladies", term_kind::gender), "Women");
  EXPECT_EQ(kind_value("for him", term_kind::gender), "Men");
  // A noisy catalog row whose type is a colour word does not make "red" a type.
  EXPECT_TRUE(kind_value("red", term_kind::product_type).empty());
  // Nothing of a product that is not in the catalog.
  EXPECT_EQ(v.find("sneakers"), nullptr);
  EXPECT_EQ(vocabulary::from_products({}).size(term_kind::brand), 0u);
}

// ---- the example plan ----

TEST_F(nlu_test, example_message_is_a_two_step_plan) {
  auto u = read("find black running shoes under 3000 and add the cheapest to my cart");
  ASSERT_EQ(u.steps.size(), 2u);
  const auto& search = u.steps[0];
  EXPECT_EQ(search.act, intent::search);
  EXPECT_EQ(search.slots.product_type, "running shoe");
  EXPECT_EQ(search.slots.colour, "Black");
  EXPECT_EQ(search.slots.max_price_minor, 300000);
  EXPECT_FALSE(search.slots.min_price_minor.has_value());
  const auto& add = u.steps[1];
  EXPECT_EQ(add.act, intent::add_to_cart);
  ASSERT_TRUE(add.slots.ref.has_value());
  EXPECT_EQ(add.slots.ref->kind, reference_kind::cheapest);
  EXPECT_FALSE(add.slots.colour.has_value());
}

TEST_F(nlu_test, and_between_attributes_does_not_split) {
  auto u = read("black and white shirts");
  ASSERT_EQ(u.steps.size(), 1u);
  EXPECT_EQ(u.steps[0].act, intent::search);
  EXPECT_EQ(u.steps[0].slots.product_type, "shirt");
  EXPECT_EQ(u.steps[0].slots.colour, "Black");
  EXPECT_EQ(u.steps[0].slots.query, "white");  // the second colour stays searchable
  ASSERT_EQ(read("shirts between 500 and 1000").steps.size(), 1u);
}

TEST_F(nlu_test, several_steps_keep_their_order) {
  auto u = read("hi, show me red dresses then add the second one to my cart, and checkout");
  std::vector<intent> acts;
  for (const auto& st : u.steps)
    acts.push_back(st.act);
  EXPECT_EQ(acts, (std::vector<intent>{intent::greet, intent::search, intent::add_to_cart,
                                       intent::checkout}));
  EXPECT_EQ(u.steps[2].slots.ref, (reference{reference_kind::ordinal, 2}));
  EXPECT_EQ(main_step(u).act, intent::add_to_cart);
}

// ---- intents, several phrasings each ----

struct phrasing {
  const char* text;
  intent expected;
};

TEST_F(nlu_test, intents_from_several_phrasings) {
  const phrasing cases[] = {
    {"show me running shoes", intent::search},
    {"I'm looking for a dress for my daughter", intent::search},
    {"do you have kurtas?", intent::search},
    {"I need jeans", intent::search},
    {"find something similar to the second one", intent::search},
    {"show me more", intent::show_more},
    {"next page", intent::show_more},
    {"more results please", intent::show_more},
    {"tell me more about the third one", intent::describe},
    {"how much is it?", intent::describe},
    {"what is the price of the red dress?", intent::describe},
    {"compare the first and the second", intent::describe},
    {"add it to my cart", intent::add_to_cart},
    {"I'll take the second one", intent::add_to_cart},
    {"put both in my bag", intent::add_to_cart},
    {"buy the cheapest", intent::add_to_cart},
    {"remove the jeans from my cart", intent::remove_from_cart},
    {"delete it from the cart", intent::remove_from_cart},
    {"take out the second one", intent::remove_from_cart},
    {"change the quantity to 3", intent::change_quantity},
    {"make it 2", intent::change_quantity},
    {"what's in my cart?", intent::view_cart},
    {"show my cart", intent::view_cart},
    {"checkout", intent::checkout},
    {"place my order", intent::checkout},
    {"I want to check out", intent::checkout},
    {"compare prices for this", intent::compare_prices},
    {"is it cheaper elsewhere?", intent::compare_prices},
    {"find the best price for the second one", intent::compare_prices},
    {"alert me when it drops below 1500", intent::set_alert},
    {"notify me when the red dress is back in stock", intent::set_alert},
    {"let me know if the price drops by 20%", intent::set_alert},
    {"show my alerts", intent::list_alerts},
    {"what price alerts do I have?", intent::list_alerts},
    {"delete my price alert", intent::delete_alert},
    {"stop notifying me about the jeans", intent::delete_alert},
    {"I love it", intent::like},
    {"I like the second one", intent::like},
    {"I don't like this one", intent::dislike},
    {"not my style", intent::dislike},
    {"hello", intent::greet},
    {"good morning", intent::greet},
    {"help", intent::help},
    {"what can you do?", intent::help},
    {"I wear size M", intent::remember_preference},
    {"my budget is 2000", intent::remember_preference},
    {"I don't like yellow", intent::remember_preference},
    {"I prefer Puma", intent::remember_preference},
    {"what do you know about me?", intent::show_profile},
    {"show my preferences", intent::show_profile},
    {"forget my preferences", intent::forget_preferences},
    {"forget everything about me", intent::forget_preferences},
    {"recommend something", intent::recommend},
    {"more like the ones I liked", intent::recommend},
    {"something in my style", intent::recommend},
    {"show my orders", intent::list_orders},
    {"where is my order?", intent::list_orders},
    {"order history", intent::list_orders},
    {"asdkjh qwerty", intent::unknown},
  };
  for (const auto& c : cases) {
    auto u = read(c.text);
    EXPECT_EQ(main_step(u).act, c.expected)
      << "\"" << c.text << "\" -> " << to_string(main_step(u).act) << ", expected "
      << to_string(c.expected);
  }
}

TEST_F(nlu_test, refine_needs_something_to_refine) {
  EXPECT_EQ(act("something cheaper"), intent::refine);
  EXPECT_EQ(act("anything else?"), intent::refine);
  EXPECT_EQ(act("what about in blue?"), intent::refine);
  // Attributes alone refine the results on screen, and start a search when there are none.
  EXPECT_EQ(act("in white", on_screen()), intent::refine);
  EXPECT_EQ(act("in white"), intent::search);
  EXPECT_EQ(act("only Puma", on_screen()), intent::refine);
}

TEST_F(nlu_test, yes_and_no_answer_a_pending_confirmation_only) {
  EXPECT_EQ(act("yes", pending()), intent::confirm);
  EXPECT_EQ(act("yes please, go ahead", pending()), intent::confirm);
  EXPECT_EQ(act("sure", pending()), intent::confirm);
  EXPECT_EQ(act("no", pending()), intent::cancel);
  EXPECT_EQ(act("nope", pending()), intent::cancel);
  EXPECT_EQ(act("yes"), intent::unknown);  // nothing to say yes to
  EXPECT_EQ(act("confirm"), intent::confirm);
  EXPECT_EQ(act("cancel"), intent::cancel);
  auto u = read("no, show me red ones instead", pending());
  ASSERT_EQ(u.steps.size(), 2u);
  EXPECT_EQ(u.steps[0].act, intent::cancel);
  EXPECT_EQ(u.steps[1].act, intent::refine);
}

// ---- slots ----

TEST_F(nlu_test, catalog_slots) {
  auto s = slots("navy blue t-shirts from U.S. Polo Assn. for men");
  EXPECT_EQ(s.product_type, "t-shirt");
  EXPECT_EQ(s.colour, "Navy Blue");
  EXPECT_EQ(s.brand, "U.S. Polo Assn.");
  EXPECT_EQ(s.gender, "Men");
  s = slots("Mast & Harbour shirts for ladies");
  EXPECT_EQ(s.brand, "Mast & Harbour");
  EXPECT_EQ(s.gender, "Women");
  EXPECT_EQ(slots("grey running shoe").colour, "Grey");
  EXPECT_EQ(slots("gray running shoe").colour, "Grey");
  EXPECT_EQ(slots("pink dress for girls").gender, "Girls");
  EXPECT_EQ(slots("kurta for her").gender, "Women");
}

TEST_F(nlu_test, a_brand_that_is_a_common_word_needs_from_or_by) {
  EXPECT_FALSE(slots("only red dresses").brand.has_value());
  EXPECT_EQ(slots("red dresses from only").brand, "Only");
  EXPECT_EQ(slots("red dresses by Only").brand, "Only");
  // A longer brand wins over the colour it starts with.
  EXPECT_EQ(slots("red tape shoes").brand, "Red Tape");
  EXPECT_FALSE(slots("red tape shoes").colour.has_value());
}

TEST_F(nlu_test, price_forms) {
  struct price_case {
    const char* text;
    std::optional<int64_t> min;
    std::optional<int64_t> max;
  };
  const price_case cases[] = {
    {"dresses under 2000", std::nullopt, 200000},
    {"dresses below rs 1,500", std::nullopt, 150000},
    {"dresses under \xE2\x82\xB9" "1500", std::nullopt, 150000},
    {"dresses under 2k", std::nullopt, 200000},
    {"dresses under two thousand", std::nullopt, 200000},
    {"dresses less than 999.50", std::nullopt, 99950},
    {"dresses between 500 and 1000", 50000, 100000},
    {"dresses from 500 to 1000", 50000, 100000},
    {"dresses 500-1000", 50000, 100000},
    {"dresses over 3000", 300000, std::nullopt},
    {"dresses 1500 and above", 150000, std::nullopt},
    {"dresses 1500 or less", std::nullopt, 150000},
    {"dresses for rs 800", std::nullopt, 80000},
    {"dresses around 1000", 80000, 120000},
  };
  for (const auto& c : cases) {
    auto s = slots(c.text);
    EXPECT_EQ(s.min_price_minor, c.min) << c.text;
    EXPECT_EQ(s.max_price_minor, c.max) << c.text;
  }
  EXPECT_EQ(slots("cheaper", on_screen()).direction, price_direction::cheaper);
  EXPECT_EQ(slots("something more expensive", on_screen()).direction, price_direction::pricier);
  EXPECT_FALSE(slots("cheaper").max_price_minor.has_value());
}

TEST_F(nlu_test, sizes) {
  EXPECT_EQ(slots("shirts in size M").size, "M");
  EXPECT_EQ(slots("shirts in xl").size, "XL");
  EXPECT_EQ(slots("shirts in extra large").size, "XL");
  EXPECT_EQ(slots("shirts in medium").size, "M");
  EXPECT_EQ(slots("running shoes size 9").size, "9");
  EXPECT_EQ(slots("running shoes size uk 8").size, "UK 8");
  EXPECT_FALSE(slots("a small dress").size.has_value());
  auto pref = slots("I wear size L");
  EXPECT_EQ(pref.preference_key, "size");
  EXPECT_EQ(pref.preference_value, "L");
  EXPECT_EQ(slots("I usually wear M").size, "M");
}

TEST_F(nlu_test, quantities) {
  auto s = slots("add two of the second one to my cart");
  EXPECT_EQ(s.quantity, 2);
  EXPECT_EQ(s.ref, (reference{reference_kind::ordinal, 2}));
  EXPECT_EQ(slots("add 3 pieces of it").quantity, 3);
  EXPECT_EQ(slots("change the quantity of the first one to 4").quantity, 4);
  EXPECT_EQ(slots("make it 5").quantity, 5);
  EXPECT_FALSE(slots("add the second one").quantity.has_value());
}

// The reader reports the count it read, however unreasonable: refusing it is the caller's call,
// and a count silently turned into "one" would add the wrong thing to a cart.
TEST_F(nlu_test, quantities_out_of_any_sensible_range_are_reported_as_read) {
  auto zero = read("add 0 of it");
  ASSERT_EQ(zero.steps.size(), 1u);
  EXPECT_EQ(zero.steps[0].act, intent::add_to_cart);
  EXPECT_EQ(zero.steps[0].slots.quantity, 0);
  EXPECT_EQ(slots("add 1000000000 of these").quantity, 1000000000);
  EXPECT_EQ(slots("add 0 of the first one to my cart").quantity, 0);
  EXPECT_EQ(slots("set the quantity to 0").quantity, 0);
  auto big = read("make it 5000");
  ASSERT_EQ(big.steps.size(), 1u);
  EXPECT_EQ(big.steps[0].act, intent::change_quantity);
  EXPECT_EQ(big.steps[0].slots.quantity, 5000);
  auto huge = slots("add 99999999999999999999999 pieces").quantity;
  ASSERT_TRUE(huge.has_value());
  EXPECT_GT(*huge, 1000000000);
  // Numbers that are not counts stay what they are.
  EXPECT_FALSE(slots("add the 2nd one").quantity.has_value());
  auto plan = read("find shoes under 3000 and add the cheapest");
  ASSERT_EQ(plan.steps.size(), 2u);
  EXPECT_EQ(plan.steps[0].slots.max_price_minor, 300000);
  EXPECT_FALSE(plan.steps[1].slots.quantity.has_value());
  EXPECT_FALSE(slots("add rs 500 of it").quantity.has_value());
}

TEST_F(nlu_test, prices_at_other_shops_are_price_comparisons) {
  for (auto text : {"how much is it on amazon?", "is it cheaper elsewhere?",
                    "compare prices for the second one", "how much does it cost at flipkart",
                    "is it cheaper on myntra?", "what's the price on ajio?"}) {
    auto u = read(text, on_screen());
    EXPECT_EQ(main_step(u).act, intent::compare_prices) << text << " -> " << to_string(main_step(u).act);
  }
  EXPECT_EQ(slots("compare prices for the second one", on_screen()).ref,
            (reference{reference_kind::ordinal, 2}));
  // "on" a shop floor, on sale, or without a price question is no other retailer.
  EXPECT_EQ(act("how much is it on sale?", on_screen()), intent::describe);
  EXPECT_EQ(act("how much is the dress on the left?", on_screen()), intent::describe);
  EXPECT_EQ(act("what is the price of the second one?", on_screen()), intent::describe);
  EXPECT_EQ(act("tell me about the one on display", on_screen()), intent::describe);
}

TEST_F(nlu_test, a_new_thing_named_is_a_new_search_modifiers_refine) {
  EXPECT_EQ(act("show me purple unicorn spaceships", on_screen()), intent::search);
  auto named = slots("show me pink unicorn spaceships", on_screen());
  EXPECT_EQ(named.colour, "Pink");
  EXPECT_EQ(named.query, "unicorn spaceships");
  EXPECT_EQ(act("do you have any good hats?", on_screen()), intent::search);
  EXPECT_EQ(act("I want a sleeveless tank top", on_screen()), intent::search);
  for (auto text : {"show me something in blue", "in blue", "cheaper", "for women",
                    "show me other options", "are there any other options?",
                    "show me options in XL", "show me blue ones",
                    "do you have any in red?", "show me more"}) {
    auto u = read(text, on_screen());
    auto a = main_step(u).act;
    EXPECT_TRUE(a == intent::refine || a == intent::show_more) << text << " -> " << to_string(a);
  }
}

TEST_F(nlu_test, references) {
  EXPECT_EQ(slots("the second one").ref, (reference{reference_kind::ordinal, 2}));
  EXPECT_EQ(slots("add the 3rd to my cart").ref, (reference{reference_kind::ordinal, 3}));
  EXPECT_EQ(slots("show me number 4").ref, (reference{reference_kind::ordinal, 4}));
  EXPECT_EQ(slots("the last one").ref, (reference{reference_kind::ordinal, -1}));
  EXPECT_EQ(slots("add it").ref, (reference{reference_kind::last_mentioned, 0}));
  EXPECT_EQ(slots("I like that one").ref, (reference{reference_kind::last_mentioned, 0}));
  EXPECT_EQ(slots("buy this").ref, (reference{reference_kind::last_mentioned, 0}));
  EXPECT_EQ(slots("add the cheapest").ref, (reference{reference_kind::cheapest, 0}));
  EXPECT_EQ(slots("the most expensive one").ref, (reference{reference_kind::most_expensive, 0}));
  EXPECT_EQ(slots("add them both").ref, (reference{reference_kind::all, 0}));
  auto red = slots("add the red one to my cart");
  EXPECT_EQ(red.ref, (reference{reference_kind::by_attributes, 0}));
  EXPECT_EQ(red.colour, "Red");
  // "that" as a relative pronoun is not a reference.
  EXPECT_FALSE(slots("shoes that are black").ref.has_value());
  // An item action without anything named acts on the last item mentioned.
  EXPECT_EQ(slots("add to cart").ref, (reference{reference_kind::last_mentioned, 0}));
  EXPECT_EQ(act("the second one"), intent::describe);
}

TEST_F(nlu_test, alert_fields) {
  auto s = slots("alert me when it drops below 1500");
  EXPECT_EQ(s.alert_threshold_minor, 150000);
  EXPECT_FALSE(s.max_price_minor.has_value());
  EXPECT_EQ(slots("tell me when the price drops by 20%").alert_drop_percent, 20);
  EXPECT_EQ(slots("let me know when the jeans are back in stock").alert_back_in_stock, true);
  EXPECT_EQ(slots("notify me when the jeans drop to rs 999").alert_threshold_minor, 99900);
}

TEST_F(nlu_test, preference_fields) {
  auto budget = slots("my budget is 2000");
  EXPECT_EQ(budget.preference_key, "budget");
  EXPECT_EQ(budget.preference_value, "200000");
  auto yellow = slots("I don't like yellow");
  EXPECT_EQ(yellow.preference_key, "avoid_colour");
  EXPECT_EQ(yellow.preference_value, "Yellow");
  EXPECT_EQ(yellow.exclude_colour, "Yellow");
  EXPECT_FALSE(yellow.colour.has_value());
  auto brand = slots("I prefer Puma");
  EXPECT_EQ(brand.preference_key, "brand");
  EXPECT_EQ(brand.preference_value, "Puma");
}

TEST_F(nlu_test, negated_colour_is_excluded) {
  auto s = slots("dresses but not red");
  EXPECT_EQ(s.exclude_colour, "Red");
  EXPECT_FALSE(s.colour.has_value());
  EXPECT_EQ(act("I don't want red", on_screen()), intent::refine);
}

TEST_F(nlu_test, query_keeps_unconsumed_content_words) {
  auto s = slots("show me cotton running shoes with good grip under 3000");
  EXPECT_EQ(s.product_type, "running shoe");
  EXPECT_EQ(s.query, "cotton good grip");
}

// ---- robustness ----

TEST_F(nlu_test, bad_input_never_crashes) {
  EXPECT_EQ(act(""), intent::unknown);
  EXPECT_EQ(act("   \t\n "), intent::unknown);
  EXPECT_EQ(act("?!.,;"), intent::unknown);
  EXPECT_EQ(act("\xF0\x9F\x98\x80\xF0\x9F\x91\x8D"), intent::unknown);  // emoji only
  EXPECT_EQ(act("'; DROP TABLE carts; --"), intent::unknown);
  EXPECT_EQ(act("\xFF\xFE\xFD\x80\x81"), intent::unknown);  // not UTF-8 at all
  // Emoji and broken bytes around real words do not hide them.
  EXPECT_EQ(act("\xF0\x9F\x98\x80 show me red dresses \xC3"), intent::search);

  std::string huge;
  while (huge.size() < 100 * 1024)
    huge += "show me red dresses under 2000 and ";
  auto u = read(huge);
  EXPECT_TRUE(u.truncated);
  ASSERT_FALSE(u.steps.empty());
  EXPECT_EQ(u.steps.front().act, intent::search);

  std::string digits(5000, '9');
  auto s = slots("dresses under " + digits);
  ASSERT_TRUE(s.max_price_minor.has_value());
  EXPECT_GT(*s.max_price_minor, 0);

  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes.push_back(static_cast<char>(i));
  EXPECT_FALSE(read(bytes).steps.empty());
  EXPECT_FALSE(read(std::string_view("add\0it", 6)).steps.empty());
}

TEST_F(nlu_test, concurrent_use_gives_the_same_answers) {
  const std::string text = "find black running shoes under 3000 and add the cheapest to my cart";
  auto expected = read(text);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto u = lu_.understand(text, {});
        if (u.steps.size() != expected.steps.size() || u.steps[1].act != intent::add_to_cart
            || u.steps[0].slots.max_price_minor != expected.steps[0].slots.max_price_minor)
          ++mismatches[t];
      }
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(mismatches, (std::vector<int>(4, 0)));
}

}  // namespace
}  // namespace cartmate::nlu
