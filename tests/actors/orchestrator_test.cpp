// orchestrator_test.cpp — the orchestrator end to end on the deterministic scheduler: planning
// several steps, context and references, checkout only after an explicit yes, queued turns,
// honest degraded answers and bad input. Discovery runs on the real product index.
#include "actors/orchestrator/orchestrator_agent.hpp"

#include <algorithm>
#include <string>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actors/orchestrator/conversation_context.hpp"
#include "actors/orchestrator/replies.hpp"
#include "actors/orchestrator/text_sanitiser.hpp"
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

struct orchestrator_test : runtime_fixture {
  std::shared_ptr<agent_log> agents = std::make_shared<agent_log>();
  std::shared_ptr<client_log> events = std::make_shared<client_log>();
  std::shared_ptr<const index::product_index> idx;
  std::unique_ptr<runtime::resilience_context> ctx;
  caf::actor discovery;
  caf::actor cart;
  caf::actor orchestrator;
  caf::actor client;
  uint64_t next_turn = 1;
  std::string session = "s-1";

  orchestrator_test() {
    auto built = index::product_index::build(test_catalog(), size_t{64});
    EXPECT_TRUE(built) << protocol::describe(built.error());
    idx = std::make_shared<const index::product_index>(std::move(*built));
    runtime::call_policy policy;
    policy.attempt_timeout = 100ms;
    policy.max_attempts = 2;
    policy.backoff = runtime::backoff_policy{10ms, 40ms, 2.0, 0.0};
    policy.default_deadline = 1000ms;
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer, policy);
    discovery = spawn_test_discovery(sys, idx, agents);
    cart = spawn_test_cart(sys, idx, agents);
    directory.add(protocol::agent_kind::product_discovery, runtime::agent_replica{discovery, "t", true});
    directory.add(protocol::agent_kind::cart, runtime::agent_replica{cart, "t", true});
  }

  /// `keep_context`: false runs without a session context store, so a dropped conversation
  /// really forgets (the store's resume is covered by orchestrator_persistence_test).
  void start(std::chrono::minutes idle = std::chrono::minutes{30}, bool keep_context = true) {
    orchestrator::orchestrator_deps deps;
    if (!keep_context)
      deps.contexts.store = nullptr;
    deps.resilience = ctx.get();
    deps.understanding = orchestrator::make_offline_understanding(test_catalog());
    deps.metrics = &metrics;
    deps.turn_deadline = 2000ms;
    deps.max_text_bytes = 2000;
    deps.idle_timeout = idle;
    orchestrator = orchestrator::spawn_orchestrator_agent(sys, deps);
    client = spawn_test_client(sys, orchestrator, events);
    sched.run();
  }

  ~orchestrator_test() override {
    for (auto* a : {&discovery, &cart, &orchestrator, &client})
      if (*a)
        caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  void send(std::string text, turn_input input = turn_input::message, std::string ref = {}) {
    protocol::user_turn turn;
    turn.env.tenant = "shop";
    turn.env.user = "u-1";
    turn.env.session = session;
    turn.env.turn_id = next_turn++;
    turn.env.trace_id = "trace-" + std::to_string(turn.env.turn_id);
    turn.input = input;
    turn.text = std::move(text);
    turn.product_ref = std::move(ref);
    caf::anon_send(client, std::move(turn));
  }

  turn_summary wait_for(size_t n) {
    run_until([&] { return events->summaries.size() >= n; });
    if (events->summaries.size() < n) {
      ADD_FAILURE() << "no summary for turn " << n;
      return {};
    }
    return events->summaries[n - 1];
  }

  turn_summary say(std::string text, turn_input input = turn_input::message, std::string ref = {}) {
    send(std::move(text), input, std::move(ref));
    return wait_for(events->summaries.size() + 1);
  }

  const protocol::products_event& last_products() {
    static const protocol::products_event none;
    EXPECT_FALSE(events->products.empty()) << "no products were shown";
    return events->products.empty() ? none : events->products.back();
  }

  size_t finals_of(uint64_t turn) {
    return static_cast<size_t>(std::count_if(events->finals.begin(), events->finals.end(),
                                             [turn](const auto& f) { return f.turn_id == turn; }));
  }
};

// -- search and multi-step plans ------------------------------------------------------------------

