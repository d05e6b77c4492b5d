// history_script_test.cpp — recorded turns become a replay script that the replay parser reads
// back with the recorded inputs, and whose expectations hold for an outcome like the recorded
// one and fail for a different one.
#include <gtest/gtest.h>

#include "actors/replay/expectations.hpp"
#include "actors/replay/history_script.hpp"
#include "actors/replay/replay_script.hpp"
#include "adapters/stores/memory_history_store.hpp"
#include "protocol/errors.hpp"

namespace cartmate::replay {
namespace {

using protocol::turn_input;
using stores::turn_record;

turn_record base(uint64_t seq, turn_input input, const std::string& text) {
  turn_record t;
  t.tenant = "shop-a";
  t.user = "alice";
  t.session_id = "sess-1";
  t.seq = seq;
  t.at_ms = 1717171717000 + static_cast<int64_t>(seq) * 1000;
  t.input = input;
  t.user_text = text;
  t.latency_us = 2500;
  return t;
}

/// A shopping trip as the orchestrator would have recorded it.
std::vector<turn_record> trip() {
  std::vector<turn_record> turns;
  auto search = base(1, turn_input::message, "show me blue kurtas under 1000, \"cotton\"");
  search.intents = {"search"};
  search.agents = {"orchestrator", "product_discovery"};
  search.product_ids = {"p1", "p2", "p3"};
  search.reply = "Here are 3 blue kurtas.";
  turns.push_back(search);
  auto add = base(2, turn_input::message, "add the first one");
  add.intents = {"add_to_cart"};
  add.agents = {"cart"};
  add.cart_items = 1;
  turns.push_back(add);
  auto like = base(3, turn_input::like, "");
  like.product_ref = "p2";
  like.intents = {"like"};
  like.degraded = true;
  like.degraded_reasons = {"style_profiler: unavailable"};
  turns.push_back(like);
  auto checkout = base(4, turn_input::message, "checkout");
  checkout.intents = {"checkout"};
  checkout.agents = {"cart"};
  checkout.confirmation_asked = true;
  checkout.cart_items = 1;
  turns.push_back(checkout);
  auto confirm = base(5, turn_input::confirm, "");
  confirm.intents = {"confirm"};
  confirm.agents = {"cart"};
  confirm.order_id = "ord-00000001";
  confirm.cart_items = 0;
  turns.push_back(confirm);
  return turns;
}

conversation_script parsed(const std::vector<turn_record>& turns) {
  auto text = history_to_script(turns);
  EXPECT_TRUE(text) << protocol::describe(text.error());
  if (!text)
    return {};
  auto script = parse_script(*text, "history.jsonl");
  EXPECT_TRUE(script) << protocol::describe(script.error()) << "\n" << *text;
  return script ? *script : conversation_script{};
}

/// What the replay would collect if the turn went exactly as recorded.
turn_outcome outcome_like(const turn_record& t) {
  turn_outcome o;
  protocol::turn_summary s;
  s.turn_id = t.seq;
  s.intents = t.intents;
  s.agents = t.agents;
  s.reply = t.reply;
  s.degraded = t.degraded;
  s.confirmation_asked = t.confirmation_asked;
  s.order_id = t.order_id;
  o.summary = s;
  if (!t.product_ids.empty()) {
    protocol::products_event ev;
    for (const auto& id : t.product_ids) {
      protocol::product p;
      p.id = id;
      p.title = "Kurta " + id;
      ev.products.push_back(p);
    }
    o.products.push_back(ev);
  }
  if (t.cart_items) {
    protocol::cart_event ev;
    ev.cart.item_count = *t.cart_items;
    if (*t.cart_items > 0) {
      protocol::cart_line line;
      line.product_id = "p1";
      line.quantity = *t.cart_items;
      ev.cart.lines.push_back(line);
    }
    o.carts.push_back(ev);
  }
  if (!t.order_id.empty()) {
    protocol::order placed;
    placed.order_id = t.order_id;
    placed.lines.push_back(protocol::cart_line{});
    o.orders = protocol::order_history{{placed}};
  }
  return o;
}

std::vector<std::string> failed(const std::vector<check_result>& checks) {
  std::vector<std::string> out;
  for (const auto& c : checks)
    if (!c.passed)
      out.push_back(c.name + ": " + c.detail);
  return out;
}

TEST(history_script, the_script_parses_back_with_the_recorded_inputs) {
  auto turns = trip();
  auto script = parsed(turns);
  EXPECT_EQ(script.name, "history-sess-1");
  EXPECT_EQ(script.tenant, "shop-a");
  EXPECT_EQ(script.user, "alice");
  ASSERT_EQ(script.turns.size(), turns.size());
  for (size_t i = 0; i < turns.size(); ++i) {
    EXPECT_EQ(script.turns[i].input, turns[i].input) << "turn " << i;
    EXPECT_EQ(script.turns[i].text, turns[i].user_text) << "turn " << i;
  }
  EXPECT_EQ(script.turns[2].product_ref, "p2");
}

TEST(history_script, expectations_say_what_happened) {
  auto script = parsed(trip());
  ASSERT_EQ(script.turns.size(), 5u);
  const auto& search = script.turns[0].expect;
  EXPECT_EQ(search.intents, (std::vector<std::string>{"search"}));
  EXPECT_EQ(search.agents, (std::vector<std::string>{"orchestrator", "product_discovery"}));
  ASSERT_TRUE(search.products);
  EXPECT_EQ(search.products->min, 3u);
  EXPECT_FALSE(search.cart);
  EXPECT_EQ(search.degraded, false);
  EXPECT_FALSE(search.confirmation_asked);
  EXPECT_FALSE(search.order_placed);

  const auto& add = script.turns[1].expect;
  EXPECT_FALSE(add.products);
  ASSERT_TRUE(add.cart);
  EXPECT_EQ(add.cart->items, 1);

  EXPECT_EQ(script.turns[2].expect.degraded, true);
  EXPECT_TRUE(script.turns[2].expect.agents.empty());
  EXPECT_EQ(script.turns[3].expect.confirmation_asked, true);
  EXPECT_EQ(script.turns[4].expect.order_placed, true);
  ASSERT_TRUE(script.turns[4].expect.cart);
  EXPECT_EQ(script.turns[4].expect.cart->items, 0);
}

TEST(history_script, a_replay_like_the_recording_passes_and_a_different_one_fails) {
  auto turns = trip();
  auto script = parsed(turns);
  ASSERT_EQ(script.turns.size(), turns.size());
  for (size_t i = 0; i < turns.size(); ++i) {
    auto checks = check_turn(script.turns[i].expect, outcome_like(turns[i]), {});
    EXPECT_FALSE(checks.empty());
    EXPECT_TRUE(failed(checks).empty()) << "turn " << i << ": " << failed(checks).front();
  }
  auto fewer = turns[0];
  fewer.product_ids.pop_back();
  EXPECT_FALSE(failed(check_turn(script.turns[0].expect, outcome_like(fewer), {})).empty());
  auto healthy = turns[2];
  healthy.degraded = false;
  EXPECT_FALSE(failed(check_turn(script.turns[2].expect, outcome_like(healthy), {})).empty());
  auto other_intent = turns[1];
  other_intent.intents = {"view_cart"};
  EXPECT_FALSE(failed(check_turn(script.turns[1].expect, outcome_like(other_intent), {})).empty());
  auto no_order = turns[4];
  no_order.order_id.clear();
  EXPECT_FALSE(failed(check_turn(script.turns[4].expect, outcome_like(no_order), {})).empty());
}

TEST(history_script, names_the_parser_does_not_know_are_left_out_and_noted) {
  auto t = base(1, turn_input::message, "hello");
  t.intents = {"greet", "teleport"};
  t.agents = {"orchestrator", "wizard"};
  auto text = history_to_script({t});
  ASSERT_TRUE(text) << protocol::describe(text.error());
  EXPECT_NE(text->find("teleport"), std::string::npos);   // in the note
  auto script = parse_script(*text, "h.jsonl");
  ASSERT_TRUE(script) << protocol::describe(script.error());
  EXPECT_EQ(script->turns[0].expect.intents, (std::vector<std::string>{"greet"}));
  EXPECT_EQ(script->turns[0].expect.agents, (std::vector<std::string>{"orchestrator"}));
}

TEST(history_script, turns_that_cannot_be_replayed_become_comments) {
  auto image = base(1, turn_input::image, "my photo\nsecond line");
  auto empty = base(2, turn_input::message, "");
  auto hello = base(3, turn_input::message, "hello");
  hello.intents = {"greet"};
  auto text = history_to_script({image, empty, hello});
  ASSERT_TRUE(text) << protocol::describe(text.error());
  EXPECT_NE(text->find("# turn 1 was an image upload"), std::string::npos) << *text;
  auto script = parse_script(*text, "h.jsonl");
  ASSERT_TRUE(script) << protocol::describe(script.error()) << "\n" << *text;
  ASSERT_EQ(script->turns.size(), 1u);
  EXPECT_EQ(script->turns[0].text, "hello");

  auto none = history_to_script({image, empty});
  ASSERT_FALSE(none);
  EXPECT_EQ(protocol::errc_of(none.error()), protocol::errc::invalid_argument);
}

TEST(history_script, refuses_no_turns_and_mixed_sessions) {
  auto empty = history_to_script({});
  ASSERT_FALSE(empty);
  EXPECT_EQ(protocol::errc_of(empty.error()), protocol::errc::invalid_argument);
  auto a = base(1, turn_input::message, "hi");
  auto b = base(2, turn_input::message, "hi");
  b.session_id = "sess-2";
  EXPECT_FALSE(history_to_script({a, b}));
}

TEST(history_script, a_session_recorded_in_a_history_store_prints_as_its_script) {
  stores::memory_history_store store;
  auto turns = trip();
  for (auto i = turns.rbegin(); i != turns.rend(); ++i)   // recorded out of order
    ASSERT_FALSE(store.append(*i));
  auto listed = store.list("shop-a", "sess-1");
  ASSERT_TRUE(listed);
  history_script_options options;
  options.conversation = "replayed";
  auto text = history_to_script(*listed, options);
  ASSERT_TRUE(text);
  auto script = parse_script(*text, "h.jsonl");
  ASSERT_TRUE(script) << protocol::describe(script.error());
  EXPECT_EQ(script->name, "replayed");
  ASSERT_EQ(script->turns.size(), turns.size());
  EXPECT_EQ(script->turns[0].text, turns[0].user_text);
  EXPECT_EQ(script->turns[4].input, turn_input::confirm);
}

}  // namespace
}  // namespace cartmate::replay
