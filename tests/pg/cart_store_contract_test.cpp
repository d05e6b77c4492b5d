// cart_store_contract_test.cpp — one behavioural suite for every cart_store: idempotent writes,
// limits, tenant isolation, atomic orders and racing retries; instantiated for memory and
// PostgreSQL so both stores keep the same semantics.
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/stores/memory_cart_store.hpp"
#include "adapters/stores/postgres/pg_cart_store.hpp"
#include "protocol/errors.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::stores {
namespace {

using protocol::errc;

struct memory_backend {
  static std::unique_ptr<cart_store> make() { return std::make_unique<memory_cart_store>(); }
};

struct postgres_backend {
  static std::unique_ptr<cart_store> make() {
    auto conninfo = testing::migrated_database();
    if (conninfo.empty())
      return nullptr;
    return std::make_unique<pg::pg_cart_store>(testing::quick_options(conninfo), 4);
  }
};

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

template <class Backend>
struct cart_store_contract : ::testing::Test {
  std::unique_ptr<cart_store> owned;
  cart_store* store = nullptr;
  user_key alice{"shop-a", "alice"};

  void SetUp() override {
    if constexpr (std::is_same_v<Backend, postgres_backend>)
      CARTMATE_REQUIRE_PG_BINARIES();
    owned = Backend::make();
    ASSERT_NE(owned, nullptr);
    store = owned.get();
  }

  cart_snapshot cart(const user_key& who) {
    auto c = store->get_cart(who);
    EXPECT_TRUE(c) << protocol::describe(c.error());
    return c ? *c : cart_snapshot{};
  }
};

using backends = ::testing::Types<memory_backend, postgres_backend>;

struct backend_names {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, memory_backend> ? "memory" : "postgres";
  }
};

TYPED_TEST_SUITE(cart_store_contract, backends, backend_names);

TYPED_TEST(cart_store_contract, unknown_user_has_an_empty_cart) {
  auto c = this->cart(this->alice);
  EXPECT_TRUE(c.lines.empty());
  EXPECT_EQ(c.version, 0u);
}

TYPED_TEST(cart_store_contract, add_creates_then_grows_a_line_with_totals) {
  auto& store = *this->store;
  ASSERT_TRUE(store.apply_write(this->alice, "k1", add("p1", 2), facts("Kurta", 49900)));
  auto after = store.apply_write(this->alice, "k2", add("p1", 1), facts("Kurta", 49900));
  ASSERT_TRUE(after);
  ASSERT_EQ(after->lines.size(), 1u);
  EXPECT_EQ(after->lines[0].quantity, 3);
  EXPECT_EQ(after->lines[0].line_total.minor, 3 * 49900);
  EXPECT_EQ(after->lines[0].title, "Kurta");
  auto view = make_cart_view(this->alice.user, after->lines, "INR");
  EXPECT_EQ(view.total.minor, 3 * 49900);
  EXPECT_EQ(view.item_count, 3);
  auto stored = this->cart(this->alice);
  EXPECT_EQ(stored.version, 2u);
  ASSERT_EQ(stored.lines.size(), 1u);
  EXPECT_EQ(stored.lines[0].line_total.minor, 3 * 49900);
  EXPECT_EQ(stored.lines[0].line_total.currency, "INR");
}

TYPED_TEST(cart_store_contract, lines_keep_the_order_they_were_added_in) {
  auto& store = *this->store;
  ASSERT_TRUE(store.apply_write(this->alice, "k1", add("p2", 1), facts("B", 1)));
  ASSERT_TRUE(store.apply_write(this->alice, "k2", add("p1", 1), facts("A", 1)));
  ASSERT_TRUE(store.apply_write(this->alice, "k3", add("p3", 1), facts("C", 1)));
  ASSERT_TRUE(store.apply_write(this->alice, "k4", add("p2", 1), facts("B", 1)));
  auto c = this->cart(this->alice);
  ASSERT_EQ(c.lines.size(), 3u);
  EXPECT_EQ(c.lines[0].product_id, "p2");
  EXPECT_EQ(c.lines[1].product_id, "p1");
  EXPECT_EQ(c.lines[2].product_id, "p3");
}

