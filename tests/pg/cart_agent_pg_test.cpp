// cart_agent_pg_test.cpp — the cart agent on PostgreSQL (pg_cart_store through pg_executor) in a
// real actor system: the cart and checkout flow, idempotent retries, and a server stopped and
// started again mid-run (requests answer unavailable, the agent lives on, nothing committed is
// lost or doubled).
// Threading: the test thread drives a scoped_actor; store jobs run on the pg_pool's workers.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>

#include "actors/cart/cart_agent.hpp"
#include "adapters/stores/postgres/pg_cart_store.hpp"
#include "adapters/stores/postgres/pg_executor.hpp"
#include "adapters/stores/postgres/pg_pool.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/type_registry.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilience_context.hpp"
#include "runtime/resilient_caller.hpp"
#include "runtime/timer_service.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::errc;

struct pg_agent_config : caf::actor_system_config {
  pg_agent_config() {
    protocol::register_protocol_types(*this);
    set("logger.console", caf::atom("none"));
  }
};

/// Product discovery as the cart needs it: price and stock of a fixed catalog.
caf::behavior fixed_discovery(caf::event_based_actor*,
                              std::map<std::string, protocol::product> products) {
  return {
    [products](const protocol::get_product_request& req) -> caf::result<protocol::product> {
      auto i = products.find(req.product_id);
      if (i == products.end())
        return protocol::make_error(errc::not_found, "unknown product " + req.product_id);
      return i->second;
    },
  };
}

protocol::product make_product(std::string id, int64_t price, int32_t stock) {
  protocol::product p;
  p.id = id;
  p.title = "Product " + id;
  p.price = protocol::money{price, "INR"};
  p.stock = stock;
  return p;
}

/// pg_executor that counts its jobs and whether each ran on a pool worker (with its connection).
class counting_executor final : public stores::store_executor {
 public:
  explicit counting_executor(std::shared_ptr<stores::pg::pg_pool> pool)
    : inner_(std::make_shared<stores::pg::pg_executor>(std::move(pool))) {
    // nop
  }

  bool runs_inline() const noexcept override { return false; }

  void execute(std::function<void()> job) override {
    ++submitted;
    inner_->execute([this, job = std::move(job)] {
      if (stores::pg::pg_pool::worker_connection() != nullptr)
        ++on_worker;
      job();
    });
  }

  std::atomic<int> submitted{0};
  std::atomic<int> on_worker{0};

 private:
  std::shared_ptr<stores::pg::pg_executor> inner_;
};

struct cart_agent_pg_test : ::testing::Test {
  // Its own server: these tests stop it, which would disturb a shared one.
  pg_test_server server;
  pg_agent_config cfg;
  caf::actor_system sys{cfg};
  runtime::metrics_registry metrics;
  runtime::agent_directory directory;
  runtime::breaker_registry breakers{runtime::breaker_settings{1000, 1s}};
  caf::actor timer = runtime::spawn_timer_service(sys);
  std::unique_ptr<runtime::resilience_context> ctx;
  // Declared after the system, so it is drained and joined while the system still runs: its
  // jobs hold handles of the agent.
  std::shared_ptr<stores::pg::pg_pool> pool;
  std::shared_ptr<counting_executor> executor;
  std::shared_ptr<stores::pg::pg_cart_store> store;
  caf::actor discovery;
  caf::actor agent;
  int next_key = 1;

