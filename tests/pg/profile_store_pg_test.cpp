// profile_store_pg_test.cpp — style profiles in PostgreSQL: what is put comes back whole, per
// tenant and user; an unknown user has an empty profile; a second put replaces the first.
#include <gtest/gtest.h>

#include "adapters/style/pg_profile_store.hpp"
#include "protocol/errors.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::style {
namespace {

learned_profile sample() {
  learned_profile p;
  p.taste = {0.25f, -0.5f, 1.0f};
  p.attributes["colour"]["Navy"] = attribute_stat{};
  p.price_weight = 2.5;
  p.price_log_sum = 14.2;
  p.as_of_ms = 1763700000000;
  p.signal_count = 3;
  p.stated.push_back(protocol::stated_preference{"budget", "200000", 1763700000001});
  p.recent_keys = {"k1", "k2"};
  return p;
}

TEST(pg_profile_store, a_profile_round_trips_per_tenant_and_user_and_is_replaced_by_a_later_put) {
  CARTMATE_REQUIRE_PG_BINARIES();
  auto conninfo = testing::migrated_database();
  ASSERT_FALSE(conninfo.empty());
  pg_profile_store store{testing::quick_options(conninfo)};
  stores::user_key alice{"shop-a", "alice"};
  stores::user_key other_tenant{"shop-b", "alice"};

  auto empty = store.get(alice);
  ASSERT_TRUE(empty) << protocol::describe(empty.error());
  EXPECT_TRUE(empty->taste.empty());
  EXPECT_EQ(empty->signal_count, 0u);

  ASSERT_FALSE(store.put(alice, sample()));
  auto back = store.get(alice);
  ASSERT_TRUE(back) << protocol::describe(back.error());
  EXPECT_EQ(back->taste, sample().taste);
  EXPECT_EQ(back->signal_count, 3u);
  ASSERT_EQ(back->stated.size(), 1u);
  EXPECT_EQ(back->stated[0].key, "budget");
  EXPECT_EQ(back->stated[0].value, "200000");
  EXPECT_EQ(back->recent_keys, sample().recent_keys);
  EXPECT_EQ(back->attributes.count("colour"), 1u);

  auto elsewhere = store.get(other_tenant);
  ASSERT_TRUE(elsewhere);
  EXPECT_TRUE(elsewhere->taste.empty()) << "another tenant's alice must not see this profile";

  auto later = sample();
  later.signal_count = 9;
  later.stated.clear();
  ASSERT_FALSE(store.put(alice, later));
  auto replaced = store.get(alice);
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->signal_count, 9u);
  EXPECT_TRUE(replaced->stated.empty());

  EXPECT_TRUE(store.put(stores::user_key{"shop-a", ""}, sample()));   // no user: refused
}

}  // namespace
}  // namespace cartmate::style