TYPED_TEST(cart_store_contract, same_key_applies_once_and_replays_the_recorded_result) {
  auto& store = *this->store;
  auto first = store.apply_write(this->alice, "k1", add("p1", 2), facts("Kurta", 100));
  ASSERT_TRUE(first);
  ASSERT_TRUE(store.apply_write(this->alice, "k2", add("p2", 1), facts("Shoe", 300)));
  auto again = store.apply_write(this->alice, "k1", add("p1", 2), facts("Kurta", 100));
  ASSERT_TRUE(again);
  ASSERT_EQ(again->lines.size(), 1u);             // the result recorded for k1
  EXPECT_EQ(again->lines[0].title, "Kurta");
  EXPECT_EQ(again->lines[0].line_total.minor, 200);
  EXPECT_EQ(again->version, first->version);
  auto now = this->cart(this->alice);
  ASSERT_EQ(now.lines.size(), 2u);
  EXPECT_EQ(now.lines[0].quantity, 2);            // not 4
  auto found = store.find_write(this->alice, "k1", add("p1", 2));
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->version, first->version);
  auto unused = store.find_write(this->alice, "k9", add("p1", 2));
  ASSERT_TRUE(unused);
  EXPECT_FALSE(unused->has_value());
}

TYPED_TEST(cart_store_contract, key_reused_for_another_write_is_a_conflict) {
  auto& store = *this->store;
  ASSERT_TRUE(store.apply_write(this->alice, "k1", add("p1", 1), facts("Kurta", 100)));
  auto other = store.apply_write(this->alice, "k1", add("p2", 1), facts("Shoe", 100));
  ASSERT_FALSE(other);
  EXPECT_EQ(code_of(other.error()), errc::conflict);
  auto found = store.find_write(this->alice, "k1", add("p1", 5));
  ASSERT_FALSE(found);
  EXPECT_EQ(code_of(found.error()), errc::conflict);
  EXPECT_EQ(this->cart(this->alice).lines.size(), 1u);
}

TYPED_TEST(cart_store_contract, rejected_writes_change_nothing_and_record_nothing) {
  auto& store = *this->store;
  ASSERT_TRUE(store.apply_write(this->alice, "k1", add("p1", 98), facts("Kurta", 100, 500)));
  auto before = this->cart(this->alice);
  auto too_many = store.apply_write(this->alice, "k2", add("p1", 2), facts("Kurta", 100, 500));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(code_of(too_many.error()), errc::invalid_argument);
  EXPECT_NE(protocol::describe(too_many.error()).find("already have 98"), std::string::npos);
  auto zero = store.apply_write(this->alice, "k3", add("p2", 0), facts("Shoe", 100));
  ASSERT_FALSE(zero);
  EXPECT_EQ(code_of(zero.error()), errc::invalid_argument);
  auto sold_out = store.apply_write(this->alice, "k4", add("p3", 1), facts("Cap", 100, 0));
  ASSERT_FALSE(sold_out);
  EXPECT_EQ(code_of(sold_out.error()), errc::out_of_stock);
  auto short_stock = store.apply_write(this->alice, "k5", add("p3", 4), facts("Cap", 100, 3));
  ASSERT_FALSE(short_stock);
  EXPECT_EQ(code_of(short_stock.error()), errc::out_of_stock);
  EXPECT_NE(protocol::describe(short_stock.error()).find("only 3"), std::string::npos);
  auto dollars = facts("Hat", 100);
  dollars.unit_price.currency = "USD";
  auto mixed = store.apply_write(this->alice, "k6", add("p4", 1), dollars);
  ASSERT_FALSE(mixed);
  EXPECT_EQ(code_of(mixed.error()), errc::invalid_argument);
  auto no_key = store.apply_write(this->alice, "", add("p1", 1), facts("Kurta", 100));
  ASSERT_FALSE(no_key);
  EXPECT_EQ(code_of(no_key.error()), errc::invalid_argument);
  auto after = this->cart(this->alice);
  EXPECT_EQ(after.version, before.version);
  ASSERT_EQ(after.lines.size(), 1u);
  EXPECT_EQ(after.lines[0].quantity, 98);
  auto unrecorded = store.find_write(this->alice, "k5", add("p3", 4));
  ASSERT_TRUE(unrecorded);
  EXPECT_FALSE(unrecorded->has_value());
  // A rejected key is free: the same write succeeds once stock arrives.
  auto retried = store.apply_write(this->alice, "k5", add("p3", 2), facts("Cap", 100, 3));
  EXPECT_TRUE(retried);
}

