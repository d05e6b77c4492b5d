// alert_outbox_store_contract_test.cpp — one behavioural suite for every alert store + outbox
// pair: idempotent create, tenants, delete, what is watched, firing with its outbox row in one
// step (once, also under racing triggers), pending until acknowledged and across a restart;
// instantiated for memory and PostgreSQL. PostgreSQL alone also shows that a failing outbox
// insert rolls back the trigger.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "adapters/stores/memory_alert_store.hpp"
#include "adapters/stores/memory_outbox_store.hpp"
#include "adapters/stores/postgres/pg_alert_store.hpp"
#include "adapters/stores/postgres/pg_outbox_store.hpp"
#include "protocol/errors.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::stores {
namespace {

using protocol::alert_condition;
using protocol::errc;

/// An alert store and the outbox it fires into; reopen() is what a process restart sees.
struct store_pair {
  std::shared_ptr<alert_store> alerts;
  std::shared_ptr<outbox_store> outbox;
};

struct memory_backend {
  std::shared_ptr<memory_outbox_store> outbox = std::make_shared<memory_outbox_store>();
  std::shared_ptr<memory_alert_store> alerts = std::make_shared<memory_alert_store>(outbox);

  bool open() { return true; }
  // Memory stores outlive an agent's restart (a node keeps them), not a process's.
  store_pair reopen() { return {alerts, outbox}; }
};

struct postgres_backend {
  std::string conninfo;

  bool open() {
    conninfo = testing::migrated_database();
    return !conninfo.empty();
  }
  store_pair reopen() {
    auto opts = testing::quick_options(conninfo);
    return {std::make_shared<pg::pg_alert_store>(opts), std::make_shared<pg::pg_outbox_store>(opts)};
  }
};

alert_spec spec(const std::string& product, alert_condition c, int64_t threshold,
                int64_t reference = 200000) {
  alert_spec s;
  s.product_id = product;
  s.product_title = "Title of " + product;
  s.condition = c;
  s.threshold = threshold;
  s.reference_price_minor = reference;
  s.created_ms = 1000;
  return s;
}

protocol::notification_event note(const std::string& id, const std::string& user,
                                  const std::string& product = "kurta") {
  protocol::notification_event n;
  n.notification_id = id;
  n.user = user;
  n.product_id = product;
  n.text = "Price alert: " + product;
  n.created_ms = 5000;
  return n;
}

template <class Backend>
struct alert_outbox_contract : ::testing::Test {
  Backend backend;
  std::shared_ptr<alert_store> alerts;
  std::shared_ptr<outbox_store> outbox;
  user_key alice{"shop-a", "alice"};
  user_key bob{"shop-a", "bob"};
  user_key alice_b{"shop-b", "alice"};

  void SetUp() override {
    if constexpr (std::is_same_v<Backend, postgres_backend>)
      CARTMATE_REQUIRE_PG_BINARIES();
    ASSERT_TRUE(backend.open());
    auto p = backend.reopen();
    alerts = p.alerts;
    outbox = p.outbox;
  }

  protocol::alert make(const user_key& who, const std::string& key, const alert_spec& s) {
    auto a = alerts->create(who, key, s);
    EXPECT_TRUE(a) << protocol::describe(a.error());
    return a ? *a : protocol::alert{};
  }

  std::vector<protocol::alert> list(const user_key& who) {
    auto l = alerts->list(who);
    EXPECT_TRUE(l) << protocol::describe(l.error());
    return l ? *l : std::vector<protocol::alert>{};
  }

  std::vector<protocol::notification_event> pending(const user_key& who,
                                                    outbox_store* from = nullptr) {
    auto p = (from ? from : outbox.get())->pending(who);
    EXPECT_TRUE(p) << protocol::describe(p.error());
    return p ? *p : std::vector<protocol::notification_event>{};
  }
};

using backends = ::testing::Types<memory_backend, postgres_backend>;

struct backend_names {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, memory_backend> ? "memory" : "postgres";
  }
};

TYPED_TEST_SUITE(alert_outbox_contract, backends, backend_names);

