// history_store_contract_test.cpp — one behavioural suite for every history_store: turns in seq
// order, every field kept exactly, idempotent appends, conflicts, tenant isolation and session
// listings; instantiated for memory and PostgreSQL so both keep the same semantics.
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/stores/memory_history_store.hpp"
#include "adapters/stores/postgres/pg_history_store.hpp"
#include "protocol/errors.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::stores {
namespace {

using protocol::errc;

struct memory_backend {
  static std::unique_ptr<history_store> make(std::string&) {
    return std::make_unique<memory_history_store>();
  }
  /// Another handle on the same history: for memory, the store itself.
  static std::unique_ptr<history_store> another(const std::string&) { return nullptr; }
};

struct postgres_backend {
  static std::unique_ptr<history_store> make(std::string& conninfo) {
    conninfo = testing::migrated_database();
    if (conninfo.empty())
      return nullptr;
    return another(conninfo);
  }
  /// A store with its own connection, so racing threads race in the database.
  static std::unique_ptr<history_store> another(const std::string& conninfo) {
    return std::make_unique<pg::pg_history_store>(testing::quick_options(conninfo));
  }
};

turn_record turn(const std::string& session, uint64_t seq, int64_t at_ms = 1000,
                 const std::string& user = "alice", const std::string& tenant = "shop-a") {
  turn_record t;
  t.tenant = tenant;
  t.user = user;
  t.session_id = session;
  t.seq = seq;
  t.at_ms = at_ms;
  t.user_text = "show me kurtas " + std::to_string(seq);
  t.intents = {"search"};
  t.agents = {"orchestrator", "product_discovery"};
  t.reply = "Here are kurtas.";
  t.latency_us = 1234;
  t.product_ids = {"p1", "p2"};
  t.cart_items = 0;
  return t;
}

std::optional<errc> code_of(const caf::error& err) {
  return protocol::errc_of(err);
}

template <class Backend>
struct history_store_contract : ::testing::Test {
  std::unique_ptr<history_store> owned;
  history_store* store = nullptr;
  std::string conninfo;

  void SetUp() override {
    if constexpr (std::is_same_v<Backend, postgres_backend>)
      CARTMATE_REQUIRE_PG_BINARIES();
    owned = Backend::make(conninfo);
    ASSERT_NE(owned, nullptr);
    store = owned.get();
  }

  std::vector<turn_record> list(const std::string& session, const std::string& tenant = "shop-a") {
    auto turns = store->list(tenant, session);
    EXPECT_TRUE(turns) << protocol::describe(turns.error());
    return turns ? *turns : std::vector<turn_record>{};
  }

  std::vector<session_info> sessions(const std::optional<std::string>& user, size_t limit = 100) {
    auto s = store->list_sessions("shop-a", user, limit);
    EXPECT_TRUE(s) << protocol::describe(s.error());
    return s ? *s : std::vector<session_info>{};
  }
};

using backends = ::testing::Types<memory_backend, postgres_backend>;

struct backend_names {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, memory_backend> ? "memory" : "postgres";
  }
};

TYPED_TEST_SUITE(history_store_contract, backends, backend_names);

TYPED_TEST(history_store_contract, unknown_session_has_no_turns) {
  EXPECT_TRUE(this->list("nope").empty());
  EXPECT_TRUE(this->sessions(std::nullopt).empty());
}

TYPED_TEST(history_store_contract, turns_come_back_in_seq_order_whatever_the_append_order) {
  for (uint64_t seq : {2u, 0u, 3u, 1u})
    ASSERT_FALSE(this->store->append(turn("s1", seq)));
  auto turns = this->list("s1");
  ASSERT_EQ(turns.size(), 4u);
  for (uint64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(turns[i].seq, i);
    EXPECT_EQ(turns[i], turn("s1", i));
  }
}

TYPED_TEST(history_store_contract, every_field_round_trips_exactly) {
  auto t = turn("s-\"odd\" {session}, \\ with commas", 7, 1717171717123);
  t.input = protocol::turn_input::like;
  t.user_text = "I like it,\t\"really\"\n{a,b} \\ back\\slash — ह ✓";
  t.product_ref = "the second one";
  t.intents = {"like", "NULL", "", "with,comma", "{brace}", "quote\"d", "back\\slash"};
  t.agents = {};
  t.reply = "Noted.\nLine two\twith a tab";
  t.latency_us = 9876543210;
  t.degraded = true;
  t.degraded_reasons = {"style_profiler: unavailable", "breaker_open: circuit open"};
  t.confirmation_asked = true;
  t.order_id = "ord-00000042";
  t.product_ids = {};
  t.cart_items = std::nullopt;
  ASSERT_FALSE(this->store->append(t));
  auto turns = this->list(t.session_id);
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0], t);
  EXPECT_FALSE(turns[0].cart_items.has_value());

  auto zero = turn("s2", 0);
  zero.cart_items = 0;   // a known empty cart is not "unknown"
  ASSERT_FALSE(this->store->append(zero));
  auto back = this->list("s2");
  ASSERT_EQ(back.size(), 1u);
  ASSERT_TRUE(back[0].cart_items.has_value());
  EXPECT_EQ(*back[0].cart_items, 0);
}