  void SetUp() override {
    CARTMATE_REQUIRE_PG_BINARIES();
    ASSERT_TRUE(server.setup("cartmate")) << server.last_error();
    stores::pg::pg_connection conn{quick_options(server.conninfo())};
    auto migrations = stores::pg::embedded_migrations();
    ASSERT_TRUE(migrations);
    auto applied = stores::pg::apply_migrations(conn, *migrations);
    ASSERT_TRUE(applied) << protocol::describe(applied.error());
    runtime::call_policy policy;
    policy.attempt_timeout = 2s;
    policy.default_deadline = 10s;
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer,
                                                        policy);
    discovery = sys.spawn(fixed_discovery, std::map<std::string, protocol::product>{
                                             {"kurta", make_product("kurta", 49900, 10)},
                                             {"shoes", make_product("shoes", 129900, 5)},
                                             {"scarf", make_product("scarf", 89900, 3)},
                                           });
    directory.add(protocol::agent_kind::product_discovery,
                  runtime::agent_replica{discovery, "test", true});
    pool = std::make_shared<stores::pg::pg_pool>(quick_options(server.conninfo()), 2);
    executor = std::make_shared<counting_executor>(pool);
    store = std::make_shared<stores::pg::pg_cart_store>(quick_options(server.conninfo()), 2);
    agent = actors::spawn_cart_agent(
      sys, stores::store_handle<stores::cart_store>{store, executor}, *ctx);
  }

  void TearDown() override {
    caf::scoped_actor self{sys};
    for (auto* a : {&agent, &discovery, &timer}) {
      if (*a) {
        self->send_exit(*a, caf::exit_reason::user_shutdown);
        self->wait_for(*a);
        *a = nullptr;
      }
    }
    pool.reset();
  }

  protocol::envelope env(const std::string& user = "alice") {
    protocol::envelope e;
    e.tenant = "shop-a";
    e.user = user;
    e.trace_id = "pg-trace";
    e.deadline_ms = runtime::wall_clock_ms() + 10000;
    e.idempotency_key = "key-" + std::to_string(next_key++);
    return e;
  }

  /// Asks the agent and waits for its answer, at most `limit`: a request that hangs fails the
  /// test with CAF's request_timeout instead of the answer it expects.
  template <class Request>
  caf::expected<protocol::response_t<Request>> ask(Request req,
                                                   std::chrono::seconds limit = 15s) {
    using response = protocol::response_t<Request>;
    caf::scoped_actor self{sys};
    caf::expected<response> out = protocol::make_error(errc::timeout, "no answer");
    self->request(agent, limit, std::move(req))
      .receive([&](response& r) { out = std::move(r); }, [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  caf::expected<protocol::cart_view> add(const std::string& id, int32_t qty,
                                         protocol::envelope e) {
    return ask(protocol::cart_add{std::move(e), id, qty});
  }

  caf::expected<protocol::cart_view> add(const std::string& id, int32_t qty) {
    return add(id, qty, env());
  }

  caf::expected<protocol::cart_view> view() { return ask(protocol::cart_get{env()}); }

  caf::expected<protocol::order_history> orders() {
    return ask(protocol::order_list_request{env()});
  }

  static int quantity_of(const protocol::cart_view& v, const std::string& id) {
    for (const auto& line : v.lines)
      if (line.product_id == id)
        return line.quantity;
    return 0;
  }

  static void expect_unavailable(const caf::error& err) {
    EXPECT_EQ(protocol::errc_of(err), errc::unavailable) << protocol::describe(err);
    EXPECT_TRUE(protocol::is_degradation(err));
  }

  /// Polls until the agent reads the cart again; bounded so a broken recovery fails, not hangs.
  caf::expected<protocol::cart_view> view_when_back() {
    auto cart = view();
    for (int attempt = 0; attempt < 400 && !cart; ++attempt) {
      std::this_thread::sleep_for(25ms);
      cart = view();
    }
    return cart;
  }
};

TEST_F(cart_agent_pg_test, cart_and_checkout_flow_is_stored_in_postgres) {
  auto empty = view();
  ASSERT_TRUE(empty) << protocol::describe(empty.error());
  EXPECT_TRUE(empty->lines.empty());
  ASSERT_TRUE(add("kurta", 2));
  auto after = add("shoes", 1);
  ASSERT_TRUE(after) << protocol::describe(after.error());
  EXPECT_EQ(after->total.minor, 2 * 49900 + 129900);
  auto set = ask(protocol::cart_set_quantity{env(), "kurta", 3});
  ASSERT_TRUE(set) << protocol::describe(set.error());
  EXPECT_EQ(quantity_of(*set, "kurta"), 3);
  ASSERT_TRUE(add("scarf", 1));
  auto removed = ask(protocol::cart_remove{env(), "scarf"});
  ASSERT_TRUE(removed) << protocol::describe(removed.error());
  EXPECT_EQ(quantity_of(*removed, "scarf"), 0);
  auto stock = add("shoes", 5);   // 1 + 5 > 5 in stock
  ASSERT_FALSE(stock);
  EXPECT_EQ(protocol::errc_of(stock.error()), errc::out_of_stock);
  auto missing = ask(protocol::cart_set_quantity{env(), "scarf", 1});
  ASSERT_FALSE(missing);
  EXPECT_EQ(protocol::errc_of(missing.error()), errc::not_found);

  // What the agent answered is what PostgreSQL holds.
  auto stored = store->get_cart(stores::user_key{"shop-a", "alice"});
  ASSERT_TRUE(stored) << protocol::describe(stored.error());
  ASSERT_EQ(stored->lines.size(), 2u);
  EXPECT_EQ(stored->lines[0].product_id, "kurta");
  EXPECT_EQ(stored->lines[0].quantity, 3);
  EXPECT_EQ(stored->lines[1].product_id, "shoes");

  auto summary = ask(protocol::checkout_prepare{env()});
  ASSERT_TRUE(summary) << protocol::describe(summary.error());
  EXPECT_EQ(summary->cart.total.minor, 3 * 49900 + 129900);
  auto history = orders();
  ASSERT_TRUE(history);
  EXPECT_TRUE(history->orders.empty());   // preparing is not ordering
  auto placed = ask(protocol::checkout_confirm{env(), summary->checkout_id});
  ASSERT_TRUE(placed) << protocol::describe(placed.error());
  EXPECT_EQ(placed->total.minor, summary->cart.total.minor);
  auto again = ask(protocol::checkout_confirm{env(), summary->checkout_id});
  ASSERT_TRUE(again) << protocol::describe(again.error());
  EXPECT_EQ(again->order_id, placed->order_id);
  auto cart = view();
  ASSERT_TRUE(cart);
  EXPECT_TRUE(cart->lines.empty());
  history = orders();
  ASSERT_TRUE(history) << protocol::describe(history.error());
  ASSERT_EQ(history->orders.size(), 1u);
  EXPECT_EQ(history->orders[0].order_id, placed->order_id);
  ASSERT_EQ(history->orders[0].lines.size(), 2u);
  auto direct = store->list_orders(stores::user_key{"shop-a", "alice"});
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->size(), 1u);

  // Every store call went through the executor onto a pool worker.
  EXPECT_GE(executor->submitted.load(), 14);
  EXPECT_EQ(executor->on_worker.load(), executor->submitted.load());
}

TEST_F(cart_agent_pg_test, a_retried_add_with_the_same_key_adds_once) {
  auto e = env();
  auto first = add("kurta", 2, e);
  ASSERT_TRUE(first) << protocol::describe(first.error());
  auto retry = add("kurta", 2, e);
  ASSERT_TRUE(retry) << protocol::describe(retry.error());
  EXPECT_EQ(quantity_of(*retry, "kurta"), 2);
  // Two copies of one write in flight at once (a retry after a timeout) still apply once.
  auto racing = env();
  caf::scoped_actor self{sys};
  auto a = self->request(agent, 15s, protocol::cart_add{racing, "shoes", 1});
  auto b = self->request(agent, 15s, protocol::cart_add{racing, "shoes", 1});
  int answered = 0;
  for (auto* h : {&a, &b})
    h->receive([&](protocol::cart_view& v) { answered += quantity_of(v, "shoes") == 1; },
               [&](caf::error& err) { ADD_FAILURE() << protocol::describe(err); });
  EXPECT_EQ(answered, 2);
  auto cart = view();
  ASSERT_TRUE(cart);
  EXPECT_EQ(quantity_of(*cart, "kurta"), 2);
  EXPECT_EQ(quantity_of(*cart, "shoes"), 1);
}

TEST_F(cart_agent_pg_test, stopped_server_gives_unavailable_and_the_agent_recovers_with_its_data) {
  ASSERT_TRUE(add("kurta", 2));
  ASSERT_TRUE(add("shoes", 1));
  auto first = ask(protocol::checkout_prepare{env()});
  ASSERT_TRUE(first) << protocol::describe(first.error());
  auto order1 = ask(protocol::checkout_confirm{env(), first->checkout_id});
  ASSERT_TRUE(order1) << protocol::describe(order1.error());
  ASSERT_TRUE(add("scarf", 1));
  auto second = ask(protocol::checkout_prepare{env()});   // prepared, not yet confirmed
  ASSERT_TRUE(second) << protocol::describe(second.error());

  ASSERT_TRUE(server.stop()) << server.last_error();
  auto lost_write = env();
  auto down_add = add("kurta", 1, lost_write);
  ASSERT_FALSE(down_add);
  expect_unavailable(down_add.error());
  auto down_view = view();
  ASSERT_FALSE(down_view);
  expect_unavailable(down_view.error());
  auto down_set = ask(protocol::cart_set_quantity{env(), "scarf", 2});
  ASSERT_FALSE(down_set);
  expect_unavailable(down_set.error());
  auto down_remove = ask(protocol::cart_remove{env(), "scarf"});
  ASSERT_FALSE(down_remove);
  expect_unavailable(down_remove.error());
  auto down_confirm = ask(protocol::checkout_confirm{env(), second->checkout_id});
  ASSERT_FALSE(down_confirm);
  expect_unavailable(down_confirm.error());
  auto down_prepare = ask(protocol::checkout_prepare{env()});
  ASSERT_FALSE(down_prepare);
  expect_unavailable(down_prepare.error());
  auto down_orders = orders();
  ASSERT_FALSE(down_orders);
  expect_unavailable(down_orders.error());

  ASSERT_TRUE(server.start()) << server.last_error();
  // The same agent serves again: the order emptied the cart, the scarf came after it, and the
  // writes refused during the outage changed nothing.
  auto back = view_when_back();
  ASSERT_TRUE(back) << protocol::describe(back.error());
  ASSERT_EQ(back->lines.size(), 1u);
  EXPECT_EQ(back->lines[0].product_id, "scarf");
  EXPECT_EQ(back->lines[0].quantity, 1);
  auto history = orders();
  ASSERT_TRUE(history) << protocol::describe(history.error());
  ASSERT_EQ(history->orders.size(), 1u);
  EXPECT_EQ(history->orders[0].order_id, order1->order_id);
  ASSERT_EQ(history->orders[0].lines.size(), 2u);

  // The checkout whose confirmation failed during the outage is still pending: confirmed now,
  // and once only.
  auto order2 = ask(protocol::checkout_confirm{env(), second->checkout_id});
  ASSERT_TRUE(order2) << protocol::describe(order2.error());
  EXPECT_NE(order2->order_id, order1->order_id);
  auto order2_again = ask(protocol::checkout_confirm{env(), second->checkout_id});
  ASSERT_TRUE(order2_again) << protocol::describe(order2_again.error());
  EXPECT_EQ(order2_again->order_id, order2->order_id);

  // The write refused during the outage, retried under its key, applies once.
  auto retried = add("kurta", 1, lost_write);
  ASSERT_TRUE(retried) << protocol::describe(retried.error());
  auto retried_again = add("kurta", 1, lost_write);
  ASSERT_TRUE(retried_again) << protocol::describe(retried_again.error());
  auto cart = view();
  ASSERT_TRUE(cart);
  ASSERT_EQ(cart->lines.size(), 1u);
  EXPECT_EQ(quantity_of(*cart, "kurta"), 1);
  history = orders();
  ASSERT_TRUE(history);
  ASSERT_EQ(history->orders.size(), 2u);
  EXPECT_EQ(history->orders[0].order_id, order2->order_id);   // newest first
  ASSERT_EQ(history->orders[0].lines.size(), 1u);
  EXPECT_EQ(history->orders[0].lines[0].product_id, "scarf");
  EXPECT_EQ(history->orders[1].order_id, order1->order_id);
}

}  // namespace
}  // namespace cartmate::testing