TYPED_TEST(alert_outbox_contract, create_stores_the_alert_once_per_key) {
  auto s = spec("kurta", alert_condition::drop_percent, 10);
  auto first = this->make(this->alice, "k1", s);
  EXPECT_EQ(first.alert_id.rfind("alr-", 0), 0u);
  EXPECT_EQ(first.user, "alice");
  EXPECT_EQ(first.product_id, "kurta");
  EXPECT_EQ(first.condition, alert_condition::drop_percent);
  EXPECT_EQ(first.threshold, 10);
  EXPECT_EQ(first.reference_price_minor, 200000);
  EXPECT_EQ(first.created_ms, 1000);
  EXPECT_TRUE(first.active);
  auto retried = s;
  retried.reference_price_minor = 1;   // the catalog moved meanwhile: still the same request
  auto again = this->make(this->alice, "k1", retried);
  EXPECT_EQ(again.alert_id, first.alert_id);
  EXPECT_EQ(again.reference_price_minor, 200000);
  EXPECT_EQ(this->list(this->alice).size(), 1u);

  auto found = this->alerts->find_created(this->alice, "k1", s);
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->alert_id, first.alert_id);
  auto unused = this->alerts->find_created(this->alice, "k2", s);
  ASSERT_TRUE(unused);
  EXPECT_FALSE(unused->has_value());

  auto other = this->alerts->create(this->alice, "k1", spec("kurta", alert_condition::drop_percent, 20));
  ASSERT_FALSE(other);
  EXPECT_EQ(protocol::errc_of(other.error()), errc::conflict);
  auto other_find = this->alerts->find_created(this->alice, "k1", spec("shoes", alert_condition::drop_percent, 10));
  ASSERT_FALSE(other_find);
  EXPECT_EQ(protocol::errc_of(other_find.error()), errc::conflict);
  auto keyless = this->alerts->create(this->alice, "", s);
  ASSERT_FALSE(keyless);
  EXPECT_EQ(protocol::errc_of(keyless.error()), errc::invalid_argument);
}

TYPED_TEST(alert_outbox_contract, lists_are_per_tenant_and_user_oldest_first) {
  auto a1 = this->make(this->alice, "k1", spec("kurta", alert_condition::price_below, 150000));
  auto b1 = this->make(this->bob, "k1", spec("kurta", alert_condition::price_below, 150000));
  auto a2 = this->make(this->alice, "k2", spec("shoes", alert_condition::back_in_stock, 0));
  auto ab = this->make(this->alice_b, "k1", spec("kurta", alert_condition::price_below, 150000));
  EXPECT_NE(a1.alert_id, b1.alert_id);
  EXPECT_NE(a1.alert_id, ab.alert_id);   // same key in another tenant: another alert
  auto mine = this->list(this->alice);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].alert_id, a1.alert_id);
  EXPECT_EQ(mine[1].alert_id, a2.alert_id);
  EXPECT_EQ(this->list(this->bob).size(), 1u);
  EXPECT_EQ(this->list(this->alice_b).size(), 1u);
  EXPECT_TRUE(this->list(user_key{"shop-c", "alice"}).empty());
}

TYPED_TEST(alert_outbox_contract, deleted_alerts_are_gone_from_lists_and_watches) {
  auto a = this->make(this->alice, "k1", spec("kurta", alert_condition::price_below, 150000));
  auto b = this->make(this->bob, "k1", spec("shoes", alert_condition::price_below, 150000));
  auto foreign = this->alerts->remove(this->bob, a.alert_id);
  EXPECT_EQ(protocol::errc_of(foreign), errc::not_found);
  EXPECT_EQ(protocol::errc_of(this->alerts->remove(this->alice_b, a.alert_id)), errc::not_found);
  EXPECT_FALSE(this->alerts->remove(this->alice, a.alert_id));
  EXPECT_FALSE(this->alerts->remove(this->alice, a.alert_id));   // again: fine
  EXPECT_EQ(protocol::errc_of(this->alerts->remove(this->alice, "alr-99999999")), errc::not_found);
  EXPECT_TRUE(this->list(this->alice).empty());
  auto watching = this->alerts->watching("kurta");
  ASSERT_TRUE(watching);
  EXPECT_TRUE(watching->empty());
  auto products = this->alerts->watched_products();
  ASSERT_TRUE(products);
  EXPECT_EQ(*products, std::vector<std::string>{"shoes"});
  auto fired = this->alerts->fire("shop-a", a.alert_id, note(a.alert_id + ":e1", "alice"));
  ASSERT_TRUE(fired);
  EXPECT_FALSE(*fired);
  EXPECT_TRUE(this->pending(this->alice).empty());
  (void) b;
}