TYPED_TEST(history_store_contract, a_retried_append_stores_the_turn_once) {
  auto t = turn("s1", 0);
  ASSERT_FALSE(this->store->append(t));
  ASSERT_FALSE(this->store->append(t));
  ASSERT_FALSE(this->store->append(t));
  auto turns = this->list("s1");
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0], t);
}

TYPED_TEST(history_store_contract, another_turn_under_a_taken_number_is_a_conflict) {
  auto t = turn("s1", 0);
  ASSERT_FALSE(this->store->append(t));
  auto other = t;
  other.user_text = "something else";
  auto err = this->store->append(other);
  ASSERT_TRUE(err);
  EXPECT_EQ(code_of(err), errc::conflict);
  auto turns = this->list("s1");
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0], t);
}

TYPED_TEST(history_store_contract, bad_records_are_refused_and_store_nothing) {
  auto no_tenant = turn("s1", 0);
  no_tenant.tenant.clear();
  auto no_session = turn("s1", 1);
  no_session.session_id.clear();
  auto no_user = turn("s1", 2);
  no_user.user.clear();
  auto nul = turn("s1", 3);
  nul.user_text = std::string{"nul\0inside", 10};
  auto bad_utf8 = turn("s1", 4);
  bad_utf8.reply = "broken \xC3(";
  auto bad_list = turn("s1", 5);
  bad_list.product_ids = {"p1", "\xFF"};
  for (const auto& t : {no_tenant, no_session, no_user, nul, bad_utf8, bad_list}) {
    auto err = this->store->append(t);
    ASSERT_TRUE(err) << "seq " << t.seq;
    EXPECT_EQ(code_of(err), errc::invalid_argument) << protocol::describe(err);
  }
  EXPECT_TRUE(this->list("s1").empty());
  EXPECT_TRUE(this->sessions(std::nullopt).empty());
}

TYPED_TEST(history_store_contract, tenants_never_share_sessions) {
  ASSERT_FALSE(this->store->append(turn("s1", 0, 1000, "alice", "shop-a")));
  auto b = turn("s1", 0, 2000, "bob", "shop-b");
  b.user_text = "hello from b";
  ASSERT_FALSE(this->store->append(b));   // same session id and seq, other tenant: no conflict
  auto a_turns = this->list("s1", "shop-a");
  auto b_turns = this->list("s1", "shop-b");
  ASSERT_EQ(a_turns.size(), 1u);
  ASSERT_EQ(b_turns.size(), 1u);
  EXPECT_EQ(a_turns[0].user, "alice");
  EXPECT_EQ(b_turns[0], b);
  auto listed = this->sessions(std::nullopt);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].user, "alice");
}

TYPED_TEST(history_store_contract, sessions_are_listed_most_recent_first_per_user) {
  ASSERT_FALSE(this->store->append(turn("old", 0, 1000, "alice")));
  ASSERT_FALSE(this->store->append(turn("old", 1, 1500, "alice")));
  ASSERT_FALSE(this->store->append(turn("new", 0, 5000, "alice")));
  ASSERT_FALSE(this->store->append(turn("mid", 0, 2000, "bob")));
  ASSERT_FALSE(this->store->append(turn("mid", 1, 3000, "bob")));
  ASSERT_FALSE(this->store->append(turn("mid", 2, 4000, "bob")));

  auto all = this->sessions(std::nullopt);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], (session_info{"new", "alice", 1, 5000, 5000}));
  EXPECT_EQ(all[1], (session_info{"mid", "bob", 3, 2000, 4000}));
  EXPECT_EQ(all[2], (session_info{"old", "alice", 2, 1000, 1500}));

  auto alices = this->sessions(std::string{"alice"});
  ASSERT_EQ(alices.size(), 2u);
  EXPECT_EQ(alices[0].session_id, "new");
  EXPECT_EQ(alices[1].session_id, "old");

  auto top = this->sessions(std::nullopt, 1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].session_id, "new");
  EXPECT_TRUE(this->sessions(std::string{"carol"}).empty());
}

TYPED_TEST(history_store_contract, racing_retries_of_one_turn_store_it_once_without_errors) {
  constexpr int threads = 4;
  constexpr uint64_t turns = 20;
  std::vector<std::unique_ptr<history_store>> handles;
  for (int t = 0; t < threads; ++t)
    handles.push_back(TypeParam::another(this->conninfo));
  std::vector<std::thread> pool;
  std::vector<int> failures(threads, 0);
  for (int t = 0; t < threads; ++t) {
    auto* store = handles[t] ? handles[t].get() : this->store;
    pool.emplace_back([store, t, &failures] {
      for (uint64_t seq = 0; seq < turns; ++seq)
        if (store->append(turn("race", seq)))
          ++failures[t];
    });
  }
  for (auto& th : pool)
    th.join();
  for (int t = 0; t < threads; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
  auto stored = this->list("race");
  ASSERT_EQ(stored.size(), turns);
  for (uint64_t seq = 0; seq < turns; ++seq)
    EXPECT_EQ(stored[seq], turn("race", seq));
}

}  // namespace
}  // namespace cartmate::stores
