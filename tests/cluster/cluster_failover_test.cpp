// cluster_failover_test.cpp — shop-1 (cart, price_comparison, alerts; carts and orders in a real
// PostgreSQL) is SIGKILLed in the middle of a shopping conversation on gateway-1: the gateway
// lives on, every turn still ends, every order the shopper saw placed is stored exactly once,
// and shop-1 restarted on the same cluster port serves carts again.
// Threading: the test thread drives child processes, a WebSocket client and libpqxx.
#include <map>
#include <regex>
#include <set>

#include <pqxx/pqxx>

#include "tests/cluster/cluster_fixture.hpp"
#include "tests/pg/pg_test_server.hpp"

namespace cartmate::testing {
namespace {

const std::vector<std::string> shop_kinds{"cart", "price_comparison", "alerts"};

/// The order id in an "order placed" answer ("Your order ord-00000001 is placed: ...").
std::optional<std::string> placed_order_id(const turn_frames& t) {
  static const std::regex placed{R"(Your order (ord-[0-9]+) is placed)"};
  std::smatch m;
  auto text = t.text();
  if (std::regex_search(text, m, placed))
    return m[1].str();
  return std::nullopt;
}

/// Orders of one shopper in PostgreSQL: order id -> rows with that id.
std::map<std::string, int> stored_orders(const std::string& conninfo, const std::string& tenant,
                                         const std::string& user) {
  pqxx::connection conn{conninfo};
  pqxx::read_transaction tx{conn};
  std::map<std::string, int> out;
  for (const auto& row : tx.exec_params(
         "SELECT order_id, count(*) FROM orders WHERE tenant = $1 AND user_id = $2 GROUP BY order_id",
         tenant, user))
    out[row[0].as<std::string>()] = row[1].as<int>();
  return out;
}

class cluster_failover_test : public cluster_fixture {
 protected:
  /// Searches, adds the first result, checks out and confirms when asked. Every turn must end
  /// (its final frame is asserted); placed orders are recorded. With `kill_after_confirm`, the
  /// confirm frame is sent and shop-1 SIGKILLed before its answer is read.
  void shopping_round(ws_client& ws, cartmate_node& shop, bool kill_after_confirm = false) {
    auto search = say(ws, "show me backpacks");
    ASSERT_TRUE(search.final) << "search turn never ended: " << ws.end_reason() << "\n"
                              << search.describe();
    auto add = say(ws, "add the first one to my cart");
    ASSERT_TRUE(add.final) << "add turn never ended: " << ws.end_reason() << "\n" << add.describe();
    auto checkout = say(ws, "checkout");
    ASSERT_TRUE(checkout.final) << "checkout turn never ended: " << ws.end_reason() << "\n"
                                << checkout.describe();
    if (!checkout.final->value("confirmation_asked", false)) {
      ASSERT_FALSE(kill_after_confirm) << "no confirmation was asked before the kill:\n"
                                       << add.describe() << checkout.describe();
      return;
    }
    ws.send(json{{"type", "confirm"}});
    ++confirms_sent_;
    if (kill_after_confirm)
      shop.kill_hard();
    turn_frames confirm;
    confirm.final = ws.next_of_type("final", &confirm.frames);
    ASSERT_TRUE(confirm.final) << "confirm turn never ended: " << ws.end_reason() << "\n"
                               << confirm.describe();
    if (auto id = placed_order_id(confirm))
      confirmed_.push_back(*id);
    else if (!kill_after_confirm)
      ADD_FAILURE() << "a confirmed checkout placed no order:\n" << confirm.describe();
  }

