// cluster_resume_test.cpp — two gateways, each with its own orchestrator, sharing session
// context in a real redis-server, plus one node with every other agent: a shopper searches on
// gateway A, then resumes the session on gateway B and refers to A's results ("the second one").
// Threading: the test thread drives child processes and WebSocket clients.
#include "tests/cluster/cluster_fixture.hpp"
#include "tests/redis/redis_test_server.hpp"

namespace cartmate::testing {
namespace {

class cluster_resume_test : public cluster_fixture, public ::testing::WithParamInterface<bool> {
 protected:
  /// agents-1 (everything but the orchestrator), then gateway-a and gateway-b (orchestrator,
  /// session context in Redis); true once gateway-b sees every kind.
  bool start_nodes(uint16_t redis_port) {
    const std::vector<std::string> shared{"stores.session_context=redis",
                                          "redis.port=" + std::to_string(redis_port),
                                          "redis.key_prefix=" + unique_prefix()};
    agents_ = start_node("agents-1", "examples/cluster/shop.json", {},
                         {"node.agents=product_discovery,style_profiler,cart,price_comparison,alerts"});
    if (!agents_)
      return false;
    gateway_a_ = start_node("gateway-a", "examples/cluster/gateway.json",
                            {agents_->cluster_address()}, shared);
    if (!gateway_a_)
      return false;
    gateway_b_ = start_node("gateway-b", "examples/cluster/gateway.json",
                            {agents_->cluster_address(), gateway_a_->cluster_address()}, shared);
    if (!gateway_b_)
      return false;
    for (auto* gw : {gateway_a_, gateway_b_})
      if (!wait_all_available(*gw, 30s)) {
        ADD_FAILURE() << gw->name() << " never saw every agent kind; last /cluster:\n"
                      << last_status_;
        return false;
      }
    return true;
  }

  cartmate_node* agents_ = nullptr;
  cartmate_node* gateway_a_ = nullptr;
  cartmate_node* gateway_b_ = nullptr;
};

// false: the shopper just disconnects from A; true: gateway A is SIGKILLed after the
// disconnect, so only B's orchestrator and the shared context are left.
TEST_P(cluster_resume_test, session_started_on_one_gateway_resumes_on_the_other) {
  const bool kill_gateway_a = GetParam();
  if (redis_test_server::find_binary().empty())
    GTEST_SKIP() << redis_test_server::missing_binary_message();
  std::string why;
  auto* redis = shared_redis_server(&why);
  ASSERT_NE(redis, nullptr) << why;
  ASSERT_TRUE(start_nodes(redis->port()));

  std::string session_id;
  std::string user;
  std::string second_id;
  std::string second_title;
  {
    ws_client a{gateway_a_->http_port()};
    ASSERT_TRUE(a.connected());
    a.send(json{{"type", "hello"}});
    auto welcome = a.next_of_type("welcome");
    ASSERT_TRUE(welcome) << a.end_reason();
    session_id = welcome->value("session_id", "");
    user = welcome->value("user", "");
    ASSERT_FALSE(session_id.empty()) << welcome->dump();

    auto search = say(a, "show me backpacks");
    ASSERT_TRUE(search.final) << a.end_reason() << "\n" << search.describe();
    ASSERT_FALSE(search.degraded()) << search.describe();
    auto products = search.last_of("products");
    ASSERT_TRUE(products) << search.describe();
    auto list = products->value("products", json::array());
    ASSERT_GE(list.size(), 2u) << search.describe();
    second_id = list[1].value("id", "");
    second_title = list[1].value("title", "");
    ASSERT_FALSE(second_id.empty());
    ASSERT_NE(list[0].value("id", ""), second_id);
  }   // the client disconnects from gateway A
  if (kill_gateway_a) {
    gateway_a_->kill_hard();
    ASSERT_TRUE(wait_for_status(gateway_b_->http_port(), 15s, [](const json& s) {
      return all_available(s, all_agent_kinds) && peer_state(s, "gateway-a") != "up";
    })) << "gateway-b still counts on gateway-a:\n" << last_status_;
  }

  ws_client b{gateway_b_->http_port()};
  ASSERT_TRUE(b.connected());
  b.send(json{{"type", "hello"}, {"session_id", session_id}});
  auto welcome = b.next_of_type("welcome");
  ASSERT_TRUE(welcome) << b.end_reason();
  EXPECT_TRUE(welcome->value("resumed", false)) << welcome->dump();
  EXPECT_EQ(welcome->value("session_id", ""), session_id) << welcome->dump();
  EXPECT_EQ(welcome->value("user", ""), user) << welcome->dump();

  auto add = say(b, "add the second one to my cart");
  ASSERT_TRUE(add.final) << b.end_reason() << "\n" << add.describe();
  EXPECT_FALSE(add.degraded()) << add.describe();
  auto cart = add.last_of("cart");
  ASSERT_TRUE(cart) << "no cart frame: the reference to gateway A's results was lost\n"
                    << add.describe();
  auto lines = cart->value("cart", json::object()).value("lines", json::array());
  ASSERT_EQ(lines.size(), 1u) << cart->dump(2);
  EXPECT_EQ(lines[0].value("product_id", ""), second_id)
    << "expected the second result of the search on gateway A (" << second_title << ")\n"
    << cart->dump(2);
}

INSTANTIATE_TEST_SUITE_P(gateways, cluster_resume_test, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string{"first_gateway_killed"}
                                             : std::string{"client_disconnected"};
                         });

}  // namespace
}  // namespace cartmate::testing