TEST_F(orchestrator_test, search_streams_products_and_exactly_one_final) {
  start();
  auto s = say("show me black running shoes under 3000");
  EXPECT_EQ(s.intents, std::vector<std::string>{"search"}) << s.reply;
  EXPECT_TRUE(has(s.agents, "product_discovery"));
  ASSERT_EQ(agents->searches.size(), 1u);
  const auto& f = agents->searches[0].filters;
  EXPECT_EQ(f.colour, "Black");
  EXPECT_EQ(f.max_price_minor, 300000);
  // A type-only request ranks by the type words.
  EXPECT_EQ(agents->searches[0].query, "running shoe") << s.reply;
  EXPECT_EQ(f.product_type, "running shoe");
  const auto& shown = last_products().products;
  ASSERT_FALSE(shown.empty());
  for (const auto& p : shown) {
    EXPECT_EQ(p.colour, "Black");
    EXPECT_LE(p.price.minor, 300000);
    EXPECT_EQ(p.product_type, "running shoe");
  }
  EXPECT_EQ(finals_of(s.turn_id), 1u);
  EXPECT_EQ(events->finals.back().text, s.reply) << s.reply;
  EXPECT_FALSE(s.degraded) << s.reply;
  EXPECT_TRUE(contains(s.reply, shown.front().title));
  // thinking, then the delegation, then products, then the final text, then the summary.
  std::vector<std::string> expected{"thinking", "delegation:product_discovery", "products", "final",
                                    "summary"};
  EXPECT_EQ(events->sequence, expected);
  EXPECT_EQ(metrics.counter_value("cartmate_turns_total"), 1u);
  EXPECT_EQ(metrics.histogram_count("cartmate_turn_seconds"), 1u);
}

TEST_F(orchestrator_test, one_message_with_search_and_add_adds_the_cheapest_result) {
  start();
  auto s = say("find black running shoes under 3000 and add the cheapest to my cart");
  EXPECT_EQ(s.intents, (std::vector<std::string>{"search", "add_to_cart"}));
  EXPECT_EQ(s.agents, (std::vector<std::string>{"product_discovery", "cart"}));
  ASSERT_EQ(agents->searches.size(), 1u);
  ASSERT_EQ(agents->adds.size(), 1u);
  const auto& shown = last_products().products;
  auto cheapest = *std::min_element(shown.begin(), shown.end(), [](const auto& a, const auto& b) {
    return a.price.minor < b.price.minor;
  });
  EXPECT_EQ(agents->adds[0].product_id, cheapest.id);
  EXPECT_EQ(agents->adds[0].quantity, 1);
  EXPECT_FALSE(agents->adds[0].env.idempotency_key.empty());
  EXPECT_EQ(agents->adds[0].env.user, "u-1");
  EXPECT_EQ(agents->adds[0].env.trace_id, "trace-1");
  EXPECT_GT(agents->adds[0].env.deadline_ms, 0);
  EXPECT_EQ(agents->cart.at(cheapest.id), 1);
  ASSERT_EQ(events->carts.size(), 1u);
  EXPECT_EQ(events->carts[0].cart.item_count, 1);
  EXPECT_TRUE(contains(s.reply, cheapest.title));
  EXPECT_EQ(finals_of(s.turn_id), 1u);
}

TEST_F(orchestrator_test, every_write_gets_its_own_idempotency_key) {
  start();
  say("show me kurtas");
  say("add the first one");
  say("add the second one");
  ASSERT_EQ(agents->adds.size(), 2u);
  EXPECT_NE(agents->adds[0].env.idempotency_key, agents->adds[1].env.idempotency_key);
}

// -- context: refinement and references -----------------------------------------------------------

TEST_F(orchestrator_test, refinement_keeps_earlier_constraints_and_overrides_changed_ones) {
  start();
  say("show me kurtas under 2000");
  ASSERT_EQ(agents->searches.size(), 1u);
  auto s = say("in blue");
  EXPECT_EQ(s.intents, std::vector<std::string>{"refine"});
  ASSERT_EQ(agents->searches.size(), 2u);
  const auto& f = agents->searches[1].filters;
  EXPECT_EQ(f.product_type, "kurta");
  EXPECT_EQ(f.max_price_minor, 200000);
  EXPECT_EQ(f.colour, "Blue");
  for (const auto& p : last_products().products) {
    EXPECT_EQ(p.colour, "Blue");
    EXPECT_LE(p.price.minor, 200000);
  }
  // A changed colour overrides the earlier one; type and budget stay.
  say("in green");
  ASSERT_EQ(agents->searches.size(), 3u);
  EXPECT_EQ(agents->searches[2].filters.colour, "Green");
  EXPECT_EQ(agents->searches[2].filters.product_type, "kurta");
  EXPECT_EQ(agents->searches[2].filters.max_price_minor, 200000);
}

