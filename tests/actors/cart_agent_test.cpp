// cart_agent_test.cpp — the cart agent on the deterministic scheduler, against a scripted
// product-discovery agent: cart writes, limits, idempotency, checkout consent, restarts, tenants.
#include "actors/cart/cart_agent.hpp"

#include <map>
#include <optional>

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "adapters/stores/memory_cart_store.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "runtime/resilient_caller.hpp"
#include "tests/runtime/caf_test_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::errc;

/// The fixed catalog the scripted discovery agent answers from; tests may change stock.
struct fake_catalog {
  std::map<std::string, protocol::product> products;
  int lookups = 0;
};

caf::behavior fake_discovery(caf::event_based_actor*, std::shared_ptr<fake_catalog> catalog) {
  return {
    [catalog](const protocol::get_product_request& req) -> caf::result<protocol::product> {
      ++catalog->lookups;
      auto i = catalog->products.find(req.product_id);
      if (i == catalog->products.end())
        return protocol::make_error(errc::not_found, "unknown product " + req.product_id);
      return i->second;
    },
  };
}

protocol::product make_product(std::string id, std::string title, int64_t price, int32_t stock) {
  protocol::product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.price = protocol::money{price, "INR"};
  p.stock = stock;
  return p;
}

struct cart_agent_test : runtime_fixture {
  std::shared_ptr<fake_catalog> catalog = std::make_shared<fake_catalog>();
  std::shared_ptr<stores::memory_cart_store> store = std::make_shared<stores::memory_cart_store>();
  std::unique_ptr<runtime::resilience_context> ctx;
  caf::actor discovery;
  caf::actor agent;
  int next_key = 1;

  cart_agent_test() {
    catalog->products["kurta"] = make_product("kurta", "Blue Cotton Kurta", 49900, 10);
    catalog->products["shoes"] = make_product("shoes", "Running Shoes", 129900, 5);
    catalog->products["scarf"] = make_product("scarf", "Silk Scarf", 89900, 0);
    runtime::call_policy policy;
    policy.attempt_timeout = 200ms;
    policy.backoff = runtime::backoff_policy{20ms, 100ms, 2.0, 0.0};
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer,
                                                        policy);
    discovery = sys.spawn(fake_discovery, catalog);
    directory.add(protocol::agent_kind::product_discovery,
                  runtime::agent_replica{discovery, "test", true});
    agent = actors::spawn_cart_agent(sys, store, *ctx);
    sched.run();
  }

  ~cart_agent_test() override {
    for (auto* a : {&agent, &discovery})
      if (*a)
        caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Sends `req` to the agent from a throw-away actor and runs until the answer arrives.
  template <class Request>
  caf::expected<protocol::response_t<Request>> ask(Request req) {
    using response = protocol::response_t<Request>;
    auto out = std::make_shared<std::optional<caf::expected<response>>>();
    auto target = agent;
    sys.spawn([out, target, req](caf::event_based_actor* self) {
      self->request(target, caf::infinite, req)
        .then(
          [self, out](response& r) {
            *out = std::move(r);
            self->quit();
          },
          [self, out](caf::error& e) {
            *out = std::move(e);
            self->quit();
          });
    });
    run_until([&] { return out->has_value(); });
    if (!out->has_value())
      return protocol::make_error(errc::timeout, "the test got no answer");
    return std::move(**out);
  }

  protocol::envelope env(const std::string& user = "alice", const std::string& tenant = "shop-a") {
    protocol::envelope e;
    e.tenant = tenant;
    e.user = user;
    e.trace_id = "trace-1";
    e.idempotency_key = "key-" + std::to_string(next_key++);
    return e;
  }

  caf::expected<protocol::cart_view> add(const std::string& id, int32_t qty,
                                         protocol::envelope e) {
    return ask(protocol::cart_add{std::move(e), id, qty});
  }

  caf::expected<protocol::cart_view> add(const std::string& id, int32_t qty) {
    return add(id, qty, env());
  }

  protocol::cart_view view(protocol::envelope e) {
    auto v = ask(protocol::cart_get{std::move(e)});
    EXPECT_TRUE(v) << protocol::describe(v.error());
    return v ? *v : protocol::cart_view{};
  }

  protocol::cart_view view() { return view(env()); }

  std::vector<protocol::order> orders(protocol::envelope e) {
    auto h = ask(protocol::order_list_request{std::move(e)});
    EXPECT_TRUE(h) << protocol::describe(h.error());
    return h ? h->orders : std::vector<protocol::order>{};
  }

  std::vector<protocol::order> orders() { return orders(env()); }

  caf::expected<protocol::checkout_summary> prepare() {
    return ask(protocol::checkout_prepare{env()});
  }

  caf::expected<protocol::order> confirm(const std::string& checkout_id) {
    return ask(protocol::checkout_confirm{env(), checkout_id});
  }

  static void expect_code(const caf::error& err, errc code) {
    EXPECT_EQ(protocol::errc_of(err), code) << protocol::describe(err);
  }
};

