// memory_cart_store_test.cpp — idempotent writes, limits, tenant isolation and atomic orders
// of the in-memory cart store, plus concurrent writers.
#include "adapters/stores/memory_cart_store.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/errors.hpp"

namespace cartmate::stores {
namespace {

using protocol::errc;

line_facts facts(const std::string& title, int64_t price, int32_t stock = 50) {
  line_facts f;
  f.title = title;
  f.unit_price = protocol::money{price, "INR"};
  f.stock = stock;
  return f;
}

cart_op add(const std::string& id, int32_t qty) {
  return cart_op{cart_op_kind::add, id, qty};
}

std::optional<errc> code_of(const caf::error& err) {
  return protocol::errc_of(err);
}

struct memory_cart_store_test : ::testing::Test {
  memory_cart_store store;
  user_key alice{"shop-a", "alice"};

  cart_snapshot cart(const user_key& who) {
    auto c = store.get_cart(who);
    EXPECT_TRUE(c);
    return c ? *c : cart_snapshot{};
  }
};

TEST_F(memory_cart_store_test, unknown_user_has_an_empty_cart) {
  auto c = cart(alice);
  EXPECT_TRUE(c.lines.empty());
  EXPECT_EQ(c.version, 0u);
}

TEST_F(memory_cart_store_test, add_creates_then_grows_a_line_with_totals) {
  ASSERT_TRUE(store.apply_write(alice, "k1", add("p1", 2), facts("Kurta", 49900)));
  auto after = store.apply_write(alice, "k2", add("p1", 1), facts("Kurta", 49900));
  ASSERT_TRUE(after);
  ASSERT_EQ(after->lines.size(), 1u);
  EXPECT_EQ(after->lines[0].quantity, 3);
  EXPECT_EQ(after->lines[0].line_total.minor, 3 * 49900);
  EXPECT_EQ(after->lines[0].title, "Kurta");
  auto view = make_cart_view(alice.user, after->lines, "INR");
  EXPECT_EQ(view.total.minor, 3 * 49900);
  EXPECT_EQ(view.total.currency, "INR");
  EXPECT_EQ(view.item_count, 3);
  EXPECT_EQ(cart(alice).version, 2u);
}

TEST_F(memory_cart_store_test, same_key_applies_once_and_replays_the_recorded_result) {
  auto first = store.apply_write(alice, "k1", add("p1", 2), facts("Kurta", 100));
  ASSERT_TRUE(first);
  ASSERT_TRUE(store.apply_write(alice, "k2", add("p2", 1), facts("Shoe", 300)));
  auto again = store.apply_write(alice, "k1", add("p1", 2), facts("Kurta", 100));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->lines.size(), 1u);            // the result recorded for k1
  EXPECT_EQ(again->version, first->version);
  auto now = cart(alice);
  ASSERT_EQ(now.lines.size(), 2u);
  EXPECT_EQ(now.lines[0].quantity, 2);            // not 4
  auto found = store.find_write(alice, "k1", add("p1", 2));
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->version, first->version);
  auto unused = store.find_write(alice, "k9", add("p1", 2));
  ASSERT_TRUE(unused);
  EXPECT_FALSE(unused->has_value());
}

TEST_F(memory_cart_store_test, key_reused_for_another_write_is_a_conflict) {
  ASSERT_TRUE(store.apply_write(alice, "k1", add("p1", 1), facts("Kurta", 100)));
  auto other = store.apply_write(alice, "k1", add("p2", 1), facts("Shoe", 100));
  ASSERT_FALSE(other);
  EXPECT_EQ(code_of(other.error()), errc::conflict);
  auto found = store.find_write(alice, "k1", add("p1", 5));
  ASSERT_FALSE(found);
  EXPECT_EQ(code_of(found.error()), errc::conflict);
  EXPECT_EQ(cart(alice).lines.size(), 1u);
}