TEST_F(orchestrator_test, cheaper_lowers_the_price_limit_below_what_was_shown) {
  start();
  say("show me running shoes");
  auto shown = last_products().products;
  ASSERT_GE(shown.size(), 2u);
  auto cheapest = std::min_element(shown.begin(), shown.end(), [](const auto& a, const auto& b) {
                    return a.price.minor < b.price.minor;
                  })->price.minor;
  say("something cheaper");
  ASSERT_EQ(agents->searches.size(), 2u);
  EXPECT_EQ(agents->searches[1].filters.product_type, "running shoe");
  EXPECT_GE(agents->searches[1].filters.max_price_minor, 0);
  EXPECT_LT(agents->searches[1].filters.max_price_minor, cheapest);
}

TEST_F(orchestrator_test, show_more_pages_with_an_offset) {
  start();
  say("show me running shoes");
  ASSERT_EQ(agents->searches.size(), 1u);
  EXPECT_EQ(agents->searches[0].offset, 0u);
  auto first_page = last_products().products;
  auto s = say("show me more");
  EXPECT_EQ(s.intents, std::vector<std::string>{"show_more"});
  ASSERT_EQ(agents->searches.size(), 2u);
  EXPECT_EQ(agents->searches[1].offset, orchestrator::page_size);
  EXPECT_EQ(agents->searches[1].filters.product_type, "running shoe");
  for (const auto& p : last_products().products)
    for (const auto& q : first_page)
      EXPECT_NE(p.id, q.id);
}

TEST_F(orchestrator_test, references_resolve_against_the_list_on_screen) {
  start();
  say("show me kurtas");
  auto shown = last_products().products;
  ASSERT_GE(shown.size(), 3u);
  say("add the second one to my cart");
  ASSERT_EQ(agents->adds.size(), 1u);
  EXPECT_EQ(agents->adds[0].product_id, shown[1].id);
  // "it" is the item just added.
  auto s = say("tell me more about it");
  EXPECT_EQ(s.intents, std::vector<std::string>{"describe"});
  ASSERT_EQ(agents->lookups.size(), 1u);
  EXPECT_EQ(agents->lookups[0].product_id, shown[1].id);
  EXPECT_TRUE(contains(s.reply, shown[1].title));
}

TEST_F(orchestrator_test, out_of_range_reference_gets_a_clear_answer_and_leaves_the_cart_alone) {
  start();
  say("show me black running shoes under 3000");
  auto count = last_products().products.size();
  ASSERT_LT(count, 10u);
  auto s = say("add the tenth one to my cart");
  EXPECT_TRUE(contains(s.reply, "I only showed " + std::to_string(count) + " items")) << s.reply;
  EXPECT_TRUE(agents->adds.empty());
  EXPECT_TRUE(agents->cart.empty());
  // The conversation goes on.
  say("add the first one to my cart");
  EXPECT_EQ(agents->adds.size(), 1u);
}

TEST_F(orchestrator_test, reference_before_any_results_asks_for_a_search) {
  start();
  auto s = say("add the second one to my cart");
  EXPECT_TRUE(contains(s.reply, "haven't shown you any products")) << s.reply;
  EXPECT_EQ(agents->cart_requests, 0);
}

// -- checkout -------------------------------------------------------------------------------------

struct checkout_test : orchestrator_test {
  void fill_cart() {
    start();
    say("show me kurtas");
    say("add the first one to my cart");
    ASSERT_EQ(agents->cart.size(), 1u);
  }
};

TEST_F(checkout_test, checkout_asks_for_confirmation_and_yes_places_the_order) {
  fill_cart();
  auto s = say("checkout");
  EXPECT_EQ(s.intents, std::vector<std::string>{"checkout"});
  EXPECT_TRUE(s.confirmation_asked);
  EXPECT_TRUE(events->finals.back().confirmation_asked);
  EXPECT_TRUE(contains(s.reply, "Shall I place the order? (yes/no)"));
  EXPECT_TRUE(contains(s.reply, "Total:"));
  EXPECT_EQ(agents->prepares.size(), 1u);
  EXPECT_TRUE(agents->confirms.empty());
  EXPECT_TRUE(agents->orders.empty());
  EXPECT_TRUE(s.order_id.empty());
  auto yes = say("yes");
  EXPECT_EQ(yes.intents, std::vector<std::string>{"confirm"});
  ASSERT_EQ(agents->confirms.size(), 1u);
  EXPECT_EQ(agents->confirms[0].checkout_id, "co-1");
  ASSERT_EQ(agents->orders.size(), 1u);
  EXPECT_EQ(yes.order_id, agents->orders[0].order_id);
  EXPECT_TRUE(contains(yes.reply, agents->orders[0].order_id));
  // Confirming again has nothing to confirm.
  auto again = say("yes");
  EXPECT_EQ(agents->confirms.size(), 1u);
  EXPECT_TRUE(again.order_id.empty());
}