TYPED_TEST(cart_store_contract, set_quantity_and_remove) {
  auto& store = *this->store;
  ASSERT_TRUE(store.apply_write(this->alice, "k1", add("p1", 1), facts("Kurta", 100)));
  ASSERT_TRUE(store.apply_write(this->alice, "k2", add("p2", 1), facts("Shoe", 300)));
  auto set = store.apply_write(this->alice, "k3", cart_op{cart_op_kind::set_quantity, "p1", 5},
                               facts("Kurta", 120));
  ASSERT_TRUE(set);
  EXPECT_EQ(set->lines[0].quantity, 5);
  EXPECT_EQ(set->lines[0].line_total.minor, 600);   // the price checked now
  EXPECT_EQ(this->cart(this->alice).lines[0].unit_price.minor, 120);
  auto missing = store.apply_write(this->alice, "k4",
                                   cart_op{cart_op_kind::set_quantity, "p9", 1}, facts("X", 1));
  ASSERT_FALSE(missing);
  EXPECT_EQ(code_of(missing.error()), errc::not_found);
  auto removed = store.apply_write(this->alice, "k5", cart_op{cart_op_kind::remove, "p1", 0}, {});
  ASSERT_TRUE(removed);
  ASSERT_EQ(removed->lines.size(), 1u);
  EXPECT_EQ(removed->lines[0].product_id, "p2");
  auto stored = this->cart(this->alice);
  ASSERT_EQ(stored.lines.size(), 1u);
  EXPECT_EQ(stored.lines[0].product_id, "p2");
  auto again = store.apply_write(this->alice, "k6", cart_op{cart_op_kind::remove, "p1", 0}, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(code_of(again.error()), errc::not_found);
}

TYPED_TEST(cart_store_contract, tenants_and_users_never_share_carts_or_keys) {
  auto& store = *this->store;
  user_key other_tenant{"shop-b", "alice"};
  ASSERT_TRUE(store.apply_write(this->alice, "k1", add("p1", 2), facts("Kurta", 100)));
  auto b = store.apply_write(other_tenant, "k1", add("p2", 1), facts("Shoe", 100));
  ASSERT_TRUE(b);   // the same key in another tenant is another write
  ASSERT_EQ(this->cart(this->alice).lines.size(), 1u);
  EXPECT_EQ(this->cart(this->alice).lines[0].product_id, "p1");
  ASSERT_EQ(this->cart(other_tenant).lines.size(), 1u);
  EXPECT_EQ(this->cart(other_tenant).lines[0].product_id, "p2");
}

TYPED_TEST(cart_store_contract, place_order_is_atomic_once_per_key_and_checks_the_version) {
  auto& store = *this->store;
  ASSERT_TRUE(store.apply_write(this->alice, "k1", add("p1", 2), facts("Kurta", 100)));
  ASSERT_TRUE(store.apply_write(this->alice, "k2", add("p2", 1), facts("Shoe", 300)));
  auto c = this->cart(this->alice);
  checkout_snapshot snap{c.lines, make_cart_view(this->alice.user, c.lines, "INR").total,
                         c.version};
  auto placed = store.place_order(this->alice, snap, "chk-1", 1234);
  ASSERT_TRUE(placed);
  EXPECT_EQ(placed->status, "placed");
  EXPECT_EQ(placed->user, "alice");
  EXPECT_EQ(placed->total.minor, 500);
  EXPECT_EQ(placed->created_ms, 1234);
  EXPECT_TRUE(this->cart(this->alice).lines.empty());
  EXPECT_EQ(this->cart(this->alice).version, c.version + 1);
  auto twice = store.place_order(this->alice, snap, "chk-1", 9999);
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->order_id, placed->order_id);
  EXPECT_EQ(twice->created_ms, 1234);
  auto orders = store.list_orders(this->alice);
  ASSERT_TRUE(orders);
  ASSERT_EQ(orders->size(), 1u);
  const auto& stored = orders->front();
  ASSERT_EQ(stored.lines.size(), 2u);
  EXPECT_EQ(stored.lines[0].product_id, "p1");
  EXPECT_EQ(stored.lines[0].quantity, 2);
  EXPECT_EQ(stored.lines[0].line_total.minor, 200);
  EXPECT_EQ(stored.lines[1].title, "Shoe");
  EXPECT_EQ(stored.total.currency, "INR");
  auto found = store.find_order(this->alice, "chk-1");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->order_id, placed->order_id);
  EXPECT_EQ((*found)->lines.size(), 2u);
  auto other_tenant = store.find_order(user_key{"shop-b", "alice"}, "chk-1");
  ASSERT_TRUE(other_tenant);
  EXPECT_FALSE(other_tenant->has_value());
}