TEST_F(memory_cart_store_test, rejected_writes_change_nothing_and_record_nothing) {
  ASSERT_TRUE(store.apply_write(alice, "k1", add("p1", 98), facts("Kurta", 100, 500)));
  auto before = cart(alice);
  auto too_many = store.apply_write(alice, "k2", add("p1", 2), facts("Kurta", 100, 500));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(code_of(too_many.error()), errc::invalid_argument);
  EXPECT_NE(protocol::describe(too_many.error()).find("already have 98"), std::string::npos);
  auto zero = store.apply_write(alice, "k3", add("p2", 0), facts("Shoe", 100));
  ASSERT_FALSE(zero);
  EXPECT_EQ(code_of(zero.error()), errc::invalid_argument);
  auto sold_out = store.apply_write(alice, "k4", add("p3", 1), facts("Cap", 100, 0));
  ASSERT_FALSE(sold_out);
  EXPECT_EQ(code_of(sold_out.error()), errc::out_of_stock);
  auto short_stock = store.apply_write(alice, "k5", add("p3", 4), facts("Cap", 100, 3));
  ASSERT_FALSE(short_stock);
  EXPECT_EQ(code_of(short_stock.error()), errc::out_of_stock);
  EXPECT_NE(protocol::describe(short_stock.error()).find("only 3"), std::string::npos);
  auto dollars = facts("Hat", 100);
  dollars.unit_price.currency = "USD";
  auto mixed = store.apply_write(alice, "k6", add("p4", 1), dollars);
  ASSERT_FALSE(mixed);
  EXPECT_EQ(code_of(mixed.error()), errc::invalid_argument);
  auto after = cart(alice);
  EXPECT_EQ(after.version, before.version);
  ASSERT_EQ(after.lines.size(), 1u);
  EXPECT_EQ(after.lines[0].quantity, 98);
  // A rejected key is free: the same write succeeds once stock arrives.
  auto retried = store.apply_write(alice, "k5", add("p3", 2), facts("Cap", 100, 3));
  EXPECT_TRUE(retried);
}

TEST_F(memory_cart_store_test, set_quantity_and_remove) {
  ASSERT_TRUE(store.apply_write(alice, "k1", add("p1", 1), facts("Kurta", 100)));
  ASSERT_TRUE(store.apply_write(alice, "k2", add("p2", 1), facts("Shoe", 300)));
  auto set = store.apply_write(alice, "k3", cart_op{cart_op_kind::set_quantity, "p1", 5},
                               facts("Kurta", 120));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->lines[0].quantity, 5);
  EXPECT_EQ(set->lines[0].line_total.minor, 600);   // the price checked now
  auto missing = store.apply_write(alice, "k4", cart_op{cart_op_kind::set_quantity, "p9", 1},
                                   facts("X", 1));
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::not_found);
  auto removed = store.apply_write(alice, "k5", cart_op{cart_op_kind::remove, "p1", 0}, {});
  ASSERT_TRUE(removed);
  ASSERT_EQ(removed->lines.size(), 1u);
  EXPECT_EQ(removed->lines[0].product_id, "p2");
  auto again = store.apply_write(alice, "k6", cart_op{cart_op_kind::remove, "p1", 0}, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), errc::not_found);
}

TEST_F(memory_cart_store_test, tenants_and_users_never_share_carts_or_keys) {
  user_key other_tenant{"shop-b", "alice"};
  ASSERT_TRUE(store.apply_write(alice, "k1", add("p1", 2), facts("Kurta", 100)));
  auto b = store.apply_write(other_tenant, "k1", add("p2", 1), facts("Shoe", 100));
  ASSERT_TRUE(b);   // the same key in another tenant is another write
  ASSERT_EQ(cart(alice).lines.size(), 1u);
  EXPECT_EQ(cart(alice).lines[0].product_id, "p1");
  ASSERT_EQ(cart(other_tenant).lines.size(), 1u);
  EXPECT_EQ(cart(other_tenant).lines[0].product_id, "p2");
}

