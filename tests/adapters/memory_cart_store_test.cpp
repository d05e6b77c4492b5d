// memory_cart_store_test.cpp — what only the in-memory cart store does: forgetting the oldest
// write keys beyond its per-user limit. The behaviour every cart store shares is tested once,
// for memory and PostgreSQL alike, in tests/pg/cart_store_contract_test.cpp.
#include "adapters/stores/memory_cart_store.hpp"

#include <string>

#include <gtest/gtest.h>

#include "protocol/errors.hpp"

namespace cartmate::stores {
namespace {

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

TEST(memory_cart_store, old_keys_are_forgotten_beyond_the_limit) {
  user_key alice{"shop-a", "alice"};
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

}  // namespace
}  // namespace cartmate::stores