TYPED_TEST(cart_store_contract, stale_snapshot_places_nothing) {
  auto& store = *this->store;
  ASSERT_TRUE(store.apply_write(this->alice, "k1", add("p1", 2), facts("Kurta", 100)));
  auto c = this->cart(this->alice);
  checkout_snapshot snap{c.lines, protocol::money{200, "INR"}, c.version};
  ASSERT_TRUE(store.apply_write(this->alice, "k2", add("p2", 1), facts("Shoe", 100)));
  auto stale = store.place_order(this->alice, snap, "chk-1", 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(code_of(stale.error()), errc::conflict);
  EXPECT_EQ(this->cart(this->alice).lines.size(), 2u);
  EXPECT_TRUE(store.list_orders(this->alice)->empty());
  auto none = store.find_order(this->alice, "chk-1");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto empty = store.place_order(this->alice, checkout_snapshot{{}, {}, this->cart(this->alice).version},
                                 "chk-2", 1);
  ASSERT_FALSE(empty);
  EXPECT_EQ(code_of(empty.error()), errc::invalid_argument);
}

TYPED_TEST(cart_store_contract, orders_are_listed_newest_first) {
  auto& store = *this->store;
  for (int i = 0; i < 3; ++i) {
    auto key = "k" + std::to_string(i);
    ASSERT_TRUE(store.apply_write(this->alice, key, add("p1", i + 1), facts("Kurta", 100)));
    auto c = this->cart(this->alice);
    ASSERT_TRUE(store.place_order(this->alice, checkout_snapshot{c.lines, {}, c.version},
                                  "chk-" + std::to_string(i), i));
  }
  auto orders = store.list_orders(this->alice);
  ASSERT_TRUE(orders);
  ASSERT_EQ(orders->size(), 3u);
  EXPECT_EQ((*orders)[0].created_ms, 2);
  EXPECT_EQ((*orders)[2].created_ms, 0);
  EXPECT_EQ((*orders)[0].lines[0].quantity, 3);
  EXPECT_NE((*orders)[0].order_id, (*orders)[1].order_id);
}

TYPED_TEST(cart_store_contract, concurrent_writers_with_shared_keys_add_exactly_once_each) {
  constexpr int threads = 4;
  constexpr int keys = 30;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([this] {
      // Every thread sends the same writes, like retries racing each other.
      for (int k = 0; k < keys; ++k) {
        auto r = this->store->apply_write(this->alice, "k" + std::to_string(k), add("p1", 1),
                                          facts("Kurta", 10, 1000));
        EXPECT_TRUE(r) << protocol::describe(r.error());
      }
    });
  for (auto& th : pool)
    th.join();
  auto c = this->cart(this->alice);
  ASSERT_EQ(c.lines.size(), 1u);
  EXPECT_EQ(c.lines[0].quantity, keys);
  EXPECT_EQ(c.version, static_cast<uint64_t>(keys));
}

TYPED_TEST(cart_store_contract, two_racing_retries_of_one_write_add_once_and_agree) {
  // Released together, two threads send the very same write (a retry after a timeout while the
  // first attempt is still in flight).
  for (int round = 0; round < 10; ++round) {
    auto key = "race-" + std::to_string(round);
    std::atomic<int> ready{0};
    caf::expected<cart_snapshot> results[2] = {cart_snapshot{}, cart_snapshot{}};
    std::vector<std::thread> racers;
    for (int t = 0; t < 2; ++t)
      racers.emplace_back([&, t] {
        ++ready;
        while (ready.load() < 2)
          std::this_thread::yield();
        results[t] = this->store->apply_write(this->alice, key, add("p1", 1),
                                               facts("Kurta", 10, 1000));
      });
    for (auto& th : racers)
      th.join();
    ASSERT_TRUE(results[0]) << protocol::describe(results[0].error());
    ASSERT_TRUE(results[1]) << protocol::describe(results[1].error());
    EXPECT_EQ(results[0]->version, results[1]->version);
    EXPECT_EQ(results[0]->lines[0].quantity, results[1]->lines[0].quantity);
  }
  auto c = this->cart(this->alice);
  ASSERT_EQ(c.lines.size(), 1u);
  EXPECT_EQ(c.lines[0].quantity, 10);
  EXPECT_EQ(c.version, 10u);
}

}  // namespace
}  // namespace cartmate::stores
