// pg_failure_test.cpp — PostgreSQL stopped mid-run: calls end with errc::unavailable (no crash,
// no exception, nothing half-written); once it is back the store reconnects by itself and every
// committed cart line and order is there exactly once.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/stores/postgres/migrations.hpp"
#include "adapters/stores/postgres/pg_cart_store.hpp"
#include "adapters/stores/postgres/pg_pool.hpp"
#include "protocol/errors.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::stores::pg {
namespace {

using protocol::errc;

line_facts kurta() {
  line_facts f;
  f.title = "Kurta";
  f.unit_price = protocol::money{49900, "INR"};
  return f;
}

cart_op add(const std::string& id, int32_t qty) {
  return cart_op{cart_op_kind::add, id, qty};
}

struct pg_failure : ::testing::Test {
  // Its own server: stopping the shared one would disturb other tests of this process.
  testing::pg_test_server server;
  std::unique_ptr<pg_cart_store> store;
  user_key alice{"shop-a", "alice"};

  void SetUp() override {
    CARTMATE_REQUIRE_PG_BINARIES();
    ASSERT_TRUE(server.setup("cartmate")) << server.last_error();
    pg_connection conn{testing::quick_options(server.conninfo())};
    auto migrations = embedded_migrations();
    ASSERT_TRUE(migrations);
    auto applied = apply_migrations(conn, *migrations);
    ASSERT_TRUE(applied) << protocol::describe(applied.error());
    store = std::make_unique<pg_cart_store>(testing::quick_options(server.conninfo()), 2);
  }

  /// Polls until the store answers again; bounded so a broken reconnect fails instead of hanging.
  caf::expected<cart_snapshot> cart_when_back() {
    caf::expected<cart_snapshot> cart = protocol::make_error(errc::unavailable, "not tried");
    for (int attempt = 0; attempt < 400 && !cart; ++attempt) {
      cart = store->get_cart(alice);
      if (!cart)
        std::this_thread::sleep_for(std::chrono::milliseconds{25});
    }
    return cart;
  }
};

TEST_F(pg_failure, a_stopped_server_gives_unavailable_and_the_store_recovers_with_its_data) {
  ASSERT_TRUE(store->apply_write(alice, "k1", add("p1", 2), kurta()));
  ASSERT_TRUE(store->apply_write(alice, "k2", add("p2", 1), kurta()));
  auto c = store->get_cart(alice);
  ASSERT_TRUE(c);
  checkout_snapshot snap{c->lines, make_cart_view(alice.user, c->lines, "INR").total, c->version};
  auto order = store->place_order(alice, snap, "chk-1", 1000);
  ASSERT_TRUE(order);
  ASSERT_TRUE(store->apply_write(alice, "k3", add("p3", 1), kurta()));

  ASSERT_TRUE(server.stop()) << server.last_error();
  auto write = store->apply_write(alice, "k4", add("p4", 1), kurta());
  ASSERT_FALSE(write);
  EXPECT_EQ(protocol::errc_of(write.error()), errc::unavailable) << protocol::describe(write.error());
  EXPECT_TRUE(protocol::is_degradation(write.error()));
  auto read = store->get_cart(alice);
  ASSERT_FALSE(read);
  EXPECT_EQ(protocol::errc_of(read.error()), errc::unavailable);
  auto orders_down = store->list_orders(alice);
  ASSERT_FALSE(orders_down);
  EXPECT_EQ(protocol::errc_of(orders_down.error()), errc::unavailable);
  auto checkout = store->place_order(alice, checkout_snapshot{{}, {}, 0}, "chk-2", 2000);
  ASSERT_FALSE(checkout);
  EXPECT_EQ(protocol::errc_of(checkout.error()), errc::unavailable);

  ASSERT_TRUE(server.start()) << server.last_error();
  auto back = cart_when_back();
  ASSERT_TRUE(back) << protocol::describe(back.error());
  // The order emptied the cart; k3 came after it; k4 never reached the server.
  ASSERT_EQ(back->lines.size(), 1u);
  EXPECT_EQ(back->lines[0].product_id, "p3");
  EXPECT_EQ(back->lines[0].quantity, 1);
  auto orders = store->list_orders(alice);
  ASSERT_TRUE(orders) << protocol::describe(orders.error());
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ(orders->front().order_id, order->order_id);
  ASSERT_EQ(orders->front().lines.size(), 2u);
  EXPECT_EQ(orders->front().lines[0].quantity, 2);

  // The write that failed during the outage is retried under its key: applied now, once.
  auto retried = store->apply_write(alice, "k4", add("p4", 1), kurta());
  ASSERT_TRUE(retried) << protocol::describe(retried.error());
  auto again = store->apply_write(alice, "k4", add("p4", 1), kurta());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->version, retried->version);
  auto final_cart = store->get_cart(alice);
  ASSERT_TRUE(final_cart);
  ASSERT_EQ(final_cart->lines.size(), 2u);
  EXPECT_EQ(final_cart->lines[1].quantity, 1);
}

TEST_F(pg_failure, pool_jobs_fail_as_values_while_down_and_succeed_after_restart) {
  caf::expected<cart_snapshot> seen = cart_snapshot{};
  std::atomic<int> done{0};
  pg_pool pool{testing::quick_options(server.conninfo()), 1};
  auto run_job = [&](const std::string& key) {
    int target = done.load() + 1;
    pool.submit([&, key](pg_connection&) {
      seen = store->apply_write(alice, key, add("p1", 1), kurta());
      ++done;
    });
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (done.load() < target && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds{1});
    return done.load() >= target;
  };
  ASSERT_TRUE(run_job("k1"));
  ASSERT_TRUE(seen);
  ASSERT_TRUE(server.stop());
  ASSERT_TRUE(run_job("k2"));
  ASSERT_FALSE(seen);
  EXPECT_EQ(protocol::errc_of(seen.error()), errc::unavailable);
  ASSERT_TRUE(server.start());
  bool recovered = false;
  for (int attempt = 0; attempt < 400 && !recovered; ++attempt) {
    ASSERT_TRUE(run_job("k2"));
    recovered = static_cast<bool>(seen);
    if (!recovered)
      std::this_thread::sleep_for(std::chrono::milliseconds{25});
  }
  ASSERT_TRUE(recovered) << protocol::describe(seen.error());
  EXPECT_EQ(seen->lines[0].quantity, 2);
}

}  // namespace
}  // namespace cartmate::stores::pg
