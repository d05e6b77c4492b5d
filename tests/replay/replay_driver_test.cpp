// replay_driver_test.cpp — the driver against a scripted orchestrator and cart agent on CAF's
// deterministic scheduler: events are collected per turn, a stray event of another turn is
// ignored, the cart and order history are fetched when an expectation needs them, and a missing
// orchestrator fails the turn. Threading: everything on the test thread.
#include "actors/replay/replay_driver.hpp"

#include <memory>
#include <optional>

#include <caf/event_based_actor.hpp>
#include <gtest/gtest.h>

#include "protocol/discovery_messages.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "tests/runtime/caf_test_fixture.hpp"

namespace cartmate::replay {
namespace {

struct seen_turns {
  std::vector<protocol::user_turn> turns;
  int cart_gets = 0;
  int order_lists = 0;
};

protocol::product shoe(std::string id, int64_t rupees) {
  protocol::product p;
  p.id = std::move(id);
  p.title = "Test Men Black Running Shoes";
  p.colour = "Black";
  p.product_type = "running shoe";
  p.gender = "Men";
  p.price = {rupees * 100, "INR"};
  p.stock = 2;
  return p;
}

// Shows one shoe per turn (plus a stray event of an old turn), and places "ord-1" on "buy".
caf::behavior fake_orchestrator(caf::event_based_actor* self, std::shared_ptr<seen_turns> seen) {
  return {
    [self, seen](protocol::user_turn& t) {
      seen->turns.push_back(t);
      auto to = caf::actor_cast<caf::actor>(self->current_sender());
      self->send(to, protocol::products_event{t.env.turn_id + 100, "stale", {shoe("old", 99999)}});
      self->send(to, protocol::products_event{t.env.turn_id, "found", {shoe("s1", 2399)}});
      protocol::turn_summary s;
      s.turn_id = t.env.turn_id;
      s.intents = {t.text == "buy" ? "confirm" : "search"};
      s.agents = {"product_discovery"};
      s.reply = "reply to " + t.text;
      if (t.text == "buy")
        s.order_id = "ord-1";
      return s;
    },
  };
}

caf::behavior fake_cart(caf::event_based_actor*, std::shared_ptr<seen_turns> seen) {
  return {
    [seen](const protocol::cart_get& req) {
      ++seen->cart_gets;
      protocol::cart_view v;
      v.user = req.env.user;
      v.item_count = 2;
      v.lines = {{"s1", "Test Men Black Running Shoes", {239900, "INR"}, 2, {479800, "INR"}}};
      return v;
    },
    [seen](const protocol::order_list_request&) {
      ++seen->order_lists;
      protocol::order o;
      o.order_id = "ord-1";
      o.lines.resize(1);
      return protocol::order_history{{o}};
    },
  };
}

struct replay_driver_test : testing::runtime_fixture {
  std::shared_ptr<seen_turns> seen = std::make_shared<seen_turns>();

  void add_agents(bool with_orchestrator) {
    if (with_orchestrator)
      directory.add(protocol::agent_kind::orchestrator,
                    runtime::agent_replica{sys.spawn(fake_orchestrator, seen), "test", true});
    directory.add(protocol::agent_kind::cart,
                  runtime::agent_replica{sys.spawn(fake_cart, seen), "test", true});
  }

  replay_result replay(const std::string& text) {
    auto script = parse_script(text, "test.jsonl");
    EXPECT_TRUE(script);
    std::optional<replay_result> result;
    replay_options options;
    options.session = "sess-1";
    spawn_replay_driver(sys, directory, std::move(*script), options,
                        [&result](replay_result r) { result = std::move(r); });
    run_until([&] { return result.has_value(); });
    EXPECT_TRUE(result) << "the driver never reported";
    return result ? std::move(*result) : replay_result{};
  }
};

TEST_F(replay_driver_test, replays_turns_and_checks_real_outcomes) {
  add_agents(true);
  auto r = replay(
    R"({"conversation": "t", "tenant": "acme", "user": "ann"}
{"user": "show", "expect": {"intent": "search", "products": {"min": 1, "max": 1, "max_price": 3000, "colour": "black"}, "cart": {"items": 2}}}
{"user": "buy", "expect": {"intent": "confirm", "order_placed": true}}
)");
  EXPECT_TRUE(r.passed()) << r.transcript;
  EXPECT_EQ(r.checks_failed, 0u);
  EXPECT_EQ(r.checks_passed, 7u);
  ASSERT_EQ(r.turns.size(), 2u);
  ASSERT_EQ(r.turns[0].shown.size(), 1u);
  EXPECT_EQ(r.turns[0].shown[0].id, "s1");  // the stray event of another turn was dropped
  EXPECT_NE(r.transcript.find("1 event(s) of another turn ignored"), std::string::npos);
  EXPECT_EQ(seen->cart_gets, 1);    // no cart_event, so the cart was fetched
  EXPECT_EQ(seen->order_lists, 1);  // the claimed order was looked up
  ASSERT_EQ(seen->turns.size(), 2u);
  EXPECT_EQ(seen->turns[0].env.tenant, "acme");
  EXPECT_EQ(seen->turns[0].env.user, "ann");
  EXPECT_EQ(seen->turns[0].env.session, "sess-1");
  EXPECT_EQ(seen->turns[0].env.turn_id, 1u);
  EXPECT_EQ(seen->turns[1].env.turn_id, 2u);
  EXPECT_GT(seen->turns[0].env.deadline_ms, 0);
  EXPECT_NE(r.transcript.find("you: show"), std::string::npos);
  EXPECT_NE(r.transcript.find("cartmate: reply to show"), std::string::npos);
  EXPECT_NE(r.transcript.find("PASS products.constraints"), std::string::npos);
  EXPECT_NE(r.transcript.find("== t: PASS"), std::string::npos);
}

TEST_F(replay_driver_test, unmet_expectations_fail_the_replay) {
  add_agents(true);
  auto r = replay(
    R"({"user": "show", "expect": {"intent": "greet", "products": {"colour": "red"}, "cart": {"items": 5}}}
)");
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.checks_failed, 3u);
  EXPECT_NE(r.transcript.find("FAIL intent"), std::string::npos);
  EXPECT_NE(r.transcript.find("FAIL cart.items: expected 5 item(s), cart has 2"), std::string::npos);
}

TEST_F(replay_driver_test, a_missing_orchestrator_fails_every_turn) {
  add_agents(false);
  auto r = replay(R"({"user": "hi"}
{"user": "still there?"}
)");
  EXPECT_FALSE(r.passed());
  ASSERT_EQ(r.turns.size(), 2u);
  EXPECT_FALSE(r.turns[0].completed);
  EXPECT_NE(r.transcript.find("FAIL turn completed: unavailable"), std::string::npos);
}

}  // namespace
}  // namespace cartmate::replay
