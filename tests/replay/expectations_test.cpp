// expectations_test.cpp — each expectation fails when the outcome breaks it: products that miss a
// constraint, a cart that differs, an order the cart agent never placed. Threading: single-threaded.
#include "actors/replay/expectations.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "protocol/errors.hpp"

namespace cartmate::replay {
namespace {

protocol::product make_product(std::string id, int64_t rupees, std::string colour,
                               std::string type, std::string gender = "Men") {
  protocol::product p;
  p.id = std::move(id);
  p.title = "Brand " + gender + " " + colour + " " + type;
  p.brand = "Brand";
  p.colour = std::move(colour);
  p.product_type = std::move(type);
  p.gender = std::move(gender);
  p.price = {rupees * 100, "INR"};
  p.stock = 3;
  return p;
}

turn_outcome outcome_with(std::vector<protocol::product> shown) {
  turn_outcome o;
  o.summary = protocol::turn_summary{};
  o.summary->turn_id = 1;
  o.summary->intents = {"search"};
  o.summary->agents = {"product_discovery"};
  o.summary->reply = "I found some";
  o.products.push_back(protocol::products_event{1, "found", std::move(shown)});
  return o;
}

const check_result* find(const std::vector<check_result>& r, const std::string& name) {
  auto it = std::find_if(r.begin(), r.end(), [&](const check_result& c) { return c.name == name; });
  return it == r.end() ? nullptr : &*it;
}

bool all_pass(const std::vector<check_result>& r) {
  return !r.empty() && std::all_of(r.begin(), r.end(), [](const check_result& c) { return c.passed; });
}

TEST(expectations, products_meeting_every_constraint_pass) {
  product_expectation p;
  p.min = 2;
  p.max_price_minor = 300000;
  p.colour = {"black"};
  p.product_type = {"shoe"};
  p.gender = {"men"};
  turn_expectations e;
  e.products = p;
  e.intents = {"search"};
  e.agents = {"product_discovery"};
  auto o = outcome_with({make_product("a", 2399, "Black", "running shoe"),
                         make_product("b", 2999, "Black", "Shoes")});
  auto r = check_turn(e, o, {});
  EXPECT_TRUE(all_pass(r));
  EXPECT_EQ(r.size(), 4u);   // intent, agents, products.min, products.constraints
}

TEST(expectations, one_product_breaking_a_constraint_fails_and_is_named) {
  product_expectation p;
  p.max_price_minor = 300000;
  p.colour = {"black"};
  turn_expectations e;
  e.products = p;
  auto o = outcome_with({make_product("a", 2399, "Black", "shoe"),
                         make_product("dear", 3001, "Black", "shoe")});
  auto r = check_turn(e, o, {});
  auto* c = find(r, "products.constraints");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->passed);
  EXPECT_NE(c->detail.find("dear"), std::string::npos);
  EXPECT_NE(c->detail.find("price above 3000"), std::string::npos);

