// orchestrator_style_test.cpp — the orchestrator with the style profiler and price comparison
// agents: stated preferences remembered, shown and applied to searches and recommendations
// (and the answer saying so), recommendations blended with the style ranking and its reason,
// colour clashes in the cart with suggestions, price comparisons naming failed retailers, and
// image turns. Stand-in agents on the deterministic scheduler; the pure rules underneath too.
#include "actors/orchestrator/orchestrator_agent.hpp"

#include <algorithm>
#include <string>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actors/orchestrator/conversation_context.hpp"
#include "actors/orchestrator/preferences.hpp"
#include "actors/orchestrator/replies.hpp"
#include "actors/orchestrator/style_blend.hpp"
#include "adapters/style/clash_note.hpp"
#include "protocol/errors.hpp"
#include "tests/actors/orchestrator_test_agents.hpp"
#include "tests/runtime/caf_test_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::turn_input;
using protocol::turn_summary;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool has(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

protocol::product item(std::string id, std::string title, std::string type, std::string colour,
                       int64_t rupees) {
  protocol::product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.brand = "Test";
  p.product_type = std::move(type);
  p.gender = "Women";
  p.colour = std::move(colour);
  p.price = protocol::money{rupees * 100, "INR"};
  p.stock = 5;
  return p;
}

// The shared test catalog plus two kurtas in neutral colours that list no sizes.
std::vector<protocol::product> catalog() {
  auto out = test_catalog();
  out.push_back(item("p13", "Biba Black Kurta", "kurta", "Black", 1199));
  out.push_back(item("p14", "Libas White Kurta", "kurta", "White", 1399));
  return out;
}

struct style_test : runtime_fixture {
  std::shared_ptr<agent_log> agents = std::make_shared<agent_log>();
  std::shared_ptr<style_log> style = std::make_shared<style_log>();
  std::shared_ptr<protocol::price_comparison> comparison
    = std::make_shared<protocol::price_comparison>();
  std::shared_ptr<client_log> events = std::make_shared<client_log>();
  std::shared_ptr<const index::product_index> idx;
  std::unique_ptr<runtime::resilience_context> ctx;
  std::vector<caf::actor> actors;
  caf::actor orchestrator;
  caf::actor client;
  uint64_t next_turn = 1;

  style_test() {
    auto built = index::product_index::build(catalog(), size_t{64});
    EXPECT_TRUE(built) << protocol::describe(built.error());
    idx = std::make_shared<const index::product_index>(std::move(*built));
    runtime::call_policy policy;
    policy.attempt_timeout = 100ms;
    policy.max_attempts = 2;
    policy.backoff = runtime::backoff_policy{10ms, 40ms, 2.0, 0.0};
    policy.default_deadline = 1000ms;
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer, policy);
    add(protocol::agent_kind::product_discovery, spawn_test_discovery(sys, idx, agents));
    add(protocol::agent_kind::cart, spawn_test_cart(sys, idx, agents));
    add(protocol::agent_kind::style_profiler, spawn_test_style(sys, style, catalog()));
    add(protocol::agent_kind::price_comparison, spawn_test_price(sys, comparison));
  }

  void add(protocol::agent_kind kind, caf::actor a) {
    directory.add(kind, runtime::agent_replica{a, "t", true});
    actors.push_back(std::move(a));
  }

  void start() {
    orchestrator::orchestrator_deps deps;
    deps.contexts.store = nullptr;
    deps.resilience = ctx.get();
    deps.understanding = orchestrator::make_offline_understanding(catalog());
    deps.metrics = &metrics;
    deps.turn_deadline = 2000ms;
    orchestrator = orchestrator::spawn_orchestrator_agent(sys, deps);
    client = spawn_test_client(sys, orchestrator, events);
    actors.push_back(orchestrator);
    actors.push_back(client);
    sched.run();
  }

  ~style_test() override {
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  turn_summary send(protocol::user_turn turn) {
    turn.env.tenant = "shop";
    turn.env.user = "u-1";
    turn.env.session = "s-1";
    turn.env.turn_id = next_turn++;
    turn.env.trace_id = "trace-" + std::to_string(turn.env.turn_id);
    auto n = events->summaries.size() + 1;
    caf::anon_send(client, std::move(turn));
    run_until([&] { return events->summaries.size() >= n; });
    if (events->summaries.size() < n) {
      ADD_FAILURE() << "no summary for turn " << n;
      return {};
    }
    return events->summaries[n - 1];
  }

  turn_summary say(std::string text) {
    protocol::user_turn turn;
    turn.text = std::move(text);
    return send(std::move(turn));
  }

  const std::vector<protocol::product>& last_shown() {
    static const std::vector<protocol::product> none;
    EXPECT_FALSE(events->products.empty()) << "no products were shown";
    return events->products.empty() ? none : events->products.back().products;
  }

  void state(std::string key, std::string value) {
    style->stated.push_back(protocol::stated_preference{std::move(key), std::move(value), 1});
  }
};

// -- stated preferences ---------------------------------------------------------------------------

TEST_F(style_test, budget_and_avoided_colour_shape_later_searches_and_the_answer_says_so) {
  start();
  auto budget = say("my budget is 1200");
  EXPECT_EQ(budget.intents, std::vector<std::string>{"remember_preference"});
  EXPECT_TRUE(contains(budget.reply, "\xE2\x82\xB9" "1,200")) << budget.reply;
  say("I don't like green");
  ASSERT_EQ(style->sets.size(), 2u);
  auto s = say("show me kurtas");
  ASSERT_FALSE(agents->searches.empty());
  const auto& f = agents->searches.back().filters;
  EXPECT_EQ(f.max_price_minor, 120000);
  EXPECT_TRUE(has(f.exclude_colours, "Green")) << s.reply;
  const auto& shown = last_shown();
  ASSERT_FALSE(shown.empty());
  for (const auto& p : shown) {
    EXPECT_LE(p.price.minor, 120000) << p.title;
    EXPECT_NE(p.colour, "Green") << p.title;
  }
  EXPECT_TRUE(contains(s.reply, "Within your budget of \xE2\x82\xB9" "1,200, leaving out green"))
    << s.reply;
}

TEST_F(style_test, a_price_or_colour_the_shopper_names_wins_over_what_they_stated) {
  state("budget", "120000");
  state("avoid_colour", "Blue");
  start();
  auto s = say("show me blue kurtas under 3000");
  ASSERT_FALSE(agents->searches.empty());
  const auto& f = agents->searches.back().filters;
  EXPECT_EQ(f.max_price_minor, 300000);
  EXPECT_EQ(f.colour, "Blue");
  EXPECT_TRUE(f.exclude_colours.empty());
  EXPECT_FALSE(contains(s.reply, "budget")) << s.reply;
  EXPECT_TRUE(contains(s.reply, "you asked for it")) << s.reply;
  for (const auto& p : last_shown())
    EXPECT_EQ(p.colour, "Blue");
}

TEST_F(style_test, preferences_stated_earlier_are_read_once_before_the_first_search) {
  state("budget", "150000");
  start();
  say("show me kurtas");
  EXPECT_EQ(style->profile_gets, 1);
  ASSERT_EQ(agents->searches.size(), 1u);
  EXPECT_EQ(agents->searches[0].filters.max_price_minor, 150000);
  say("show me running shoes");
  EXPECT_EQ(style->profile_gets, 1) << "the conversation keeps what it read";
  ASSERT_EQ(agents->searches.size(), 2u);
  EXPECT_EQ(agents->searches[1].filters.max_price_minor, 150000);
}

TEST_F(style_test, recommend_after_a_budget_keeps_to_it) {
  start();
  say("my budget is 1500");
  auto s = say("recommend something");
  EXPECT_TRUE(has(s.intents, "recommend"));
  ASSERT_FALSE(agents->searches.empty());
  EXPECT_EQ(agents->searches.back().filters.max_price_minor, 150000);
  const auto& shown = last_shown();
  ASSERT_FALSE(shown.empty());
  for (const auto& p : shown)
    EXPECT_LE(p.price.minor, 150000) << p.title;
  EXPECT_TRUE(contains(s.reply, "budget of \xE2\x82\xB9" "1,500")) << s.reply;
}

TEST_F(style_test, profile_lists_what_was_stated_and_what_was_learned) {
  style->signal_count = 3;
  style->attributes.push_back(protocol::attribute_preference{"colour", "Navy Blue", 2.f});
  style->attributes.push_back(protocol::attribute_preference{"product_type", "kurta", 1.f});
  start();
  say("my budget is 2000");
  say("I wear size M");
  say("I don't like yellow");
  auto s = say("what do you know about me?");
  EXPECT_EQ(s.intents, std::vector<std::string>{"show_profile"});
  EXPECT_TRUE(contains(s.reply, "your budget is \xE2\x82\xB9" "2,000")) << s.reply;
  EXPECT_TRUE(contains(s.reply, "you wear size M")) << s.reply;
  EXPECT_TRUE(contains(s.reply, "you don't like yellow")) << s.reply;
  EXPECT_TRUE(contains(s.reply, "colours you like: navy blue")) << s.reply;
  EXPECT_TRUE(contains(s.reply, "kinds of items you like: kurtas")) << s.reply;
  EXPECT_FALSE(contains(s.reply, "200000")) << s.reply;
}

TEST_F(style_test, forgotten_preferences_no_longer_shape_searches) {
  start();
  say("my budget is 1200");
  say("show me kurtas");
  ASSERT_EQ(agents->searches.back().filters.max_price_minor, 120000);
  auto forget = say("forget my preferences");
  EXPECT_EQ(forget.intents, std::vector<std::string>{"forget_preferences"});
  ASSERT_EQ(style->forgets.size(), 1u);
  EXPECT_TRUE(style->forgets[0].key.empty());
  auto s = say("show me running shoes");
  EXPECT_EQ(agents->searches.back().filters.max_price_minor, -1);
  EXPECT_FALSE(contains(s.reply, "budget")) << s.reply;
}

TEST_F(style_test, a_size_the_catalog_cannot_check_is_said_once) {
  start();
  say("I wear size M");
  auto first = say("show me black kurtas");
  ASSERT_FALSE(agents->searches.empty());
  EXPECT_EQ(agents->searches.back().filters.size, "M");
  ASSERT_FALSE(last_shown().empty());
  EXPECT_TRUE(last_shown().front().sizes.empty());
  EXPECT_TRUE(contains(first.reply, "don't list their sizes")) << first.reply;
  auto again = say("show me white kurtas");
  EXPECT_FALSE(contains(again.reply, "don't list their sizes")) << again.reply;
}

// -- recommendations --------------------------------------------------------------------------------

TEST_F(style_test, recommendations_follow_the_style_ranking_and_say_why) {
  style->signal_count = 4;
  start();
  // The favourite colour is one the search alone would not put first.
  say("show me kurtas");
  const auto plain = last_shown();
  ASSERT_GE(plain.size(), 2u);
  style->favourite_colour = plain.back().colour;
  ASSERT_NE(style->favourite_colour, plain.front().colour);
  style->rank_reason = "you liked several " + style->favourite_colour + " kurtas";
  auto s = say("recommend kurtas");
  EXPECT_TRUE(has(s.intents, "recommend"));
  ASSERT_EQ(style->ranks.size(), 1u);
  EXPECT_GE(style->ranks[0].product_ids.size(), plain.size());
  const auto& shown = last_shown();
  ASSERT_FALSE(shown.empty());
  EXPECT_EQ(shown.front().colour, style->favourite_colour);
  EXPECT_LE(shown.size(), size_t{orchestrator::page_size});
  EXPECT_TRUE(contains(s.reply, "because " + style->rank_reason)) << s.reply;
  for (const auto& p : shown)
    EXPECT_EQ(p.product_type, "kurta") << "relevance still counts: " << p.title;
}

TEST_F(style_test, without_any_style_known_recommendations_say_so_and_skip_the_ranking) {
  start();
  auto s = say("recommend something");
  EXPECT_TRUE(style->ranks.empty());
  EXPECT_TRUE(contains(s.reply, "I don't know your style yet")) << s.reply;
}

// -- cart coherence -------------------------------------------------------------------------------

TEST_F(style_test, adding_a_clashing_colour_notes_it_and_suggests_items_that_go) {
  auto red = catalog()[6];     // Biba Red Kurta
  auto green = catalog()[8];   // Libas Green Kurta
  ASSERT_EQ(red.colour, "Red");
  ASSERT_EQ(green.colour, "Green");
  ASSERT_TRUE(style::clash_note({"Red"}, green)) << "the rule this test relies on changed";
  start();
  say("show me red kurtas");
  say("add the first one");
  auto searches_before = agents->searches.size();
  say("show me green kurtas");
  auto s = say("add the first one");
  EXPECT_TRUE(has(s.intents, "add_to_cart"));
  EXPECT_TRUE(contains(s.reply, "may clash with the red")) << s.reply;
  ASSERT_EQ(agents->searches.size(), searches_before + 2) << "one suggestion search";
  EXPECT_LE(agents->searches.back().limit, 8u);
  ASSERT_FALSE(events->products.empty());
  const auto& ev = events->products.back();
  EXPECT_EQ(ev.heading, "Goes with your cart");
  ASSERT_FALSE(ev.products.empty());
  EXPECT_LE(ev.products.size(), 3u);
  for (const auto& p : ev.products) {
    EXPECT_FALSE(style::clash_note({"Red"}, p)) << p.title;
    EXPECT_EQ(agents->cart.count(p.id), 0u) << "already in the cart: " << p.title;
    EXPECT_TRUE(contains(s.reply, p.title)) << s.reply;
  }
  // The suggestions are the list on screen, and "it" is still the item just added.
  auto compare = say("compare prices for it");
  EXPECT_TRUE(contains(compare.reply, "Prices for " + green.title)) << compare.reply;
}

TEST_F(style_test, adding_a_colour_that_goes_with_the_cart_says_nothing_about_colours) {
  start();
  say("show me red kurtas");
  say("add the first one");
  say("show me black kurtas");
  auto searches_before = agents->searches.size();
  auto s = say("add the first one");
  EXPECT_FALSE(contains(s.reply, "clash")) << s.reply;
  EXPECT_EQ(agents->searches.size(), searches_before);
}

// -- price comparison -----------------------------------------------------------------------------

TEST_F(style_test, comparison_gives_the_verdicts_reasons_and_names_failed_retailers) {
  comparison->our_price = protocol::money{129900, "INR"};
  comparison->offers.push_back(
    protocol::offer{"KartNest", {139900, "INR"}, {139900, "INR"}, "https://k.example", true});
  comparison->best_offer = 0;
  comparison->verdict = "good deal";
  comparison->reasons = {"our price is the lowest of 2", "7% under the median"};
  comparison->failed_retailers = {"Trendora (no answer within 800 ms)", "UrbanCrate (HTTP 503)"};
  start();
  say("show me kurtas");
  auto s = say("compare prices for the first one");
  EXPECT_EQ(s.intents, std::vector<std::string>{"compare_prices"});
  EXPECT_FALSE(s.degraded);
  EXPECT_TRUE(contains(s.reply, "Why: our price is the lowest of 2; 7% under the median."))
    << s.reply;
  EXPECT_TRUE(contains(s.reply, "Trendora (no answer within 800 ms)")) << s.reply;
  EXPECT_TRUE(contains(s.reply, "UrbanCrate (HTTP 503)")) << s.reply;
}

// -- images ---------------------------------------------------------------------------------------

TEST_F(style_test, an_image_turn_searches_its_colour_with_the_stated_preferences) {
  state("budget", "200000");
  style->image_colour = "Blue";
  start();
  protocol::user_turn turn;
  turn.input = turn_input::image;
  turn.image = {0x89, 'P', 'N', 'G'};
  auto s = send(std::move(turn));
  ASSERT_EQ(style->images.size(), 1u);
  EXPECT_EQ(style->images[0].bytes, (std::vector<uint8_t>{0x89, 'P', 'N', 'G'}));
  ASSERT_FALSE(agents->searches.empty());
  EXPECT_EQ(agents->searches.back().filters.colour, "Blue");
  EXPECT_EQ(agents->searches.back().filters.max_price_minor, 200000);
  const auto& shown = last_shown();
  ASSERT_FALSE(shown.empty());
  for (const auto& p : shown)
    EXPECT_EQ(p.colour, "Blue") << p.title;
  EXPECT_TRUE(contains(s.reply, "mostly Blue")) << s.reply;
}

TEST_F(style_test, an_image_turn_without_an_image_gets_a_clear_answer) {
  start();
  protocol::user_turn turn;
  turn.input = turn_input::image;
  auto s = send(std::move(turn));
  EXPECT_TRUE(style->images.empty());
  EXPECT_TRUE(contains(s.reply, "didn't get an image")) << s.reply;
}

// -- the pure rules -------------------------------------------------------------------------------

TEST(preferences, budget_avoided_colours_and_size_are_read_from_stated_preferences) {
  auto p = orchestrator::preferences_of({{"budget", "200000", 1},
                                         {"avoid_colour", "Yellow", 1},
                                         {"size", "M", 1},
                                         {"colour", "Blue", 1}});
  ASSERT_TRUE(p.budget_minor);
  EXPECT_EQ(*p.budget_minor, 200000);
  EXPECT_EQ(p.avoid_colours, std::vector<std::string>{"Yellow"});
  EXPECT_EQ(p.size, "M");
  EXPECT_FALSE(orchestrator::preferences_of({{"budget", "lots", 1}}).budget_minor);
}

TEST(preferences, a_lower_bound_at_or_above_the_budget_leaves_the_budget_out) {
  orchestrator::shopper_preferences prefs;
  prefs.budget_minor = 200000;
  protocol::search_filters f;
  f.min_price_minor = 250000;
  auto applied = orchestrator::apply_preferences(prefs, f);
  EXPECT_EQ(f.max_price_minor, -1);
  EXPECT_FALSE(applied.budget_minor);
  protocol::search_filters g;
  g.min_price_minor = 50000;
  orchestrator::apply_preferences(prefs, g);
  EXPECT_EQ(g.max_price_minor, 200000);
}

TEST(preferences, the_note_names_each_applied_preference) {
  orchestrator::applied_preferences a;
  a.budget_minor = 200000;
  a.left_out = {"Yellow", "Pink"};
  EXPECT_EQ(orchestrator::applied_text(a, "INR"),
            "Within your budget of \xE2\x82\xB9" "2,000, leaving out yellow and pink (from what you "
            "told me).");
  EXPECT_EQ(orchestrator::applied_text({}, "INR"), "");
}

TEST(style_blend, style_moves_candidates_up_and_relevance_breaks_ties) {
  std::vector<protocol::product> c(3);
  c[0].id = "a";
  c[1].id = "b";
  c[2].id = "c";
  protocol::style_ranking r;
  r.product_ids = {"c", "a", "b"};
  r.scores = {1.f, 0.f, 0.f};
  auto out = orchestrator::blend_by_style(c, {3.f, 2.f, 1.f}, r, 0.8f);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, "c");
  EXPECT_EQ(out[1].id, "a");
  EXPECT_EQ(out[2].id, "b");
  // With style weighing little, relevance keeps the lead.
  auto mostly_relevance = orchestrator::blend_by_style(c, {3.f, 2.f, 1.f}, r, 0.2f);
  EXPECT_EQ(mostly_relevance[0].id, "a");
}

}  // namespace
}  // namespace cartmate::testing