int quantity_of(const protocol::cart_view& v, const std::string& id) {
  for (const auto& line : v.lines)
    if (line.product_id == id)
      return line.quantity;
  return 0;
}

TEST_F(cart_agent_test, add_and_view_with_totals_in_catalog_currency) {
  auto empty = view();
  EXPECT_TRUE(empty.lines.empty());
  EXPECT_EQ(empty.total.minor, 0);
  EXPECT_EQ(empty.total.currency, "INR");
  ASSERT_TRUE(add("kurta", 2));
  auto after = add("shoes", 1);
  ASSERT_TRUE(after) << protocol::describe(after.error());
  EXPECT_EQ(after->user, "alice");
  EXPECT_EQ(after->total.minor, 2 * 49900 + 129900);
  EXPECT_EQ(after->total.currency, "INR");
  EXPECT_EQ(after->item_count, 3);
  auto seen = view();
  ASSERT_EQ(seen.lines.size(), 2u);
  EXPECT_EQ(seen.lines[0].title, "Blue Cotton Kurta");
  EXPECT_EQ(seen.lines[0].unit_price.minor, 49900);
  EXPECT_EQ(seen.lines[0].line_total.minor, 2 * 49900);
  EXPECT_EQ(seen.total.minor, after->total.minor);
  // Adding more of a product grows its line.
  ASSERT_TRUE(add("kurta", 1));
  EXPECT_EQ(quantity_of(view(), "kurta"), 3);
}

TEST_F(cart_agent_test, same_idempotency_key_twice_adds_once_and_replays_without_the_catalog) {
  auto e = env();
  auto first = add("kurta", 1, e);
  ASSERT_TRUE(first);
  auto second = add("kurta", 1, e);
  ASSERT_TRUE(second);
  EXPECT_EQ(quantity_of(*second, "kurta"), 1);
  EXPECT_EQ(quantity_of(view(), "kurta"), 1);
  EXPECT_EQ(catalog->lookups, 1);
  // A retry still gets its recorded answer while discovery is down.
  directory.mark_unavailable(protocol::agent_kind::product_discovery, "test outage");
  auto third = add("kurta", 1, e);
  ASSERT_TRUE(third) << protocol::describe(third.error());
  EXPECT_EQ(quantity_of(*third, "kurta"), 1);
}

TEST_F(cart_agent_test, retry_racing_the_first_attempt_still_adds_once) {
  // Both copies pass the replay check before the catalog answers either of them.
  auto e = env();
  auto answers = std::make_shared<int>(0);
  for (int i = 0; i < 2; ++i)
    sys.spawn([this, e, answers](caf::event_based_actor* self) {
      self->request(agent, caf::infinite, protocol::cart_add{e, "kurta", 2})
        .then([self, answers](protocol::cart_view&) { ++*answers; self->quit(); },
              [self](caf::error&) { self->quit(); });
    });
  run_until([&] { return *answers == 2; });
  ASSERT_EQ(*answers, 2);
  EXPECT_EQ(catalog->lookups, 2);
  EXPECT_EQ(quantity_of(view(), "kurta"), 2);
}