  o = outcome_with({make_product("a", 100, "Red", "shoe")});
  EXPECT_FALSE(find(check_turn(e, o, {}), "products.constraints")->passed);
}

TEST(expectations, type_matches_whole_words_only) {
  product_expectation p;
  p.product_type = {"shoe"};
  std::string why;
  EXPECT_TRUE(product_matches(p, make_product("a", 1, "", "running shoe"), why));
  EXPECT_TRUE(product_matches(p, make_product("a", 1, "", "Shoes"), why));
  EXPECT_FALSE(product_matches(p, make_product("a", 1, "", "shoelace"), why));
  EXPECT_FALSE(product_matches(p, make_product("a", 1, "", "sandal"), why));
  p.product_type = {"running shoe"};
  EXPECT_FALSE(product_matches(p, make_product("a", 1, "", "shoe"), why));
}

TEST(expectations, constraints_over_no_products_fail_instead_of_passing_vacuously) {
  product_expectation p;
  p.colour = {"black"};
  turn_expectations e;
  e.products = p;
  auto r = check_turn(e, outcome_with({}), {});
  EXPECT_FALSE(find(r, "products.constraints")->passed);
}

TEST(expectations, counts_are_checked) {
  product_expectation p;
  p.min = 1;
  p.max = 1;
  turn_expectations e;
  e.products = p;
  auto two = outcome_with({make_product("a", 1, "", "x"), make_product("b", 1, "", "x")});
  auto r = check_turn(e, two, {});
  EXPECT_TRUE(find(r, "products.min")->passed);
  EXPECT_FALSE(find(r, "products.max")->passed);
  r = check_turn(e, outcome_with({}), {});
  EXPECT_FALSE(find(r, "products.min")->passed);
}

TEST(expectations, new_and_cheaper_compare_with_the_previous_products) {
  product_expectation p;
  p.new_results = true;
  p.cheaper_than_previous = true;
  turn_expectations e;
  e.products = p;
  std::vector<protocol::product> before{make_product("a", 1000, "", "x"), make_product("b", 2000, "", "x")};
  auto r = check_turn(e, outcome_with({make_product("c", 1500, "", "x")}), before);
  EXPECT_TRUE(all_pass(r));
  r = check_turn(e, outcome_with({make_product("b", 2000, "", "x")}), before);
  EXPECT_FALSE(find(r, "products.new")->passed);
  EXPECT_FALSE(find(r, "products.cheaper_than_previous")->passed);
  r = check_turn(e, outcome_with({make_product("c", 10, "", "x")}), {});
  EXPECT_FALSE(find(r, "products.new")->passed);  // nothing earlier to compare with
}

TEST(expectations, intents_must_appear_in_order_and_agents_must_have_worked) {
  turn_expectations e;
  e.intents = {"search", "add_to_cart"};
  e.agents = {"cart"};
  e.no_agents = {"alerts"};
  auto o = outcome_with({});
  o.summary->intents = {"search", "add_to_cart"};
  o.delegations.push_back(protocol::delegation_event{1, protocol::agent_kind::cart, "add"});
  EXPECT_TRUE(all_pass(check_turn(e, o, {})));
  o.summary->intents = {"add_to_cart", "search"};
  EXPECT_FALSE(find(check_turn(e, o, {}), "intent")->passed);
  o.summary->intents = {"search", "add_to_cart"};
  o.delegations.clear();
  EXPECT_FALSE(find(check_turn(e, o, {}), "agents")->passed);
  o.summary->agents.push_back("cart");
  o.summary->agents.push_back("alerts");
  EXPECT_FALSE(find(check_turn(e, o, {}), "no_agents")->passed);
}

TEST(expectations, cart_comes_from_the_last_event_else_from_the_fetch) {
  cart_expectation c;
  c.items = 3;
  c.lines = 2;
  c.contains = {"kurta"};
  c.quantity_of_first = 2;
  turn_expectations e;
  e.cart = c;
  auto o = outcome_with({});
  EXPECT_FALSE(find(check_turn(e, o, {}), "cart")->passed);  // nothing to check against
  protocol::cart_view v;
  v.item_count = 3;
  v.lines = {{"p1", "Blue Kurta", {100, "INR"}, 2, {200, "INR"}},
             {"p2", "Red Scarf", {100, "INR"}, 1, {100, "INR"}}};
  o.fetched_cart = v;
  EXPECT_TRUE(all_pass(check_turn(e, o, {})));
  // A cart_event of the turn wins over the fetch.
  protocol::cart_view stale = v;
  stale.item_count = 1;
  stale.lines.pop_back();
  o.carts.push_back(protocol::cart_event{1, stale});
  auto r = check_turn(e, o, {});
  EXPECT_FALSE(find(r, "cart.items")->passed);
  EXPECT_FALSE(find(r, "cart.lines")->passed);
  cart_expectation empty;
  empty.empty = true;
  e.cart = empty;
  EXPECT_FALSE(find(check_turn(e, o, {}), "cart.empty")->passed);
}

TEST(expectations, an_order_counts_only_when_the_cart_agent_has_it) {
  turn_expectations e;
  e.order_placed = true;
  auto o = outcome_with({});
  EXPECT_FALSE(find(check_turn(e, o, {}), "order_placed")->passed);  // no order id
  o.summary->order_id = "ord-7";
  EXPECT_FALSE(find(check_turn(e, o, {}), "order_placed")->passed);  // history not read
  o.orders = protocol::order_history{};
  protocol::order other;
  other.order_id = "ord-6";
  other.lines.resize(1);
  o.orders->orders.push_back(other);
  EXPECT_FALSE(find(check_turn(e, o, {}), "order_placed")->passed);  // claimed, not stored
  other.order_id = "ord-7";
  o.orders->orders.push_back(other);
  EXPECT_TRUE(find(check_turn(e, o, {}), "order_placed")->passed);
  e.order_placed = false;
  EXPECT_FALSE(find(check_turn(e, o, {}), "order_placed")->passed);
}

TEST(expectations, degraded_confirmation_error_and_reply) {
  turn_expectations e;
  e.degraded = true;
  e.confirmation_asked = true;
  e.error = true;
  e.reply_contains = {"ORDER SUMMARY"};
  e.reply_not_contains = {"placed"};
  auto o = outcome_with({});
  o.summary->reply = "Here is your order summary";
  auto r = check_turn(e, o, {});
  EXPECT_FALSE(find(r, "degraded")->passed);
  EXPECT_FALSE(find(r, "confirmation_asked")->passed);
  EXPECT_FALSE(find(r, "error")->passed);
  EXPECT_TRUE(find(r, "reply_contains")->passed);
  EXPECT_TRUE(find(r, "reply_not_contains")->passed);
  o.summary->degraded = true;
  o.finals.push_back(protocol::final_event{1, "x", true, true});
  o.errors.push_back(protocol::error_event{1, "unavailable", "no alerts"});
  o.summary->reply = "Your order was placed";
  r = check_turn(e, o, {});
  EXPECT_TRUE(find(r, "degraded")->passed);
  EXPECT_TRUE(find(r, "confirmation_asked")->passed);
  EXPECT_TRUE(find(r, "error")->passed);
  EXPECT_FALSE(find(r, "reply_contains")->passed);
  EXPECT_FALSE(find(r, "reply_not_contains")->passed);
}

TEST(expectations, a_turn_without_summary_fails_whatever_is_expected) {
  turn_outcome o;
  o.failure = protocol::make_error(protocol::errc::timeout, "too slow");
  auto r = check_turn(turn_expectations{}, o, {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].name, "turn completed");
  EXPECT_FALSE(r[0].passed);
  EXPECT_NE(r[0].detail.find("too slow"), std::string::npos);
}

}  // namespace
}  // namespace cartmate::replay
