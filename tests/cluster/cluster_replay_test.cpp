// cluster_replay_test.cpp — three nodes (gateway-1, catalog-1, shop-1) as separate processes:
// the replay scripts pass from an agentless client node, and `cartmate status` names the nodes.
// Threading: the test thread drives child processes only.
#include <regex>

#include "tests/cluster/cluster_fixture.hpp"

namespace cartmate::testing {
namespace {

/// Sum of every sample of `metric` in Prometheus text (labels or not).
double metric_sum(const std::string& text, const std::string& metric) {
  const std::regex line{"(^|\n)" + metric + R"((\{[^}\n]*\})? ([0-9.eE+-]+))"};
  double sum = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator();
       ++it)
    sum += std::stod((*it)[3].str());
  return sum;
}

class cluster_replay_test : public cluster_fixture {
 protected:
  /// shop-1 first with no seeds, catalog-1 seeded on it, gateway-1 on both; all agents seen.
  bool start_three_nodes() {
    shop_ = start_node("shop-1", "examples/cluster/shop.json", {});
    if (!shop_)
      return false;
    catalog_ = start_node("catalog-1", "examples/cluster/catalog.json", {shop_->cluster_address()});
    if (!catalog_)
      return false;
    gateway_ = start_node("gateway-1", "examples/cluster/gateway.json",
                          {shop_->cluster_address(), catalog_->cluster_address()});
    if (!gateway_)
      return false;
    if (!wait_all_available(*gateway_, 30s)) {
      ADD_FAILURE() << "the gateway never saw every agent kind available; last /cluster:\n"
                    << last_status_;
      return false;
    }
    return true;
  }

  cartmate_node* shop_ = nullptr;
  cartmate_node* catalog_ = nullptr;
  cartmate_node* gateway_ = nullptr;
};

TEST_F(cluster_replay_test, every_replay_script_passes_from_an_agentless_client_node) {
  ASSERT_TRUE(start_three_nodes());
  const double turns_before = metric_sum(http_request(gateway_->http_port(), "/metrics").body,
                                         "cartmate_turns_total");

  auto r = run_cartmate({"replay", "--config", "examples/cluster/client.json",
                         "--cluster.seeds=" + gateway_->cluster_address(), "--quiet",
                         "examples/conversations"},
                        "replay", 300s);
  ASSERT_FALSE(r.timed_out) << "the replay did not finish within 300 s";
  EXPECT_EQ(r.exit_code, 0) << r.out << "\n" << r.err;
  EXPECT_NE(r.out.find("conversation(s) passed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;

  // The client hosts nothing: the turns ran on gateway-1's orchestrator.
  const double turns_after = metric_sum(http_request(gateway_->http_port(), "/metrics").body,
                                        "cartmate_turns_total");
  EXPECT_GT(turns_after, turns_before) << "gateway-1 counted no turns: the replay did not use it";
  EXPECT_TRUE(gateway_->running()) << "gateway-1 died during the replay";
  EXPECT_TRUE(shop_->running()) << "shop-1 died during the replay";
  EXPECT_TRUE(catalog_->running()) << "catalog-1 died during the replay";
}

TEST_F(cluster_replay_test, status_names_the_three_nodes_and_where_each_agent_runs) {
  ASSERT_TRUE(start_three_nodes());

  auto text = run_cartmate({"status", "--peer=" + gateway_->cluster_address()}, "status", 30s);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  for (auto* name : {"gateway-1", "catalog-1", "shop-1"})
    EXPECT_NE(text.out.find(name), std::string::npos) << name << " missing from:\n" << text.out;

  auto status = status_via_cli(*gateway_, "status-json");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->value("node", ""), "gateway-1");
  for (auto* peer : {"catalog-1", "shop-1"}) {
    auto p = peer_entry(*status, peer);
    ASSERT_TRUE(p.is_object()) << peer << " is not a peer of gateway-1:\n" << status->dump(2);
    EXPECT_EQ(p.value("state", ""), "up") << p.dump();
  }
  const std::pair<const char*, const char*> where[] = {
    {"orchestrator", "gateway-1"},      {"product_discovery", "catalog-1"},
    {"style_profiler", "catalog-1"},    {"cart", "shop-1"},
    {"price_comparison", "shop-1"},     {"alerts", "shop-1"},
  };
  for (auto [kind, node] : where) {
    EXPECT_EQ(availability(*status, kind), "available") << kind << "\n" << status->dump(2);
    auto e = directory_entry(*status, kind);
    if (e.is_object()) {
      EXPECT_EQ(e.value("nodes", json::array()), json::array({node})) << e.dump();
    }
  }

  // Another member sees the same cluster.
  auto from_shop = status_via_cli(*shop_, "status-shop");
  ASSERT_TRUE(from_shop);
  EXPECT_EQ(peer_state(*from_shop, "gateway-1"), "up") << from_shop->dump(2);
  EXPECT_EQ(peer_state(*from_shop, "catalog-1"), "up") << from_shop->dump(2);

  // Nobody at an address: an error, not a hang or a crash.
  gateway_->kill_hard();
  auto gone = run_cartmate({"status", "--peer=" + gateway_->cluster_address()}, "status-gone", 30s);
  EXPECT_FALSE(gone.timed_out);
  EXPECT_EQ(gone.exit_code, 1) << gone.out << gone.err;
}

}  // namespace
}  // namespace cartmate::testing
