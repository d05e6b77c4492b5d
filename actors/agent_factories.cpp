// agent_factories.cpp — wires each agent's factory to the node's shared context: the product
// index and the cart store are built once here, so every restart of an agent finds them again.
#include "actors/agent_factories.hpp"

#include <algorithm>
#include <memory>

#include "actors/cart/cart_agent.hpp"
#include "actors/discovery/product_discovery_agent.hpp"
#include "actors/orchestrator/orchestrator_agent.hpp"
#include "adapters/index/product_index.hpp"
#include "adapters/nlu/simmc_eval.hpp"
#include "adapters/stores/memory_cart_store.hpp"
#include "runtime/node.hpp"

namespace cartmate::actors {

namespace {

bool configured(const config::node_config& cfg, protocol::agent_kind kind) {
  return std::find(cfg.agents.begin(), cfg.agents.end(), kind) != cfg.agents.end();
}

// Requests travel through the directory, so a dependency hosted on another node is no start-up
// dependency here: only kinds this node hosts order the start.
std::vector<protocol::agent_kind> local_deps(const config::node_config& cfg,
                                             std::initializer_list<protocol::agent_kind> kinds) {
  std::vector<protocol::agent_kind> out;
  for (auto k : kinds)
    if (configured(cfg, k))
      out.push_back(k);
  return out;
}

}  // namespace

caf::expected<std::vector<runtime::child_spec>>
make_agent_specs(runtime::node& node, const agent_wiring_options& options) {
  using protocol::agent_kind;
  const auto& cfg = node.config();
  std::vector<runtime::child_spec> specs;
  auto* n = &node;

  std::shared_ptr<index::product_index> shared;
  if (configured(cfg, agent_kind::product_discovery)) {
    auto index = discovery::load_product_index(cfg, options.on_catalog_progress);
    if (!index)
      return std::move(index.error());
    shared = std::move(*index);
    specs.push_back(runtime::child_spec{
      agent_kind::product_discovery, {}, [n, shared](caf::actor_system& sys) {
        return discovery::spawn_product_discovery_agent(sys, shared, n->metrics());
      }});
  }

  if (configured(cfg, agent_kind::cart)) {
    auto store = std::make_shared<stores::memory_cart_store>();
    cart_agent_options cart_opts;
    cart_opts.currency = cfg.catalog.currency;
    specs.push_back(runtime::child_spec{
      agent_kind::cart, local_deps(cfg, {agent_kind::product_discovery}),
      [n, store, cart_opts](caf::actor_system& sys) {
        return spawn_cart_agent(sys, store, n->resilience(), cart_opts);
      }});
  }

  if (configured(cfg, agent_kind::orchestrator)) {
    // The understanding's vocabulary is the catalog's own words: from the index when this node
    // hosts discovery, else read leniently from the same catalog file.
    std::shared_ptr<const nlu::language_understanding> understanding;
    if (shared) {
      understanding = orchestrator::make_offline_understanding(shared->products());
    } else {
      auto products = nlu::load_vocabulary_products(cfg.catalog.path);
      if (!products)
        return std::move(products.error());
      understanding = orchestrator::make_offline_understanding(*products);
    }
    orchestrator::orchestrator_deps deps;
    deps.resilience = &node.resilience();
    deps.understanding = std::move(understanding);
    deps.metrics = &node.metrics();
    deps.turn_deadline = cfg.resilience.turn_deadline;
    specs.push_back(runtime::child_spec{
      agent_kind::orchestrator,
      local_deps(cfg, {agent_kind::product_discovery, agent_kind::cart}),
      [deps](caf::actor_system& sys) { return orchestrator::spawn_orchestrator_agent(sys, deps); }});
  }

  return specs;
}

}  // namespace cartmate::actors