TEST_F(checkout_test, confirm_input_places_the_order_without_language_understanding) {
  fill_cart();
  say("checkout");
  auto s = say("", turn_input::confirm);
  EXPECT_EQ(agents->orders.size(), 1u);
  EXPECT_FALSE(s.order_id.empty());
}

TEST_F(checkout_test, no_cancels_the_pending_checkout) {
  fill_cart();
  say("checkout");
  auto s = say("no");
  EXPECT_EQ(s.intents, std::vector<std::string>{"cancel"});
  ASSERT_EQ(agents->cancels.size(), 1u);
  EXPECT_EQ(agents->cancels[0].checkout_id, "co-1");
  EXPECT_TRUE(agents->confirms.empty());
  EXPECT_TRUE(contains(s.reply, "cancelled"));
  EXPECT_EQ(agents->cart.size(), 1u);   // the cart itself stays
  // A later "yes" does not revive it.
  say("yes");
  EXPECT_TRUE(agents->confirms.empty());
  EXPECT_TRUE(agents->orders.empty());
}

TEST_F(checkout_test, another_intent_cancels_the_checkout_and_is_then_handled) {
  fill_cart();
  say("checkout");
  auto searches = agents->searches.size();
  auto s = say("show me running shoes");
  ASSERT_EQ(agents->cancels.size(), 1u);
  EXPECT_EQ(agents->searches.size(), searches + 1);
  EXPECT_TRUE(contains(s.reply, "cancelled the pending checkout"));
  EXPECT_FALSE(s.confirmation_asked);
  say("yes");
  EXPECT_TRUE(agents->confirms.empty());
  EXPECT_TRUE(agents->orders.empty());
}

TEST_F(checkout_test, checkout_and_confirm_in_one_message_still_asks_first) {
  fill_cart();
  auto s = say("checkout and confirm");
  EXPECT_TRUE(s.confirmation_asked);
  EXPECT_TRUE(agents->confirms.empty());
  EXPECT_TRUE(agents->orders.empty());
}

TEST_F(checkout_test, checkout_of_an_empty_cart_says_so) {
  start();
  auto s = say("checkout");
  EXPECT_FALSE(s.confirmation_asked);
  EXPECT_TRUE(agents->confirms.empty());
  EXPECT_EQ(finals_of(s.turn_id), 1u);
  auto yes = say("yes");
  EXPECT_TRUE(agents->confirms.empty());
  EXPECT_TRUE(yes.order_id.empty());
}

// -- turn queue and sessions ----------------------------------------------------------------------

TEST_F(orchestrator_test, turns_sent_back_to_back_run_one_at_a_time_in_order) {
  start();
  send("show me kurtas");
  send("add the cheapest to my cart");
  send("show my cart");
  wait_for(3);
  ASSERT_EQ(events->summaries.size(), 3u);
  EXPECT_EQ(events->summaries[0].turn_id, 1u);
  EXPECT_EQ(events->summaries[1].turn_id, 2u);
  EXPECT_EQ(events->summaries[2].turn_id, 3u);
  // The add resolved "the cheapest" against the first turn's results: it ran after it.
  ASSERT_EQ(agents->adds.size(), 1u);
  EXPECT_EQ(agents->adds[0].product_id, "p9");
  // Never interleaved: each turn's final comes before anything of the next turn.
  std::vector<uint64_t> final_order;
  for (const auto& f : events->finals)
    final_order.push_back(f.turn_id);
  EXPECT_EQ(final_order, (std::vector<uint64_t>{1, 2, 3}));
  auto summaries_seen = 0;
  for (const auto& e : events->sequence) {
    if (e == "summary")
      ++summaries_seen;
    if (e == "delegation:cart") {
      EXPECT_GE(summaries_seen, 1);
    }
  }
}

TEST_F(orchestrator_test, sessions_have_separate_contexts) {
  start();
  say("show me kurtas");
  session = "s-2";
  auto s = say("add the first one to my cart");
  EXPECT_TRUE(contains(s.reply, "haven't shown you any products")) << s.reply;
  EXPECT_TRUE(agents->adds.empty());
}