  std::vector<std::string> confirmed_;   // order ids the client was told were placed
  int confirms_sent_ = 0;
};

TEST_F(cluster_failover_test, agents_node_killed_mid_conversation_loses_no_order_and_comes_back) {
  if (pg_test_server::find_bin_dir().empty())
    GTEST_SKIP() << pg_test_server::missing_binaries_message();
  std::string why;
  const auto conninfo = fresh_database(&why);
  ASSERT_FALSE(conninfo.empty()) << "cannot provide a PostgreSQL database: " << why;

  auto* shop = start_node("shop-1", "examples/cluster/shop.json", {},
                          {"stores.cart=postgres", "postgres.conninfo=" + conninfo});
  ASSERT_TRUE(shop);
  auto* catalog = start_node("catalog-1", "examples/cluster/catalog.json", {shop->cluster_address()});
  ASSERT_TRUE(catalog);
  auto* gateway = start_node("gateway-1", "examples/cluster/gateway.json",
                             {shop->cluster_address(), catalog->cluster_address()});
  ASSERT_TRUE(gateway);
  ASSERT_TRUE(wait_all_available(*gateway, 30s)) << last_status_;

  ws_client ws{gateway->http_port()};
  ASSERT_TRUE(ws.connected());
  ws.send(json{{"type", "hello"}});
  auto welcome = ws.next_of_type("welcome");
  ASSERT_TRUE(welcome) << ws.end_reason();
  const auto tenant = welcome->value("tenant", "");
  const auto user = welcome->value("user", "");

  // Two full rounds with every node up: both orders placed.
  for (int round = 0; round < 2; ++round)
    ASSERT_NO_FATAL_FAILURE(shopping_round(ws, *shop)) << "round " << round;
  ASSERT_EQ(confirmed_.size(), 2u) << "orders placed while every node was up";

  // The kill lands while the order is being placed.
  ASSERT_NO_FATAL_FAILURE(shopping_round(ws, *shop, /*kill_after_confirm=*/true));
  ASSERT_FALSE(shop->running());

  ASSERT_TRUE(wait_for_status(gateway->http_port(), 15s, [](const json& s) {
    return peer_state(s, "shop-1") != "up";
  })) << "gateway-1 still sees shop-1 up after its SIGKILL:\n" << last_status_;

  // `cartmate status` reports the loss: shop-1 down, its agents unavailable, the others not.
  auto status = status_via_cli(*gateway, "status-after-kill");
  ASSERT_TRUE(status);
  EXPECT_EQ(peer_state(*status, "shop-1"), "down") << status->dump(2);
  EXPECT_EQ(peer_state(*status, "catalog-1"), "up") << status->dump(2);
  for (auto& kind : shop_kinds)
    EXPECT_EQ(availability(*status, kind), "unavailable") << kind << "\n" << status->dump(2);
  EXPECT_EQ(availability(*status, "product_discovery"), "available") << status->dump(2);

  // Turns while shop-1 is away: each ends; a cart turn degrades and says so.
  auto search = say(ws, "show me backpacks");
  ASSERT_TRUE(search.final) << ws.end_reason() << "\n" << search.describe();
  // It may degrade (dropping the checkout left pending by the kill needs the cart agent), but
  // the results come from catalog-1, which is up.
  EXPECT_TRUE(search.last_of("products")) << "search needs only catalog-1:\n" << search.describe();
  // The killed confirm may have committed its order: the dropped checkout must not deny it.
  EXPECT_EQ(search.text().find("no order was placed"), std::string::npos) << search.describe();
  auto add = say(ws, "add the first one to my cart");
  ASSERT_TRUE(add.final) << ws.end_reason() << "\n" << add.describe();
  EXPECT_TRUE(add.degraded()) << "a cart turn without the cart agent was not degraded:\n"
                              << add.describe();
  EXPECT_FALSE(add.text().empty());
  auto view = say(ws, "show my cart");
  ASSERT_TRUE(view.final) << ws.end_reason() << "\n" << view.describe();
  EXPECT_TRUE(view.degraded()) << view.describe();

  EXPECT_TRUE(gateway->running()) << "gateway-1 died with shop-1";
  EXPECT_EQ(http_request(gateway->http_port(), "/healthz").status, 200);

  // shop-1 back on its cluster port: re-attached without touching the others.
  const uint16_t shop_port = shop->cluster_port();
  ASSERT_TRUE(shop->start(shop_port, start_limit)) << shop->why();
  ASSERT_EQ(shop->cluster_port(), shop_port);

  bool served = false;
  turn_frames last;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    last = say(ws, "add the first one to my cart");
    ASSERT_TRUE(last.final) << ws.end_reason() << "\n" << last.describe();
    served = !last.degraded() && last.last_of("cart").has_value();
    if (!served)
      std::this_thread::sleep_for(500ms);
  }
  ASSERT_TRUE(served) << "no full cart answer within 30 s of shop-1's restart; last turn:\n"
                      << last.describe();
  auto after = status_via_cli(*gateway, "status-after-restart");
  ASSERT_TRUE(after);
  EXPECT_EQ(peer_state(*after, "shop-1"), "up") << after->dump(2);
  for (auto& kind : shop_kinds)
    EXPECT_EQ(availability(*after, kind), "available") << kind << "\n" << after->dump(2);

  // And checkout works again end to end.
  auto checkout = say(ws, "checkout");
  ASSERT_TRUE(checkout.final) << checkout.describe();
  ASSERT_TRUE(checkout.final->value("confirmation_asked", false)) << checkout.describe();
  ws.send(json{{"type", "confirm"}});
  ++confirms_sent_;
  turn_frames confirm;
  confirm.final = ws.next_of_type("final", &confirm.frames);
  ASSERT_TRUE(confirm.final) << ws.end_reason();
  auto id = placed_order_id(confirm);
  ASSERT_TRUE(id) << confirm.describe();
  confirmed_.push_back(*id);

  // Every order the shopper was told about is stored exactly once; no confirm made two.
  auto orders = stored_orders(conninfo, tenant, user);
  for (auto& order_id : confirmed_) {
    auto stored = orders.find(order_id);
    EXPECT_EQ(stored == orders.end() ? 0 : stored->second, 1)
      << order_id << " was confirmed to the client; stored orders: " << orders.size();
  }
  EXPECT_LE(orders.size(), static_cast<size_t>(confirms_sent_));
  EXPECT_EQ(std::set<std::string>(confirmed_.begin(), confirmed_.end()).size(), confirmed_.size())
    << "the same order was announced twice";
  EXPECT_TRUE(gateway->running());
}

}  // namespace
}  // namespace cartmate::testing
