// session_context_store_contract_test.cpp — one behavioural suite for every session_context_store
// (put/get/erase, TTL expiry and restart, tenant isolation, binary and big values), instantiated
// for memory (virtual clock) and Redis (real server, short TTLs with bounded polling), plus the
// Redis store through an outage and the memory store's sweeping.
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/stores/memory_session_context_store.hpp"
#include "adapters/stores/redis/redis_session_context_store.hpp"
#include "protocol/errors.hpp"
#include "tests/redis/redis_store_fixture.hpp"

namespace cartmate::stores {
namespace {

using namespace std::chrono_literals;
using protocol::errc;

/// Memory: time is a counter the test moves; nothing sleeps.
struct memory_backend {
  std::chrono::steady_clock::time_point now{std::chrono::seconds{1000}};
  std::unique_ptr<session_context_store> make() {
    return std::make_unique<memory_session_context_store>([this] { return now; });
  }
  /// TTL short enough that a test may wait it out.
  static constexpr std::chrono::milliseconds short_ttl{10'000};
  void elapse(std::chrono::milliseconds d) { now += d; }
  /// True once `key` reads as nothing after its TTL has passed.
  bool expires(session_context_store& store, const session_key& key,
               std::chrono::milliseconds ttl) {
    elapse(ttl + 1ms);
    auto got = store.get(key);
    return got && !got->has_value();
  }
};

/// Redis: real time; short TTLs; expiry observed by polling with a generous bound.
struct redis_backend {
  std::unique_ptr<session_context_store> make() {
    auto opts = testing::shared_options();
    if (!opts)
      return nullptr;
    return std::make_unique<redis::redis_session_context_store>(*opts, testing::unique_prefix());
  }
  static constexpr std::chrono::milliseconds short_ttl{150};
  void elapse(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }
  bool expires(session_context_store& store, const session_key& key,
               std::chrono::milliseconds ttl) {
    std::this_thread::sleep_for(ttl);
    return testing::eventually([&] {
      auto got = store.get(key);
      return got && !got->has_value();
    });
  }
};

template <class Backend>
struct session_context_contract : ::testing::Test {
  Backend backend;
  std::unique_ptr<session_context_store> owned;
  session_context_store* store = nullptr;
  session_key s1{"shop-a", "session-1"};
  static constexpr std::chrono::milliseconds long_ttl{600'000};

  void SetUp() override {
    if constexpr (std::is_same_v<Backend, redis_backend>)
      CARTMATE_REQUIRE_REDIS_SERVER();
    owned = backend.make();
    ASSERT_NE(owned, nullptr);
    store = owned.get();
  }

  std::optional<std::string> value_of(const session_key& key) {
    auto got = store->get(key);
    EXPECT_TRUE(got) << protocol::describe(got.error());
    return got ? *got : std::nullopt;
  }
};

using backends = ::testing::Types<memory_backend, redis_backend>;

struct backend_names {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, memory_backend> ? "memory" : "redis";
  }
};

TYPED_TEST_SUITE(session_context_contract, backends, backend_names);

TYPED_TEST(session_context_contract, an_unknown_session_has_no_context) {
  EXPECT_EQ(this->value_of(this->s1), std::nullopt);
}

TYPED_TEST(session_context_contract, put_then_get_returns_the_value_and_put_replaces_it) {
  auto& store = *this->store;
  ASSERT_TRUE(store.put(this->s1, R"({"last_results":["p1","p2"]})", this->long_ttl));
  EXPECT_EQ(this->value_of(this->s1), R"({"last_results":["p1","p2"]})");
  ASSERT_TRUE(store.put(this->s1, R"({"last_results":["p9"]})", this->long_ttl));
  EXPECT_EQ(this->value_of(this->s1), R"({"last_results":["p9"]})");
}

TYPED_TEST(session_context_contract, erase_removes_the_value_and_erasing_nothing_is_fine) {
  auto& store = *this->store;
  ASSERT_TRUE(store.put(this->s1, "ctx", this->long_ttl));
  auto erased = store.erase(this->s1);
  ASSERT_TRUE(erased) << protocol::describe(erased.error());
  EXPECT_EQ(this->value_of(this->s1), std::nullopt);
  auto again = store.erase(this->s1);
  EXPECT_TRUE(again) << protocol::describe(again.error());
}

TYPED_TEST(session_context_contract, a_value_expires_after_its_ttl) {
  auto& store = *this->store;
  auto ttl = TypeParam::short_ttl;
  ASSERT_TRUE(store.put(this->s1, "ctx", ttl));
  EXPECT_TRUE(this->backend.expires(store, this->s1, ttl));
}

TYPED_TEST(session_context_contract, each_put_restarts_the_ttl_with_its_own_value) {
  auto& store = *this->store;
  auto ttl = TypeParam::short_ttl;
  // A longer TTL on the second put outlives the first one's.
  ASSERT_TRUE(store.put(this->s1, "first", ttl));
  ASSERT_TRUE(store.put(this->s1, "second", this->long_ttl));
  this->backend.elapse(ttl * 3);
  EXPECT_EQ(this->value_of(this->s1), "second");
  // A shorter TTL on a later put replaces the longer one.
  ASSERT_TRUE(store.put(this->s1, "third", ttl));
  EXPECT_TRUE(this->backend.expires(store, this->s1, ttl));
}

TYPED_TEST(session_context_contract, a_ttl_below_one_millisecond_is_invalid_and_stores_nothing) {
  auto& store = *this->store;
  for (auto ttl : {0ms, -5ms}) {
    auto put = store.put(this->s1, "ctx", ttl);
    ASSERT_FALSE(put);
    EXPECT_EQ(protocol::errc_of(put.error()), errc::invalid_argument);
  }
  EXPECT_EQ(this->value_of(this->s1), std::nullopt);
}

TYPED_TEST(session_context_contract, tenants_and_sessions_never_see_each_other) {
  auto& store = *this->store;
  session_key other_tenant{"shop-b", "session-1"};
  session_key other_session{"shop-a", "session-2"};
  // Would collide under a naive "tenant:session" key layout.
  session_key colon_a{"a:b", "c"};
  session_key colon_b{"a", "b:c"};
  ASSERT_TRUE(store.put(this->s1, "a1", this->long_ttl));
  ASSERT_TRUE(store.put(other_tenant, "b1", this->long_ttl));
  ASSERT_TRUE(store.put(other_session, "a2", this->long_ttl));
  ASSERT_TRUE(store.put(colon_a, "x", this->long_ttl));
  ASSERT_TRUE(store.put(colon_b, "y", this->long_ttl));
  EXPECT_EQ(this->value_of(this->s1), "a1");
  EXPECT_EQ(this->value_of(other_tenant), "b1");
  EXPECT_EQ(this->value_of(other_session), "a2");
  EXPECT_EQ(this->value_of(colon_a), "x");
  EXPECT_EQ(this->value_of(colon_b), "y");
  ASSERT_TRUE(store.erase(other_tenant));
  EXPECT_EQ(this->value_of(this->s1), "a1");
  EXPECT_EQ(this->value_of(other_tenant), std::nullopt);
}

TYPED_TEST(session_context_contract, big_and_binary_values_round_trip_unchanged) {
  auto& store = *this->store;
  std::string big(2 * 1024 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>((i * 131 + i / 7) & 0xff);   // every byte value, NULs included
  ASSERT_TRUE(store.put(this->s1, big, this->long_ttl));
  auto got = this->value_of(this->s1);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->size(), big.size());
  EXPECT_TRUE(*got == big);
  ASSERT_TRUE(store.put(this->s1, "", this->long_ttl));
  EXPECT_EQ(this->value_of(this->s1), std::string{});
}

TYPED_TEST(session_context_contract, concurrent_callers_each_keep_their_own_context) {
  auto& store = *this->store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      session_key key{"shop-a", "s" + std::to_string(t)};
      for (int i = 0; i < 50; ++i)
        EXPECT_TRUE(store.put(key, std::to_string(t * 1000 + i), this->long_ttl));
    });
  for (auto& th : threads)
    th.join();
  for (int t = 0; t < 4; ++t)
    EXPECT_EQ(this->value_of(session_key{"shop-a", "s" + std::to_string(t)}),
              std::to_string(t * 1000 + 49));
}

TEST(memory_session_context_store, expired_entries_are_swept_as_the_map_grows) {
  auto now = std::chrono::steady_clock::time_point{std::chrono::seconds{1}};
  memory_session_context_store store{[&] { return now; }};
  for (int i = 0; i < 1023; ++i)
    ASSERT_TRUE(store.put({"t", "old" + std::to_string(i)}, "x", 1s));
  ASSERT_TRUE(store.put({"t", "live"}, "y", 1h));
  EXPECT_EQ(store.size(), 1024u);
  now += 2s;
  ASSERT_TRUE(store.put({"t", "new"}, "z", 1h));
  EXPECT_EQ(store.size(), 2u);
  auto live = store.get({"t", "live"});
  ASSERT_TRUE(live);
  EXPECT_EQ(*live, "y");
}

TEST(redis_session_context_store, a_stopped_server_gives_unavailable_and_the_store_recovers) {
  CARTMATE_REQUIRE_REDIS_SERVER();
  testing::redis_test_server server;   // its own: stopping the shared one would disturb others
  ASSERT_TRUE(server.setup()) << server.last_error();
  redis::redis_session_context_store store{testing::quick_options(server.port()), "cm:", 2};
  session_key key{"shop-a", "session-1"};
  ASSERT_TRUE(store.put(key, "before", 60s));
  EXPECT_EQ(store.redis_key(key), "cm:session:6:shop-a:session-1");

  ASSERT_TRUE(server.stop());
  auto put = store.put(key, "during", 60s);
  ASSERT_FALSE(put);
  EXPECT_EQ(protocol::errc_of(put.error()), errc::unavailable) << protocol::describe(put.error());
  EXPECT_TRUE(protocol::is_degradation(put.error()));
  auto get = store.get(key);
  ASSERT_FALSE(get);
  EXPECT_EQ(protocol::errc_of(get.error()), errc::unavailable);
  auto erase = store.erase(key);
  ASSERT_FALSE(erase);
  EXPECT_EQ(protocol::errc_of(erase.error()), errc::unavailable);

  ASSERT_TRUE(server.start()) << server.last_error();
  // Persistence is off in tests, so the restarted server starts empty; the store reconnects.
  ASSERT_TRUE(testing::eventually([&] { return static_cast<bool>(store.put(key, "after", 60s)); }));
  auto back = store.get(key);
  ASSERT_TRUE(back) << protocol::describe(back.error());
  EXPECT_EQ(*back, "after");
}

}  // namespace
}  // namespace cartmate::stores