TEST_F(orchestrator_test, an_idle_conversation_is_dropped_and_without_a_context_store_starts_fresh) {
  start(std::chrono::minutes{1}, false);
  say("show me kurtas");
  sched.clock().advance_time(std::chrono::minutes{2});
  sched.run();
  auto s = say("add the first one to my cart");
  EXPECT_TRUE(contains(s.reply, "haven't shown you any products")) << s.reply;
  EXPECT_TRUE(agents->adds.empty());
}

// -- degraded answers ----------------------------------------------------------------------------

TEST_F(orchestrator_test, missing_price_comparison_agent_gives_an_honest_degraded_answer) {
  start();
  say("show me kurtas");
  auto s = say("compare prices for the first one");
  EXPECT_EQ(s.intents, std::vector<std::string>{"compare_prices"});
  EXPECT_TRUE(s.degraded);
  ASSERT_EQ(s.degraded_reasons.size(), 1u);
  EXPECT_TRUE(contains(s.degraded_reasons[0], "price_comparison")) << s.degraded_reasons[0];
  EXPECT_TRUE(contains(s.reply, "Price comparison isn't available right now.")) << s.reply;
  EXPECT_TRUE(events->finals.back().degraded);
  EXPECT_FALSE(events->errors.empty());
  EXPECT_EQ(finals_of(s.turn_id), 1u);
  EXPECT_EQ(metrics.counter_value("cartmate_turns_degraded_total"), 1u);
  // The conversation continues normally.
  auto next = say("add the first one to my cart");
  EXPECT_FALSE(next.degraded);
  EXPECT_EQ(agents->adds.size(), 1u);
}

TEST_F(orchestrator_test, alerts_and_style_intents_reach_their_agents_or_say_they_are_missing) {
  start();
  say("show me kurtas");
  auto alert = say("tell me when the first one drops below 800");
  EXPECT_EQ(alert.intents, std::vector<std::string>{"set_alert"});
  EXPECT_TRUE(has(alert.agents, "alerts"));
  EXPECT_TRUE(alert.degraded);
  EXPECT_TRUE(contains(alert.reply, "Price alerts aren't available right now.")) << alert.reply;
  auto like = say("", turn_input::like, "the second one");
  EXPECT_TRUE(has(like.agents, "style_profiler"));
  EXPECT_TRUE(like.degraded);
  EXPECT_TRUE(contains(like.reply, "Style profiles aren't available right now.")) << like.reply;
}

TEST_F(orchestrator_test, keyword_only_results_are_shown_but_the_turn_counts_as_degraded) {
  start();
  agents->search_degraded = "embeddings: timeout";
  auto s = say("show me kurtas");
  EXPECT_TRUE(s.degraded);
  ASSERT_EQ(s.degraded_reasons.size(), 1u);
  EXPECT_EQ(s.degraded_reasons[0], "product_discovery: embeddings: timeout");
  EXPECT_TRUE(contains(s.reply, "matched by keywords only")) << s.reply;
  EXPECT_TRUE(events->errors.empty()) << "results were shown: nothing is unavailable";
  agents->search_degraded.clear();
  EXPECT_FALSE(say("show me shirts").degraded);
}

TEST_F(orchestrator_test, discovery_down_degrades_search_and_skips_dependent_steps) {
  start();
  directory.remove(protocol::agent_kind::product_discovery, discovery.address());
  auto s = say("find black running shoes under 3000 and add the cheapest to my cart");
  EXPECT_TRUE(s.degraded);
  EXPECT_TRUE(contains(s.reply, "Product search isn't available right now")) << s.reply;
  EXPECT_EQ(agents->cart_requests, 0);
  EXPECT_EQ(finals_of(s.turn_id), 1u);
}

TEST_F(orchestrator_test, silent_cart_times_out_inside_the_turn_and_is_reported) {
  start();
  say("show me kurtas");
  auto silent = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](const protocol::cart_add&) -> caf::result<protocol::cart_view> {
      return caf::delegated<protocol::cart_view>{};   // never answers
    }};
  });
  directory.remove(protocol::agent_kind::cart, cart.address());
  directory.add(protocol::agent_kind::cart, runtime::agent_replica{silent, "t", true});
  auto s = say("add the first one to my cart");
  EXPECT_TRUE(s.degraded);
  ASSERT_FALSE(s.degraded_reasons.empty());
  EXPECT_TRUE(contains(s.degraded_reasons[0], "cart: timeout")) << s.degraded_reasons[0];
  EXPECT_TRUE(contains(s.reply, "cart isn't available")) << s.reply;
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