TEST_F(cart_agent_test, write_without_idempotency_key_is_rejected) {
  auto e = env();
  e.idempotency_key.clear();
  auto r = add("kurta", 1, e);
  ASSERT_FALSE(r);
  expect_code(r.error(), errc::invalid_argument);
  EXPECT_NE(protocol::describe(r.error()).find("idempotency key"), std::string::npos);
  EXPECT_TRUE(view().lines.empty());
}

TEST_F(cart_agent_test, quantity_zero_or_huge_is_rejected_and_cart_unchanged) {
  ASSERT_TRUE(add("kurta", 2));
  for (int32_t bad : {0, -3, 100, 1000000000}) {
    auto r = add("shoes", bad);
    ASSERT_FALSE(r) << bad;
    expect_code(r.error(), errc::invalid_argument);
    auto s = ask(protocol::cart_set_quantity{env(), "kurta", bad});
    ASSERT_FALSE(s) << bad;
    expect_code(s.error(), errc::invalid_argument);
  }
  auto zero = add("shoes", 0);
  EXPECT_NE(protocol::describe(zero.error()).find("at least 1"), std::string::npos);
  auto huge = add("shoes", 1000000000);
  EXPECT_NE(protocol::describe(huge.error()).find("at most 99"), std::string::npos);
  auto v = view();
  ASSERT_EQ(v.lines.size(), 1u);
  EXPECT_EQ(quantity_of(v, "kurta"), 2);
  EXPECT_EQ(catalog->lookups, 1);   // rejected before asking the catalog
}

TEST_F(cart_agent_test, out_of_stock_is_refused) {
  auto none = add("scarf", 1);
  ASSERT_FALSE(none);
  expect_code(none.error(), errc::out_of_stock);
  EXPECT_NE(protocol::describe(none.error()).find("Silk Scarf"), std::string::npos);
  auto too_many = add("shoes", 6);
  ASSERT_FALSE(too_many);
  expect_code(too_many.error(), errc::out_of_stock);
  EXPECT_NE(protocol::describe(too_many.error()).find("only 5"), std::string::npos);
  ASSERT_TRUE(add("shoes", 4));
  auto over = add("shoes", 2);   // 4 in the cart + 2 > 5 in stock
  ASSERT_FALSE(over);
  expect_code(over.error(), errc::out_of_stock);
  EXPECT_EQ(quantity_of(view(), "shoes"), 4);
}

TEST_F(cart_agent_test, unknown_product_is_not_found) {
  auto r = add("nope", 1);
  ASSERT_FALSE(r);
  expect_code(r.error(), errc::not_found);
  EXPECT_NE(protocol::describe(r.error()).find("nope"), std::string::npos);
  EXPECT_TRUE(view().lines.empty());
}

TEST_F(cart_agent_test, discovery_unavailable_passes_the_degradation_on) {
  directory.mark_unavailable(protocol::agent_kind::product_discovery, "restart limit reached");
  auto r = add("kurta", 1);
  ASSERT_FALSE(r);
  EXPECT_TRUE(protocol::is_degradation(r.error())) << protocol::describe(r.error());
  expect_code(r.error(), errc::unavailable);
  EXPECT_TRUE(view().lines.empty());
}

TEST_F(cart_agent_test, remove_drops_the_line) {
  ASSERT_TRUE(add("kurta", 1));
  ASSERT_TRUE(add("shoes", 1));
  auto r = ask(protocol::cart_remove{env(), "kurta"});
  ASSERT_TRUE(r) << protocol::describe(r.error());
  ASSERT_EQ(r->lines.size(), 1u);
  EXPECT_EQ(r->lines[0].product_id, "shoes");
  EXPECT_EQ(r->total.minor, 129900);
  auto missing = ask(protocol::cart_remove{env(), "kurta"});
  ASSERT_FALSE(missing);
  expect_code(missing.error(), errc::not_found);
  EXPECT_EQ(view().lines.size(), 1u);
}

