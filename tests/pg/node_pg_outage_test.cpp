// node_pg_outage_test.cpp — a whole node with carts, orders and history in PostgreSQL, driven
// turn by turn like a replay (search, add, add, checkout, confirm, again and again) while the
// test stops PostgreSQL and starts it again. Turns during the outage must end degraded inside
// their deadline; afterwards every confirmed item and order is in the database exactly once,
// and the node serves full answers again by itself.
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include <caf/scoped_actor.hpp>
#include <nlohmann/json.hpp>
#include <gtest/gtest.h>

#include "actors/agent_factories.hpp"
#include "adapters/stores/postgres/pg_cart_store.hpp"
#include "adapters/stores/postgres/pg_history_store.hpp"
#include "config/config_loader.hpp"
#include "protocol/errors.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "runtime/node.hpp"
#include "tests/pg/pg_store_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;

config::node_config make_config(const std::string& conninfo) {
  std::vector<std::string> overrides{
    "catalog.path=" CARTMATE_SOURCE_DIR "/examples/catalog/demo_catalog.jsonl",
    "log.level=error",
    "stores.cart=postgres",
    "stores.history=postgres",
    "postgres.conninfo=" + conninfo,
    "postgres.pool_size=2",
    "postgres.connect_timeout_s=1",
    "resilience.turn_deadline_ms=1500",
    "resilience.attempt_timeout_ms=400",
    "node.agents=orchestrator,product_discovery,cart"};
  auto settings = config::load_settings("", overrides);
  EXPECT_TRUE(settings) << protocol::describe(settings.error());
  auto cfg = config::make_node_config(*settings);
  EXPECT_TRUE(cfg) << protocol::describe(cfg.error());
  return *cfg;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct turn_outcome {
  bool answered = false;   // a summary came back (degraded or not)
  protocol::turn_summary summary;
};

class node_pg_outage : public ::testing::Test {
 protected:
  pg_test_server server;
  std::unique_ptr<runtime::node> node;
  const std::string tenant = "demo";
  const std::string user = "outage-shopper";
  const std::string session = "outage-session";
  uint64_t next_turn = 1;

  void SetUp() override {
    CARTMATE_REQUIRE_PG_BINARIES();
    ASSERT_TRUE(server.setup("cartmate")) << server.last_error();
    node = std::make_unique<runtime::node>(make_config(server.conninfo()));
    auto specs = actors::make_agent_specs(*node);
    ASSERT_TRUE(specs) << protocol::describe(specs.error());
    ASSERT_FALSE(node->start(std::move(*specs)));
  }

  void TearDown() override {
    if (node)
      node->stop();
    node.reset();
  }

  turn_outcome say(const std::string& text) {
    turn_outcome out;
    auto orchestrator = node->directory().lookup(protocol::agent_kind::orchestrator, user);
    if (!orchestrator)
      return out;
    protocol::user_turn turn;
    turn.env.tenant = tenant;
    turn.env.user = user;
    turn.env.session = session;
    turn.env.turn_id = next_turn++;
    turn.env.deadline_ms = now_ms() + 1500;
    turn.text = text;
    caf::scoped_actor self{node->system()};
    self->request(*orchestrator, 2500ms, std::move(turn))
      .receive([&](protocol::turn_summary& s) { out = {true, std::move(s)}; },
               [&](caf::error&) {});
    return out;
  }

  bool intent_was(const turn_outcome& t, const std::string& intent) {
    const auto& i = t.summary.intents;
    return std::find(i.begin(), i.end(), intent) != i.end();
  }
};

TEST_F(node_pg_outage, confirmed_items_and_orders_survive_an_outage_exactly_once) {
  std::atomic<int> round{0};
  std::atomic<bool> outage_done{false};
  // Stops PostgreSQL while round 2 is under way and starts it again a little later.
  std::thread chaos{[&] {
    for (int i = 0; i < 2000 && round.load() < 2; ++i)
      std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(30ms);
    EXPECT_TRUE(server.stop()) << server.last_error();
    std::this_thread::sleep_for(1500ms);
    EXPECT_TRUE(server.start()) << server.last_error();
    outage_done = true;
  }};

  int add_turns = 0, confirmed_adds = 0, degraded_turns = 0;
  std::set<std::string> confirmed_orders;
  const std::vector<std::string> script{"show me kurtas", "add the first one", "add the second one",
                                        "checkout", "yes"};
  for (int r = 0; r < 12 && (r < 6 || !outage_done.load()); ++r) {
    round = r;
    for (const auto& text : script) {
      auto t = say(text);
      ASSERT_TRUE(t.answered) << "turn '" << text << "' of round " << r
                              << " had no summary: the node must answer within the deadline";
      degraded_turns += t.summary.degraded ? 1 : 0;
      if (text.rfind("add", 0) == 0) {
        ++add_turns;
        if (!t.summary.degraded && intent_was(t, "add_to_cart"))
          ++confirmed_adds;
      }
      if (!t.summary.order_id.empty())
        confirmed_orders.insert(t.summary.order_id);
    }
  }
  chaos.join();
  EXPECT_GT(degraded_turns, 0) << "the outage should have degraded some turns";

  // Back to full answers by itself.
  turn_outcome after;
  for (int i = 0; i < 100; ++i) {
    after = say("show my cart");
    if (after.answered && !after.summary.degraded)
      break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(after.answered);
  EXPECT_FALSE(after.summary.degraded) << "still degraded after PostgreSQL came back";

  // What the database holds: every confirmed order once, and every confirmed unit once.
  stores::pg::pg_cart_store store{quick_options(server.conninfo()), 1};
  stores::user_key who{tenant, user};
  auto orders = store.list_orders(who);
  ASSERT_TRUE(orders) << protocol::describe(orders.error());
  auto cart = store.get_cart(who);
  ASSERT_TRUE(cart) << protocol::describe(cart.error());
  std::map<std::string, int> order_count;
  int units = 0;
  for (const auto& o : *orders) {
    ++order_count[o.order_id];
    for (const auto& line : o.lines)
      units += line.quantity;
  }
  for (const auto& line : cart->lines)
    units += line.quantity;
  for (const auto& [id, n] : order_count)
    EXPECT_EQ(n, 1) << "order " << id << " stored " << n << " times";
  for (const auto& id : confirmed_orders)
    EXPECT_EQ(order_count.count(id), 1u) << "confirmed order " << id << " is missing";
  EXPECT_GE(units, confirmed_adds) << "a confirmed item was lost";
  EXPECT_LE(units, add_turns) << "an item was added twice";
  EXPECT_GE(confirmed_orders.size(), 2u) << "orders before and after the outage";

  // History kept every turn the database could take, in order and without gaps in seq order.
  stores::pg::pg_history_store history{quick_options(server.conninfo())};
  auto turns = history.list(tenant, session);
  ASSERT_TRUE(turns) << protocol::describe(turns.error());
  EXPECT_FALSE(turns->empty());
  for (size_t i = 1; i < turns->size(); ++i)
    EXPECT_LT((*turns)[i - 1].seq, (*turns)[i].seq);
}

}  // namespace
}  // namespace cartmate::testing