// -- chat and bad input ---------------------------------------------------------------------------

TEST_F(orchestrator_test, greeting_help_and_nonsense_get_a_list_of_what_it_can_do) {
  start();
  for (const char* text : {"hello", "help", "qwzx vbnm"}) {
    auto s = say(text);
    EXPECT_TRUE(contains(s.reply, "I can help you")) << text << ": " << s.reply;
    EXPECT_TRUE(s.agents.empty()) << text;
  }
  EXPECT_EQ(agents->cart_requests, 0);
}

TEST_F(orchestrator_test, bad_inputs_get_clear_answers_and_the_conversation_continues) {
  start();
  say("show me kurtas");
  auto empty = say("   \t ");
  EXPECT_TRUE(contains(empty.reply, "didn't get a message")) << empty.reply;
  auto huge = say(std::string(100 * 1024, 'a'));
  EXPECT_TRUE(contains(huge.reply, "very long")) << huge.reply;
  auto broken = say("show me \xff\xfe kurtas \xc3");
  EXPECT_FALSE(broken.reply.empty());
  auto emoji = say("\xF0\x9F\x91\x9F\xF0\x9F\x94\xA5");   // 👟🔥
  EXPECT_FALSE(emoji.reply.empty());
  auto sql = say("'; DROP TABLE carts; -- ");
  EXPECT_FALSE(sql.reply.empty());
  auto zero = say("add 0 of the first one to my cart");
  EXPECT_TRUE(contains(zero.reply, "between 1 and 99")) << zero.reply;
  auto billion = say("add 1000000000 of the first one to my cart");
  EXPECT_TRUE(contains(billion.reply, "between 1 and 99")) << billion.reply;
  EXPECT_TRUE(agents->adds.empty());
  EXPECT_TRUE(agents->cart.empty());
  for (const auto& s : events->summaries)
    EXPECT_EQ(finals_of(s.turn_id), 1u) << s.turn_id;
  // Every answer that reached the client is valid UTF-8 text without control characters.
  for (const auto& f : events->finals) {
    EXPECT_FALSE(orchestrator::sanitise_text(f.text, f.text.size() + 1).repaired);
  }
  auto ok = say("add the first one to my cart");
  EXPECT_EQ(agents->adds.size(), 1u);
  EXPECT_FALSE(ok.degraded);
}

TEST_F(orchestrator_test, out_of_stock_answer_from_the_cart_is_explained) {
  start();
  say("show me yellow kurtas");
  ASSERT_EQ(last_products().products.size(), 1u);
  auto s = say("add it to my cart");
  EXPECT_FALSE(s.degraded);
  EXPECT_TRUE(contains(s.reply, "out of stock")) << s.reply;
  EXPECT_TRUE(agents->cart.empty());
}

TEST_F(orchestrator_test, counts_out_of_range_are_refused_with_the_number_read) {
  start();
  say("show me kurtas");
  say("add the first one to my cart");
  ASSERT_EQ(agents->adds.size(), 1u);
  auto zero = say("add 0 of the second one to my cart");
  EXPECT_TRUE(contains(zero.reply, "quantity of 0")) << zero.reply;
  EXPECT_TRUE(contains(zero.reply, "left your cart as it is")) << zero.reply;
  auto billion = say("add 1000000000 of these");
  EXPECT_TRUE(contains(billion.reply, "quantity of 1000000000")) << billion.reply;
  auto big = say("make it 5000");
  EXPECT_EQ(big.intents, std::vector<std::string>{"change_quantity"});
  EXPECT_TRUE(contains(big.reply, "between 1 and 99")) << big.reply;
  EXPECT_EQ(agents->adds.size(), 1u);
  EXPECT_TRUE(agents->quantity_changes.empty());
  ASSERT_EQ(agents->cart.size(), 1u);
  EXPECT_EQ(agents->cart.begin()->second, 1);
}