TEST_F(cart_agent_test, set_quantity_checks_stock_and_updates_totals) {
  ASSERT_TRUE(add("kurta", 1));
  auto r = ask(protocol::cart_set_quantity{env(), "kurta", 4});
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_EQ(quantity_of(*r, "kurta"), 4);
  EXPECT_EQ(r->total.minor, 4 * 49900);
  auto over = ask(protocol::cart_set_quantity{env(), "kurta", 11});
  ASSERT_FALSE(over);
  expect_code(over.error(), errc::out_of_stock);
  auto absent = ask(protocol::cart_set_quantity{env(), "shoes", 1});
  ASSERT_FALSE(absent);
  expect_code(absent.error(), errc::not_found);
  EXPECT_EQ(quantity_of(view(), "kurta"), 4);
}

TEST_F(cart_agent_test, prepare_then_confirm_places_one_order_and_clears_the_cart) {
  ASSERT_TRUE(add("kurta", 2));
  ASSERT_TRUE(add("shoes", 1));
  auto wall_before = runtime::wall_clock_ms();
  auto summary = prepare();
  ASSERT_TRUE(summary) << protocol::describe(summary.error());
  EXPECT_FALSE(summary->checkout_id.empty());
  EXPECT_EQ(summary->cart.total.minor, 2 * 49900 + 129900);
  EXPECT_GE(summary->expires_ms, wall_before + 10 * 60 * 1000);
  EXPECT_TRUE(orders().empty());   // preparing is not ordering
  auto placed = confirm(summary->checkout_id);
  ASSERT_TRUE(placed) << protocol::describe(placed.error());
  EXPECT_EQ(placed->status, "placed");
  EXPECT_EQ(placed->total.minor, summary->cart.total.minor);
  EXPECT_EQ(placed->lines.size(), 2u);
  EXPECT_TRUE(view().lines.empty());
  auto history = orders();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].order_id, placed->order_id);
}

TEST_F(cart_agent_test, no_order_without_explicit_confirmation) {
  ASSERT_TRUE(add("kurta", 1));
  // Confirming something never prepared places nothing.
  auto blind = confirm("chk-made-up");
  ASSERT_FALSE(blind);
  expect_code(blind.error(), errc::conflict);
  auto no_id = confirm("");
  ASSERT_FALSE(no_id);
  expect_code(no_id.error(), errc::conflict);
  // "No" (a cancel, here without an id) drops the pending checkout: its confirm then fails.
  auto summary = prepare();
  ASSERT_TRUE(summary);
  auto cancelled = ask(protocol::checkout_cancel{env(), ""});
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(quantity_of(*cancelled, "kurta"), 1);
  auto late = confirm(summary->checkout_id);
  ASSERT_FALSE(late);
  expect_code(late.error(), errc::conflict);
  // Another user's confirmation of this checkout id places nothing either.
  auto again = prepare();
  ASSERT_TRUE(again);
  auto stranger = ask(protocol::checkout_confirm{env("mallory"), again->checkout_id});
  ASSERT_FALSE(stranger);
  expect_code(stranger.error(), errc::conflict);
  EXPECT_TRUE(orders().empty());
  EXPECT_TRUE(orders(env("mallory")).empty());
  EXPECT_EQ(quantity_of(view(), "kurta"), 1);
}

TEST_F(cart_agent_test, cancel_with_its_id_drops_the_checkout) {
  ASSERT_TRUE(add("kurta", 1));
  auto summary = prepare();
  ASSERT_TRUE(summary);
  ASSERT_TRUE(ask(protocol::checkout_cancel{env(), summary->checkout_id}));
  auto r = confirm(summary->checkout_id);
  ASSERT_FALSE(r);
  expect_code(r.error(), errc::conflict);
  EXPECT_TRUE(orders().empty());
}

TEST_F(cart_agent_test, confirm_twice_yields_one_order) {
  ASSERT_TRUE(add("kurta", 1));
  auto summary = prepare();
  ASSERT_TRUE(summary);
  auto first = confirm(summary->checkout_id);
  ASSERT_TRUE(first);
  auto second = confirm(summary->checkout_id);
  ASSERT_TRUE(second) << protocol::describe(second.error());
  EXPECT_EQ(second->order_id, first->order_id);
  EXPECT_EQ(orders().size(), 1u);
}