TYPED_TEST(alert_outbox_contract, watching_lists_active_alerts_of_every_tenant) {
  auto a = this->make(this->alice, "k1", spec("kurta", alert_condition::price_below, 150000));
  auto ab = this->make(this->alice_b, "k1", spec("kurta", alert_condition::drop_percent, 15));
  this->make(this->bob, "k1", spec("shoes", alert_condition::back_in_stock, 0));
  auto watching = this->alerts->watching("kurta");
  ASSERT_TRUE(watching) << protocol::describe(watching.error());
  ASSERT_EQ(watching->size(), 2u);
  EXPECT_EQ((*watching)[0].tenant, "shop-a");
  EXPECT_EQ((*watching)[0].alert.alert_id, a.alert_id);
  EXPECT_EQ((*watching)[0].product_title, "Title of kurta");
  EXPECT_EQ((*watching)[1].tenant, "shop-b");
  EXPECT_EQ((*watching)[1].alert.alert_id, ab.alert_id);
  EXPECT_EQ((*watching)[1].alert.condition, alert_condition::drop_percent);
  auto products = this->alerts->watched_products();
  ASSERT_TRUE(products);
  EXPECT_EQ(*products, (std::vector<std::string>{"kurta", "shoes"}));
}

TYPED_TEST(alert_outbox_contract, firing_marks_the_alert_and_writes_the_outbox_once) {
  auto a = this->make(this->alice, "k1", spec("kurta", alert_condition::price_below, 150000));
  auto id = a.alert_id + ":e1";
  auto wrong_tenant = this->alerts->fire("shop-b", a.alert_id, note(id, "alice"));
  ASSERT_TRUE(wrong_tenant);
  EXPECT_FALSE(*wrong_tenant);
  auto fired = this->alerts->fire("shop-a", a.alert_id, note(id, "alice"));
  ASSERT_TRUE(fired) << protocol::describe(fired.error());
  EXPECT_TRUE(*fired);
  auto listed = this->list(this->alice);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].active);
  auto watching = this->alerts->watching("kurta");
  ASSERT_TRUE(watching);
  EXPECT_TRUE(watching->empty());
  auto waiting = this->pending(this->alice);
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].notification_id, id);
  EXPECT_EQ(waiting[0].user, "alice");
  EXPECT_EQ(waiting[0].product_id, "kurta");
  EXPECT_EQ(waiting[0].text, "Price alert: kurta");
  EXPECT_EQ(waiting[0].created_ms, 5000);
  // The same trigger again, or another event for the fired alert: nothing more.
  auto again = this->alerts->fire("shop-a", a.alert_id, note(id, "alice"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto later = this->alerts->fire("shop-a", a.alert_id, note(a.alert_id + ":e2", "alice"));
  ASSERT_TRUE(later);
  EXPECT_FALSE(*later);
  EXPECT_EQ(this->pending(this->alice).size(), 1u);
  EXPECT_TRUE(this->pending(this->bob).empty());
  EXPECT_TRUE(this->pending(this->alice_b).empty());
}

TYPED_TEST(alert_outbox_contract, racing_triggers_fire_an_alert_once) {
  auto a = this->make(this->alice, "k1", spec("kurta", alert_condition::price_below, 150000));
  constexpr int racers = 6;
  std::atomic<int> wins{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  // PostgreSQL: a store (so a connection) per racer, as on separate nodes.
  std::vector<store_pair> pairs;
  for (int i = 0; i < racers; ++i)
    pairs.push_back(this->backend.reopen());
  for (int i = 0; i < racers; ++i)
    threads.emplace_back([&, i] {
      auto fired = pairs[i].alerts->fire("shop-a", a.alert_id,
                                     note(a.alert_id + ":e" + std::to_string(i), "alice"));
      if (!fired)
        ++failures;
      else if (*fired)
        ++wins;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(this->pending(this->alice).size(), 1u);
}

TYPED_TEST(alert_outbox_contract, pending_until_acknowledged_and_across_a_restart) {
  auto a1 = this->make(this->alice, "k1", spec("kurta", alert_condition::price_below, 150000));
  auto a2 = this->make(this->alice, "k2", spec("shoes", alert_condition::back_in_stock, 0));
  ASSERT_TRUE(this->alerts->fire("shop-a", a1.alert_id, note(a1.alert_id + ":e", "alice")));
  ASSERT_TRUE(this->alerts->fire("shop-a", a2.alert_id, note(a2.alert_id + ":e", "alice", "shoes")));
  // Published, never acknowledged, then the process restarted: still pending, in order.
  auto restarted = this->backend.reopen();
  auto waiting = this->pending(this->alice, restarted.outbox.get());
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0].notification_id, a1.alert_id + ":e");
  EXPECT_EQ(waiting[1].notification_id, a2.alert_id + ":e");

  auto& out = *restarted.outbox;
  EXPECT_EQ(protocol::errc_of(out.acknowledge(this->bob, a1.alert_id + ":e")), errc::not_found);
  EXPECT_EQ(protocol::errc_of(out.acknowledge(this->alice_b, a1.alert_id + ":e")),
            errc::not_found);
  EXPECT_EQ(protocol::errc_of(out.acknowledge(this->alice, "nothing")), errc::not_found);
  EXPECT_FALSE(out.acknowledge(this->alice, a1.alert_id + ":e"));
  EXPECT_FALSE(out.acknowledge(this->alice, a1.alert_id + ":e"));   // a retried ack
  waiting = this->pending(this->alice);
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].notification_id, a2.alert_id + ":e");
  EXPECT_FALSE(this->outbox->acknowledge(this->alice, a2.alert_id + ":e"));
  EXPECT_TRUE(this->pending(this->alice).empty());
  EXPECT_TRUE(this->pending(this->alice, this->backend.reopen().outbox.get()).empty());
}