// After adding two kurtas, "remove the kurta" must not act on the search results on screen
// (which removed both and then failed on a third) but on the kurtas in the cart: ask which one.
TEST_F(orchestrator_test, remove_by_name_asks_which_cart_line_when_several_match) {
  start();
  say("show me kurtas");
  say("add the first one to my cart");
  say("add the second one to my cart");
  ASSERT_EQ(agents->cart.size(), 2u);
  auto ask = say("remove the kurta");
  EXPECT_EQ(ask.intents, std::vector<std::string>{"remove_from_cart"});
  EXPECT_TRUE(contains(ask.reply, "Which one should I remove? Say e.g. \"remove the first one\""))
    << ask.reply;
  EXPECT_TRUE(agents->removes.empty());
  EXPECT_EQ(agents->cart.size(), 2u);
  auto first = agents->adds[0].product_id;
  auto second = agents->adds[1].product_id;
  auto done = say("remove the second one");
  ASSERT_EQ(agents->removes.size(), 1u) << done.reply;
  EXPECT_EQ(agents->removes[0].product_id, second);
  auto view = say("show my cart");
  ASSERT_EQ(agents->cart.size(), 1u);
  EXPECT_EQ(agents->cart.count(first), 1u);
  EXPECT_TRUE(contains(view.reply, "1 item")) << view.reply;
}

TEST_F(orchestrator_test, remove_by_name_removes_the_one_matching_line) {
  start();
  say("show me kurtas");
  say("add the first one to my cart");
  auto kurta = agents->adds[0].product_id;
  say("show me running shoes");
  say("add the cheapest to my cart");
  ASSERT_EQ(agents->cart.size(), 2u);
  auto s = say("remove the kurta");
  ASSERT_EQ(agents->removes.size(), 1u) << s.reply;
  EXPECT_EQ(agents->removes[0].product_id, kurta);
  EXPECT_EQ(agents->cart.count(kurta), 0u);
  EXPECT_EQ(agents->cart.size(), 1u);
  // Something on screen that is not in the cart is said so, and nothing is removed.
  auto not_in = say("remove the most expensive one");
  EXPECT_TRUE(contains(not_in.reply, "isn't in your cart")) << not_in.reply;
  EXPECT_EQ(agents->removes.size(), 1u);
  EXPECT_EQ(agents->cart.size(), 1u);
}

TEST_F(orchestrator_test, cart_view_remove_and_quantity_use_the_cart_as_the_list) {
  start();
  say("show me kurtas");
  say("add the first one to my cart");
  say("add the second one to my cart");
  auto view = say("show my cart");
  EXPECT_EQ(view.intents, std::vector<std::string>{"view_cart"});
  ASSERT_EQ(agents->cart.size(), 2u);
  auto removed_id = agents->cart.begin()->first;   // the cart lists lines by id
  say("remove the first one");
  ASSERT_EQ(agents->removes.size(), 1u);
  EXPECT_EQ(agents->removes[0].product_id, removed_id);
  EXPECT_EQ(agents->cart.count(removed_id), 0u);
}

// -- pure pieces -----------------------------------------------------------------------------------

TEST(orchestrator_text, sanitiser_caps_repairs_and_strips) {
  auto s = orchestrator::sanitise_text("  hi\x01 there\n\xff ok  ", 100);
  EXPECT_EQ(s.text, "hi there \xEF\xBF\xBD ok");
  EXPECT_TRUE(s.repaired);
  EXPECT_FALSE(s.truncated);
  auto capped = orchestrator::sanitise_text("\xC3\xA9\xC3\xA9\xC3\xA9", 5);   // ééé
  EXPECT_EQ(capped.text, "\xC3\xA9\xC3\xA9");   // never cut inside a character
  EXPECT_TRUE(capped.truncated);
  EXPECT_TRUE(orchestrator::sanitise_text("\xED\xA0\x80", 10).repaired);   // a surrogate
  EXPECT_TRUE(orchestrator::sanitise_text("\xC0\xAF", 10).repaired);       // overlong "/"
  EXPECT_EQ(orchestrator::sanitise_text("\xF0\x9F\x91\x9F", 10).text, "\xF0\x9F\x91\x9F");
}

namespace ctxt {

protocol::product kurta(std::string id, std::string title, std::string colour) {
  protocol::product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.product_type = "kurta";
  p.colour = std::move(colour);
  p.brand = "Biba";
  p.gender = "Women";
  p.price = protocol::money{129900, "INR"};
  return p;
}

protocol::cart_view cart_of(const std::vector<protocol::product>& items) {
  protocol::cart_view cart;
  for (const auto& p : items)
    cart.lines.push_back(protocol::cart_line{p.id, p.title, p.price, 1, p.price});
  cart.item_count = static_cast<int32_t>(items.size());
  return cart;
}

}  // namespace ctxt