TEST_F(cart_agent_test, expired_checkout_places_nothing) {
  ASSERT_TRUE(add("kurta", 1));
  auto summary = prepare();
  ASSERT_TRUE(summary);
  sched.clock().advance_time(10min + 1ms);
  auto r = confirm(summary->checkout_id);
  ASSERT_FALSE(r);
  expect_code(r.error(), errc::conflict);
  EXPECT_NE(protocol::describe(r.error()).find("expired"), std::string::npos);
  EXPECT_TRUE(orders().empty());
  EXPECT_EQ(quantity_of(view(), "kurta"), 1);
}

TEST_F(cart_agent_test, checkout_of_a_changed_cart_is_stale) {
  ASSERT_TRUE(add("kurta", 1));
  auto summary = prepare();
  ASSERT_TRUE(summary);
  ASSERT_TRUE(add("shoes", 1));
  auto r = confirm(summary->checkout_id);
  ASSERT_FALSE(r);
  expect_code(r.error(), errc::conflict);
  EXPECT_TRUE(orders().empty());
  EXPECT_EQ(view().lines.size(), 2u);
}

TEST_F(cart_agent_test, prepare_of_an_empty_cart_is_refused) {
  auto r = prepare();
  ASSERT_FALSE(r);
  expect_code(r.error(), errc::invalid_argument);
  EXPECT_NE(protocol::describe(r.error()).find("empty"), std::string::npos);
}

TEST_F(cart_agent_test, restarted_agent_keeps_carts_and_orders) {
  ASSERT_TRUE(add("shoes", 1));
  auto summary = prepare();
  ASSERT_TRUE(summary);
  auto placed = confirm(summary->checkout_id);
  ASSERT_TRUE(placed);
  ASSERT_TRUE(add("kurta", 3));
  caf::anon_send_exit(agent, caf::exit_reason::kill);
  sched.run();
  agent = actors::spawn_cart_agent(sys, store, *ctx);
  sched.run();
  EXPECT_EQ(quantity_of(view(), "kurta"), 3);
  auto history = orders();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].order_id, placed->order_id);
  // A confirmation retried across the restart still gets the same order, not a second one.
  auto again = confirm(summary->checkout_id);
  ASSERT_TRUE(again) << protocol::describe(again.error());
  EXPECT_EQ(again->order_id, placed->order_id);
  EXPECT_EQ(orders().size(), 1u);
}

TEST_F(cart_agent_test, same_user_in_two_tenants_has_two_carts) {
  ASSERT_TRUE(add("kurta", 1, env("alice", "shop-a")));
  ASSERT_TRUE(add("shoes", 2, env("alice", "shop-b")));
  auto a = view(env("alice", "shop-a"));
  auto b = view(env("alice", "shop-b"));
  ASSERT_EQ(a.lines.size(), 1u);
  EXPECT_EQ(a.lines[0].product_id, "kurta");
  ASSERT_EQ(b.lines.size(), 1u);
  EXPECT_EQ(b.lines[0].product_id, "shoes");
  EXPECT_EQ(b.item_count, 2);
  // A checkout in one tenant neither empties nor orders in the other.
  auto summary = ask(protocol::checkout_prepare{env("alice", "shop-a")});
  ASSERT_TRUE(summary);
  ASSERT_TRUE(ask(protocol::checkout_confirm{env("alice", "shop-a"), summary->checkout_id}));
  EXPECT_TRUE(view(env("alice", "shop-a")).lines.empty());
  EXPECT_EQ(view(env("alice", "shop-b")).lines.size(), 1u);
  EXPECT_TRUE(orders(env("alice", "shop-b")).empty());
}

TEST_F(cart_agent_test, request_without_user_is_rejected) {
  auto r = ask(protocol::cart_get{env("")});
  ASSERT_FALSE(r);
  expect_code(r.error(), errc::invalid_argument);
}

}  // namespace
}  // namespace cartmate::testing
