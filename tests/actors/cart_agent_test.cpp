// cart_agent_test.cpp — the cart agent on the deterministic scheduler, against a scripted
// product-discovery agent: cart writes, limits, idempotency, checkout consent, restarts, tenants;
// and on a store whose calls wait in a queue the test runs (as PostgreSQL's run on a pool), so
// requests overlap and store answers come back in the order the test chooses.
#include "actors/cart/cart_agent.hpp"

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "adapters/stores/memory_cart_store.hpp"
#include "adapters/stores/store_executor.hpp"
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
    agent = actors::spawn_cart_agent(sys, {store}, *ctx);
    sched.run();
  }

  ~cart_agent_test() override {
    for (auto* a : {&agent, &discovery})
      if (*a)
        caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  template <class Request>
  using answer_slot
    = std::shared_ptr<std::optional<caf::expected<protocol::response_t<Request>>>>;

  /// Sends `req` to the agent from a throw-away actor; the answer lands in the slot.
  template <class Request>
  answer_slot<Request> start(Request req) {
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
    return out;
  }

  /// Runs until the answer is there (store jobs too, on fixtures that queue them).
  virtual void settle_until(const std::function<bool()>& done) { run_until(done); }

  /// Sends `req` to the agent from a throw-away actor and runs until the answer arrives.
  template <class Request>
  caf::expected<protocol::response_t<Request>> ask(Request req) {
    auto out = start(std::move(req));
    settle_until([&] { return out->has_value(); });
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
  agent = actors::spawn_cart_agent(sys, {store}, *ctx);
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

// --- The agent on a store whose calls wait for a worker, as on PostgreSQL ---------------------

/// Queues store jobs; the test runs them, in the order it chooses, on its own thread.
class queued_executor final : public stores::store_executor {
 public:
  bool runs_inline() const noexcept override { return false; }
  void execute(std::function<void()> job) override { jobs_.push_back(std::move(job)); }

  size_t size() const { return jobs_.size(); }

  bool run_front() { return run(true); }
  bool run_back() { return run(false); }

 private:
  bool run(bool front) {
    if (jobs_.empty())
      return false;
    auto job = front ? std::move(jobs_.front()) : std::move(jobs_.back());
    if (front)
      jobs_.pop_front();
    else
      jobs_.pop_back();
    job();
    return true;
  }

  std::deque<std::function<void()>> jobs_;
};

/// The memory store behind a switch: down answers unavailable (as PostgreSQL stopped does),
/// throw_next makes the next call throw (a job that fails outside the store's error values).
class switchable_store final : public stores::cart_store {
 public:
  explicit switchable_store(std::shared_ptr<stores::cart_store> inner) : inner_(std::move(inner)) {
    // nop
  }

  bool down = false;
  bool throw_next = false;

  caf::expected<stores::cart_snapshot> get_cart(const stores::user_key& who) override {
    if (auto err = check())
      return err;
    return inner_->get_cart(who);
  }
  caf::expected<std::optional<stores::cart_snapshot>>
  find_write(const stores::user_key& who, const std::string& key,
             const stores::cart_op& op) override {
    if (auto err = check())
      return err;
    return inner_->find_write(who, key, op);
  }
  caf::expected<stores::cart_snapshot> apply_write(const stores::user_key& who,
                                                   const std::string& key,
                                                   const stores::cart_op& op,
                                                   const stores::line_facts& facts) override {
    if (auto err = check())
      return err;
    return inner_->apply_write(who, key, op, facts);
  }
  caf::expected<protocol::order> place_order(const stores::user_key& who,
                                             const stores::checkout_snapshot& snapshot,
                                             const std::string& key, int64_t created_ms) override {
    if (auto err = check())
      return err;
    return inner_->place_order(who, snapshot, key, created_ms);
  }
  caf::expected<std::optional<protocol::order>> find_order(const stores::user_key& who,
                                                           const std::string& key) override {
    if (auto err = check())
      return err;
    return inner_->find_order(who, key);
  }
  caf::expected<std::vector<protocol::order>> list_orders(const stores::user_key& who) override {
    if (auto err = check())
      return err;
    return inner_->list_orders(who);
  }

 private:
  caf::error check() {
    if (throw_next) {
      throw_next = false;
      throw std::runtime_error("simulated driver failure");
    }
    if (down)
      return protocol::make_error(errc::unavailable, "store stopped for the test");
    return {};
  }

  std::shared_ptr<stores::cart_store> inner_;
};

struct cart_agent_queued_store_test : cart_agent_test {
  std::shared_ptr<queued_executor> jobs = std::make_shared<queued_executor>();
  std::shared_ptr<switchable_store> switched = std::make_shared<switchable_store>(store);

  cart_agent_queued_store_test() {
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
    sched.run();
    agent = actors::spawn_cart_agent(sys, stores::store_handle<stores::cart_store>{switched, jobs},
                                     *ctx);
    sched.run();
  }

  void settle_until(const std::function<bool()>& done) override {
    for (int i = 0; i < 1000; ++i) {
      run_until(done);
      if (done() || !jobs->run_front())
        return;
    }
  }

  /// Delivers whatever the agent and the jobs run so far have sent.
  void deliver() { sched.run(); }
};

TEST_F(cart_agent_queued_store_test, store_calls_wait_for_their_worker_then_the_answer_follows) {
  auto pending = start(protocol::cart_get{env()});
  deliver();
  EXPECT_FALSE(pending->has_value());   // the handler returned without touching the store
  ASSERT_EQ(jobs->size(), 1u);
  ASSERT_TRUE(jobs->run_front());
  deliver();
  ASSERT_TRUE(pending->has_value());
  ASSERT_TRUE(**pending);
  EXPECT_TRUE((**pending)->lines.empty());
  // The whole cart flow on this path.
  ASSERT_TRUE(add("kurta", 2));
  ASSERT_TRUE(add("shoes", 1));
  auto set = ask(protocol::cart_set_quantity{env(), "kurta", 3});
  ASSERT_TRUE(set) << protocol::describe(set.error());
  EXPECT_EQ(quantity_of(*set, "kurta"), 3);
  auto absent = ask(protocol::cart_set_quantity{env(), "scarf", 1});
  ASSERT_FALSE(absent);
  expect_code(absent.error(), errc::not_found);
  auto removed = ask(protocol::cart_remove{env(), "shoes"});
  ASSERT_TRUE(removed) << protocol::describe(removed.error());
  EXPECT_EQ(quantity_of(*removed, "shoes"), 0);
  auto stock = add("shoes", 6);
  ASSERT_FALSE(stock);
  expect_code(stock.error(), errc::out_of_stock);
  auto e = env();
  ASSERT_TRUE(add("shoes", 1, e));
  auto replayed = add("shoes", 1, e);
  ASSERT_TRUE(replayed);
  EXPECT_EQ(quantity_of(*replayed, "shoes"), 1);
  auto summary = prepare();
  ASSERT_TRUE(summary) << protocol::describe(summary.error());
  EXPECT_EQ(summary->cart.total.minor, 3 * 49900 + 129900);
  auto placed = confirm(summary->checkout_id);
  ASSERT_TRUE(placed) << protocol::describe(placed.error());
  EXPECT_EQ(placed->total.minor, summary->cart.total.minor);
  EXPECT_TRUE(view().lines.empty());
  ASSERT_EQ(orders().size(), 1u);
}

TEST_F(cart_agent_queued_store_test, two_confirmations_in_flight_place_one_order) {
  ASSERT_TRUE(add("kurta", 1));
  auto summary = prepare();
  ASSERT_TRUE(summary);
  auto first = start(protocol::checkout_confirm{env(), summary->checkout_id});
  auto retry = start(protocol::checkout_confirm{env(), summary->checkout_id});
  deliver();
  ASSERT_EQ(jobs->size(), 2u);   // both are placing: the checkout stays pending meanwhile
  ASSERT_TRUE(jobs->run_back());
  ASSERT_TRUE(jobs->run_front());
  deliver();
  ASSERT_TRUE(first->has_value() && retry->has_value());
  ASSERT_TRUE(**first) << protocol::describe((**first).error());
  ASSERT_TRUE(**retry) << protocol::describe((**retry).error());
  EXPECT_EQ((**first)->order_id, (**retry)->order_id);
  auto later = confirm(summary->checkout_id);
  ASSERT_TRUE(later) << protocol::describe(later.error());
  EXPECT_EQ(later->order_id, (**first)->order_id);
  EXPECT_EQ(orders().size(), 1u);
  EXPECT_TRUE(view().lines.empty());
}

TEST_F(cart_agent_queued_store_test, a_late_prepare_answer_does_not_replace_a_newer_checkout) {
  ASSERT_TRUE(add("kurta", 1));
  auto older = start(protocol::checkout_prepare{env()});
  auto newer = start(protocol::checkout_prepare{env()});
  deliver();
  ASSERT_EQ(jobs->size(), 2u);
  ASSERT_TRUE(jobs->run_back());    // the newer prepare's read comes back first
  deliver();
  ASSERT_TRUE(jobs->run_front());
  deliver();
  ASSERT_TRUE(older->has_value() && newer->has_value());
  ASSERT_TRUE(**newer) << protocol::describe((**newer).error());
  ASSERT_FALSE(**older);
  expect_code((**older).error(), errc::conflict);
  auto placed = confirm((**newer)->checkout_id);
  ASSERT_TRUE(placed) << protocol::describe(placed.error());
  EXPECT_EQ(orders().size(), 1u);
}

TEST_F(cart_agent_queued_store_test, a_cancel_voids_a_prepare_still_reading_the_store) {
  ASSERT_TRUE(add("kurta", 1));
  auto prepared = start(protocol::checkout_prepare{env()});
  deliver();
  auto cancelled = start(protocol::checkout_cancel{env(), ""});
  deliver();
  ASSERT_EQ(jobs->size(), 2u);
  while (jobs->run_front())
    deliver();
  ASSERT_TRUE(prepared->has_value() && cancelled->has_value());
  ASSERT_FALSE(**prepared);
  expect_code((**prepared).error(), errc::conflict);
  ASSERT_TRUE(**cancelled);
  EXPECT_EQ(quantity_of(***cancelled, "kurta"), 1);
  // The next checkout works as usual.
  auto summary = prepare();
  ASSERT_TRUE(summary);
  ASSERT_TRUE(confirm(summary->checkout_id));
  EXPECT_EQ(orders().size(), 1u);
}

TEST_F(cart_agent_queued_store_test, store_outage_answers_unavailable_and_keeps_the_checkout) {
  ASSERT_TRUE(add("kurta", 2));
  auto summary = prepare();
  ASSERT_TRUE(summary);
  switched->down = true;
  auto seen = ask(protocol::cart_get{env()});
  ASSERT_FALSE(seen);
  expect_code(seen.error(), errc::unavailable);
  EXPECT_TRUE(protocol::is_degradation(seen.error()));
  auto added = add("shoes", 1);
  ASSERT_FALSE(added);
  expect_code(added.error(), errc::unavailable);
  auto failed = confirm(summary->checkout_id);
  ASSERT_FALSE(failed);
  expect_code(failed.error(), errc::unavailable);
  auto listed = ask(protocol::order_list_request{env()});
  ASSERT_FALSE(listed);
  expect_code(listed.error(), errc::unavailable);
  switched->down = false;
  // The checkout survived the outage: confirming it again places the order.
  auto placed = confirm(summary->checkout_id);
  ASSERT_TRUE(placed) << protocol::describe(placed.error());
  EXPECT_EQ(quantity_of(protocol::cart_view{"alice", placed->lines, {}, 0}, "kurta"), 2);
  EXPECT_EQ(orders().size(), 1u);
  EXPECT_TRUE(view().lines.empty());
}

TEST_F(cart_agent_queued_store_test, a_store_job_that_throws_still_gets_an_answer) {
  switched->throw_next = true;
  auto r = ask(protocol::cart_get{env()});
  ASSERT_FALSE(r);
  expect_code(r.error(), errc::agent_error);
  ASSERT_TRUE(add("kurta", 1));   // the agent lives on
  EXPECT_EQ(quantity_of(view(), "kurta"), 1);
}

}  // namespace
}  // namespace cartmate::testing