TEST(orchestrator_context, named_items_are_found_among_the_cart_lines) {
  using namespace ctxt;
  orchestrator::conversation_context ctx;
  auto red = kurta("k1", "Biba Women Red Kurta", "Red");
  auto blue = kurta("k2", "Biba Women Blue Kurta", "Blue");
  protocol::product jacket;
  jacket.id = "j1";
  jacket.title = "Roadster Men Blue Denim Jacket";
  jacket.price = protocol::money{249900, "INR"};
  // On screen: search results that include both kurtas; in the cart: both kurtas and a jacket
  // this conversation never showed (its line carries only a title).
  ctx.shown = {red, blue, kurta("k3", "Libas Women Green Kurta", "Green")};
  ctx.shown_kind = orchestrator::list_kind::search_results;
  orchestrator::remember_products(ctx, ctx.shown);
  auto cart = cart_of({red, blue, jacket});

  nlu::slot_values the_kurta;
  the_kurta.product_type = "Kurtas";
  the_kurta.ref = nlu::reference{nlu::reference_kind::by_attributes, 0};
  auto both = orchestrator::resolve_in_cart(the_kurta, ctx, cart);
  EXPECT_TRUE(both.ambiguous);
  ASSERT_EQ(both.items.size(), 2u);   // the green kurta on screen is not in the cart
  EXPECT_EQ(both.items[0].id, "k1");
  EXPECT_EQ(both.items[1].id, "k2");

  auto the_blue_kurta = the_kurta;
  the_blue_kurta.colour = "Blue";
  auto one = orchestrator::resolve_in_cart(the_blue_kurta, ctx, cart);
  EXPECT_FALSE(one.ambiguous);
  ASSERT_EQ(one.items.size(), 1u);
  EXPECT_EQ(one.items[0].id, "k2");

  nlu::slot_values the_jacket;   // known only by its cart line's title
  the_jacket.product_type = "jacket";
  auto by_title = orchestrator::resolve_in_cart(the_jacket, ctx, cart);
  ASSERT_EQ(by_title.items.size(), 1u);
  EXPECT_EQ(by_title.items[0].id, "j1");

  nlu::slot_values dress;
  dress.product_type = "dress";
  auto none = orchestrator::resolve_in_cart(dress, ctx, cart);
  EXPECT_TRUE(none.items.empty());
  EXPECT_NE(none.problem.find("Nothing in your cart"), std::string::npos) << none.problem;

  // "the third one" points at the screen; it is not in the cart, so nothing is removed.
  nlu::slot_values third;
  third.ref = nlu::reference{nlu::reference_kind::ordinal, 3};
  auto not_there = orchestrator::resolve_in_cart(third, ctx, cart);
  EXPECT_TRUE(not_there.items.empty());
  EXPECT_NE(not_there.problem.find("Libas Women Green Kurta isn't in your cart"), std::string::npos)
    << not_there.problem;
  // "them" keeps only what is in the cart.
  nlu::slot_values them;
  them.ref = nlu::reference{nlu::reference_kind::all, 0};
  EXPECT_EQ(orchestrator::resolve_in_cart(them, ctx, cart).items.size(), 2u);
  EXPECT_FALSE(orchestrator::resolve_in_cart(them, ctx, protocol::cart_view{}).problem.empty());
}

TEST(orchestrator_context, cart_lines_get_the_attributes_of_products_seen) {
  using namespace ctxt;
  orchestrator::conversation_context ctx;
  auto red = kurta("k1", "Biba Women Red Kurta", "Red");
  orchestrator::remember_products(ctx, {red});
  auto lines = orchestrator::products_of(cart_of({red}), ctx);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].product_type, "kurta");
  EXPECT_EQ(lines[0].colour, "Red");
  for (size_t i = 0; i < orchestrator::max_seen + 10; ++i)
    orchestrator::remember_products(ctx, {kurta("x" + std::to_string(i), "t", "Blue")});
  EXPECT_EQ(ctx.seen.size(), orchestrator::max_seen);
  EXPECT_EQ(ctx.seen.count("k1"), 0u);   // the oldest went first
}

TEST(orchestrator_text, money_is_formatted_with_symbol_and_grouping) {
  EXPECT_EQ(orchestrator::format_money({129900, "INR"}), "\xE2\x82\xB9" "1,299");
  EXPECT_EQ(orchestrator::format_money({123456750, "INR"}), "\xE2\x82\xB9" "1,234,567.50");
  EXPECT_EQ(orchestrator::format_money({1205, "USD"}), "$12.05");
}

}  // namespace
}  // namespace cartmate::testing