/// A failing outbox insert must leave the alert active: the trigger and its row are one step.
TEST(pg_alert_store, a_failed_outbox_insert_rolls_back_the_trigger) {
  CARTMATE_REQUIRE_PG_BINARIES();
  auto conninfo = testing::migrated_database();
  ASSERT_FALSE(conninfo.empty());
  {
    pqxx::connection c{conninfo};
    pqxx::work tx{c};
    tx.exec("ALTER TABLE notification_outbox ADD CONSTRAINT test_refuses_boom"
            " CHECK (text <> 'boom')");
    tx.commit();
  }
  pg::pg_alert_store alerts{testing::quick_options(conninfo)};
  pg::pg_outbox_store outbox{testing::quick_options(conninfo)};
  user_key alice{"shop-a", "alice"};
  auto a = alerts.create(alice, "k1", spec("kurta", alert_condition::price_below, 150000));
  ASSERT_TRUE(a) << protocol::describe(a.error());
  auto bad = note(a->alert_id + ":e1", "alice");
  bad.text = "boom";
  auto fired = alerts.fire("shop-a", a->alert_id, bad);
  ASSERT_FALSE(fired);
  auto listed = alerts.list(alice);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE((*listed)[0].active);   // not marked fired without its notification
  auto waiting = outbox.pending(alice);
  ASSERT_TRUE(waiting);
  EXPECT_TRUE(waiting->empty());
  // The next trigger fires it, with its row.
  auto good = alerts.fire("shop-a", a->alert_id, note(a->alert_id + ":e2", "alice"));
  ASSERT_TRUE(good) << protocol::describe(good.error());
  EXPECT_TRUE(*good);
  waiting = outbox.pending(alice);
  ASSERT_TRUE(waiting);
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ((*waiting)[0].notification_id, a->alert_id + ":e2");
}

}  // namespace
}  // namespace cartmate::stores
