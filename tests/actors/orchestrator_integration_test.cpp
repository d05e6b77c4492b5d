// orchestrator_integration_test.cpp — the orchestrator with the real product-discovery and cart
// agents (memory store) on the deterministic scheduler: one conversation from search to order.
#include "actors/orchestrator/orchestrator_agent.hpp"

#include <algorithm>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actors/cart/cart_agent.hpp"
#include "actors/discovery/product_discovery_agent.hpp"
#include "adapters/index/product_index.hpp"
#include "adapters/stores/memory_cart_store.hpp"
#include "tests/actors/orchestrator_test_agents.hpp"
#include "tests/runtime/caf_test_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;

struct orchestrator_integration_test : runtime_fixture {
  std::shared_ptr<client_log> events = std::make_shared<client_log>();
  std::shared_ptr<stores::memory_cart_store> store = std::make_shared<stores::memory_cart_store>();
  std::unique_ptr<runtime::resilience_context> ctx;
  std::vector<caf::actor> running;
  caf::actor client;
  uint64_t next_turn = 1;

  orchestrator_integration_test() {
    auto built = index::product_index::build(test_catalog(), size_t{64});
    EXPECT_TRUE(built);
    auto idx = std::make_shared<index::product_index>(std::move(*built));
    runtime::call_policy policy;
    policy.attempt_timeout = 200ms;
    policy.max_attempts = 2;
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer, policy);
    auto discovery = cartmate::discovery::spawn_product_discovery_agent(sys, idx, metrics);
    auto cart = cartmate::actors::spawn_cart_agent(sys, {store}, *ctx);
    directory.add(protocol::agent_kind::product_discovery, runtime::agent_replica{discovery, "t", true});
    directory.add(protocol::agent_kind::cart, runtime::agent_replica{cart, "t", true});
    orchestrator::orchestrator_deps deps;
    deps.resilience = ctx.get();
    deps.understanding = orchestrator::make_offline_understanding(test_catalog());
    deps.metrics = &metrics;
    deps.turn_deadline = 3000ms;
    auto orch = orchestrator::spawn_orchestrator_agent(sys, deps);
    client = spawn_test_client(sys, orch, events);
    running = {discovery, cart, orch, client};
    sched.run();
  }

  ~orchestrator_integration_test() override {
    for (auto& a : running)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  protocol::turn_summary say(std::string text) {
    protocol::user_turn turn;
    turn.env = protocol::envelope{"shop", "u-1", "s-1", next_turn++, "", 0, 1, ""};
    turn.text = std::move(text);
    caf::anon_send(client, std::move(turn));
    auto n = events->summaries.size() + 1;
    run_until([&] { return events->summaries.size() >= n; });
    if (events->summaries.size() < n) {
      ADD_FAILURE() << "no summary";
      return {};
    }
    return events->summaries.back();
  }
};

TEST_F(orchestrator_integration_test, from_search_to_a_confirmed_order) {
  auto first = say("find black running shoes under 3000 and add the cheapest to my cart");
  ASSERT_FALSE(first.degraded) << first.reply;
  ASSERT_FALSE(events->products.empty());
  const auto& shown = events->products.back().products;
  auto cheapest = std::min_element(shown.begin(), shown.end(), [](const auto& a, const auto& b) {
    return a.price.minor < b.price.minor;
  });
  ASSERT_FALSE(events->carts.empty()) << first.reply;
  ASSERT_EQ(events->carts.back().cart.lines.size(), 1u);
  EXPECT_EQ(events->carts.back().cart.lines[0].product_id, cheapest->id);
  auto checkout = say("checkout");
  EXPECT_TRUE(checkout.confirmation_asked) << checkout.reply;
  EXPECT_TRUE(checkout.order_id.empty());
  auto yes = say("yes");
  EXPECT_FALSE(yes.order_id.empty()) << yes.reply;
  auto orders = say("show my orders");
  EXPECT_NE(orders.reply.find(yes.order_id), std::string::npos) << orders.reply;
}

TEST_F(orchestrator_integration_test, declined_checkout_places_no_order) {
  say("show me kurtas");
  say("add the first one to my cart");
  auto checkout = say("checkout");
  ASSERT_TRUE(checkout.confirmation_asked) << checkout.reply;
  auto no = say("no");
  EXPECT_TRUE(no.order_id.empty());
  auto orders = say("show my orders");
  EXPECT_NE(orders.reply.find("no orders"), std::string::npos) << orders.reply;
}

}  // namespace
}  // namespace cartmate::testing