TEST_F(memory_cart_store_test, place_order_is_atomic_once_per_key_and_checks_the_version) {
  ASSERT_TRUE(store.apply_write(alice, "k1", add("p1", 2), facts("Kurta", 100)));
  auto c = cart(alice);
  checkout_snapshot snap{c.lines, make_cart_view(alice.user, c.lines, "INR").total, c.version};
  auto placed = store.place_order(alice, snap, "chk-1", 1234);
  ASSERT_TRUE(placed);
  EXPECT_EQ(placed->status, "placed");
  EXPECT_EQ(placed->user, "alice");
  EXPECT_EQ(placed->total.minor, 200);
  EXPECT_EQ(placed->created_ms, 1234);
  EXPECT_TRUE(cart(alice).lines.empty());
  auto twice = store.place_order(alice, snap, "chk-1", 9999);
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->order_id, placed->order_id);
  auto orders = store.list_orders(alice);
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->size(), 1u);
  auto found = store.find_order(alice, "chk-1");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->order_id, placed->order_id);
  auto other_tenant = store.find_order(user_key{"shop-b", "alice"}, "chk-1");
  ASSERT_TRUE(other_tenant);
  EXPECT_FALSE(other_tenant->has_value());
}

TEST_F(memory_cart_store_test, stale_snapshot_places_nothing) {
  ASSERT_TRUE(store.apply_write(alice, "k1", add("p1", 2), facts("Kurta", 100)));
  auto c = cart(alice);
  checkout_snapshot snap{c.lines, protocol::money{200, "INR"}, c.version};
  ASSERT_TRUE(store.apply_write(alice, "k2", add("p2", 1), facts("Shoe", 100)));
  auto stale = store.place_order(alice, snap, "chk-1", 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(code_of(stale.error()), errc::conflict);
  EXPECT_EQ(cart(alice).lines.size(), 2u);
  EXPECT_TRUE(store.list_orders(alice)->empty());
  auto empty = store.place_order(alice, checkout_snapshot{{}, {}, cart(alice).version}, "chk-2", 1);
  ASSERT_FALSE(empty);
  EXPECT_EQ(code_of(empty.error()), errc::invalid_argument);
}

TEST_F(memory_cart_store_test, orders_are_listed_newest_first) {
  for (int i = 0; i < 3; ++i) {
    auto key = "k" + std::to_string(i);
    ASSERT_TRUE(store.apply_write(alice, key, add("p1", i + 1), facts("Kurta", 100)));
    auto c = cart(alice);
    ASSERT_TRUE(store.place_order(alice, checkout_snapshot{c.lines, {}, c.version},
                                  "chk-" + std::to_string(i), i));
  }
  auto orders = store.list_orders(alice);
  ASSERT_TRUE(orders);
  ASSERT_EQ(orders->size(), 3u);
  EXPECT_EQ((*orders)[0].created_ms, 2);
  EXPECT_EQ((*orders)[2].created_ms, 0);
  EXPECT_EQ((*orders)[0].lines[0].quantity, 3);
}

TEST_F(memory_cart_store_test, old_keys_are_forgotten_beyond_the_limit) {
  memory_cart_store small{2};
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(small.apply_write(alice, "k" + std::to_string(i), add("p1", 1), facts("K", 1)));
  auto oldest = small.find_write(alice, "k0", add("p1", 1));
  ASSERT_TRUE(oldest);
  EXPECT_FALSE(oldest->has_value());
  auto newest = small.find_write(alice, "k2", add("p1", 1));
  ASSERT_TRUE(newest);
  EXPECT_TRUE(newest->has_value());
}

TEST_F(memory_cart_store_test, concurrent_writers_with_shared_keys_add_exactly_once_each) {
  constexpr int threads = 4;
  constexpr int keys = 50;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([this] {
      // Every thread sends the same 50 writes, like retries racing each other.
      for (int k = 0; k < keys; ++k)
        (void) store.apply_write(alice, "k" + std::to_string(k), add("p1", 1),
                                 facts("Kurta", 10, 1000));
    });
  for (auto& th : pool)
    th.join();
  auto c = cart(alice);
  ASSERT_EQ(c.lines.size(), 1u);
  EXPECT_EQ(c.lines[0].quantity, keys);
  EXPECT_EQ(c.version, static_cast<uint64_t>(keys));
}

}  // namespace
}  // namespace cartmate::stores
