// agent_factories.cpp — wires each agent's factory to the node's shared context: the product
// index and the stores are opened once here, so every restart of an agent finds them again.
#include "actors/agent_factories.hpp"

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "actors/alerts/alerts_agent.hpp"
#include "actors/cart/cart_agent.hpp"
#include "actors/discovery/product_discovery_agent.hpp"
#include "adapters/embeddings/openai_embedding_client.hpp"
#include "adapters/http/curl_http_client.hpp"
#include "actors/node_stores.hpp"
#include "actors/orchestrator/model_deps.hpp"
#include "actors/orchestrator/orchestrator_agent.hpp"
#include "actors/price/price_bootstrap.hpp"
#include "actors/style/style_profiler_agent.hpp"
#include "adapters/style/worker_executor.hpp"
#include "adapters/index/product_index.hpp"
#include "adapters/notify/webhook_sender.hpp"
#include "adapters/nlu/simmc_eval.hpp"
#include "adapters/pricing/pricing_settings.hpp"
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

// How long start-up waits for PostgreSQL when the catalog lives there.
constexpr auto catalog_wait = std::chrono::seconds{30};

}  // namespace

caf::expected<std::vector<runtime::child_spec>>
make_agent_specs(runtime::node& node, const agent_wiring_options& options) {
  using protocol::agent_kind;
  const auto& cfg = node.config();
  std::vector<runtime::child_spec> specs;
  auto* n = &node;

  auto stores = open_node_stores(cfg, node.readiness());
  if (!stores)
    return std::move(stores.error());
  auto shared_stores = std::move(*stores);
  node.at_stop([shared_stores] { shared_stores->close(); });
  if (shared_stores->shared_bus)
    node.use_notification_bus(shared_stores->shared_bus);

  std::shared_ptr<index::product_index> shared;
  if (configured(cfg, agent_kind::product_discovery)) {
    // embeddings.provider openai: product and query vectors come from the model endpoint.
    auto emb = embeddings::read_embedding_settings(*cfg.settings);
    if (!emb)
      return std::move(emb.error());
    std::shared_ptr<embeddings::embedding_client> model;
    if (emb->uses_model()) {
      auto http = std::make_shared<http::curl_http_client>();
      node.at_stop([http] { http->stop(); });
      model = std::make_shared<embeddings::openai_embedding_client>(
        embeddings::openai_embedding_options::from(*emb), http, &node.breakers().get("embeddings"));
    }
    auto index = cfg.stores.catalog == "postgres"
                   ? load_index_from_postgres(cfg, catalog_wait)
                   : discovery::load_product_index(cfg, options.on_catalog_progress, model.get());
    if (!index)
      return std::move(index.error());
    shared = std::move(*index);
    discovery::discovery_deps ddeps;
    ddeps.index = shared;
    ddeps.metrics = &node.metrics();
    ddeps.query_embedder = model;
    ddeps.query_timeout = emb->query_timeout;
    specs.push_back(runtime::child_spec{
      agent_kind::product_discovery, {}, [ddeps](caf::actor_system& sys) {
        return discovery::spawn_product_discovery_agent(sys, ddeps);
      }});
  }

  if (configured(cfg, agent_kind::style_profiler)) {
    if (!shared)
      return protocol::make_error(protocol::errc::invalid_argument,
                                  "style_profiler must run on a node that also hosts product_discovery "
                                  "(it reads the product index)");
    auto settings = style::read_style_settings(*cfg.settings);
    if (!settings)
      return std::move(settings.error());
    style_agent_deps deps;
    deps.store = shared_stores->profiles;
    // Read here, before any agent runs: discovery later writes prices into the index.
    deps.catalog = style::style_catalog::from_index(shared);
    deps.image_executor = style::make_worker_executor(static_cast<size_t>(settings->image_threads));
    deps.settings = *settings;
    specs.push_back(runtime::child_spec{
      agent_kind::style_profiler, local_deps(cfg, {agent_kind::product_discovery}),
      [deps](caf::actor_system& sys) { return spawn_style_profiler_agent(sys, deps); }});
  }

  if (configured(cfg, agent_kind::cart)) {
    auto store = shared_stores->cart;
    cart_agent_options cart_opts;
    cart_opts.currency = cfg.catalog.currency;
    specs.push_back(runtime::child_spec{
      agent_kind::cart, local_deps(cfg, {agent_kind::product_discovery}),
      [n, store, cart_opts](caf::actor_system& sys) {
        return spawn_cart_agent(sys, store, n->resilience(), cart_opts);
      }});
  }

  if (configured(cfg, agent_kind::price_comparison)) {
    auto settings = pricing::read_pricing_settings(*cfg.settings);
    if (!settings)
      return std::move(settings.error());
    auto deps = price::load_price_agent_deps(*settings, cfg.catalog.currency);
    if (!deps)
      return std::move(deps.error());
    deps->breakers = &node.breakers();
    deps->resilience = &node.resilience();
    deps->metrics = &node.metrics();
    specs.push_back(runtime::child_spec{
      agent_kind::price_comparison, local_deps(cfg, {agent_kind::product_discovery}),
      [d = std::move(*deps)](caf::actor_system& sys) { return price::spawn_price_comparison_agent(sys, d); }});
  }

  if (configured(cfg, agent_kind::alerts)) {
    const auto& a = cfg.settings->at("alerts");
    alerts::alerts_agent_deps d;
    d.alerts = shared_stores->alerts;
    d.outbox = shared_stores->outbox;
    d.bus = node.notifications();
    d.resilience = &node.resilience();
    d.options.currency = cfg.catalog.currency;
    d.options.recheck_interval = std::chrono::milliseconds{a.at("recheck_interval_ms").get<int64_t>()};
    d.options.recheck_batch = a.at("recheck_batch").get<size_t>();
    d.options.max_alerts_per_user = a.at("max_per_user").get<size_t>();
    d.targets.global_url = a.at("webhook_url").get<std::string>();
    if (!d.targets.empty()) {
      notify::webhook_options w;
      w.max_attempts = a.at("webhook_max_attempts").get<int>();
      w.timeout = std::chrono::milliseconds{a.at("webhook_timeout_ms").get<int64_t>()};
      d.webhooks = std::make_shared<notify::webhook_sender>(w);
      node.at_stop([hooks = d.webhooks] { hooks->stop(); });
    }
    specs.push_back(runtime::child_spec{
      agent_kind::alerts, local_deps(cfg, {agent_kind::product_discovery}),
      [d](caf::actor_system& sys) { return alerts::spawn_alerts_agent(sys, d); }});
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
    deps.contexts = shared_stores->contexts;
    deps.history = shared_stores->history;
    deps.context_ttl = cfg.stores.session_context_ttl;
    // llm.provider openai: the model plans first, the offline understanding is its fallback.
    auto llm_deps = orchestrator::load_model_deps(*cfg.settings, &node.metrics());
    if (!llm_deps)
      return std::move(llm_deps.error());
    if (llm_deps->http)
      node.at_stop([m = *llm_deps] { orchestrator::stop_model_http(m); });
    deps.model = llm_deps->understanding;
    deps.phraser = llm_deps->phraser;
    deps.model_timeout = llm_deps->timeout;
    specs.push_back(runtime::child_spec{
      agent_kind::orchestrator,
      local_deps(cfg, {agent_kind::product_discovery, agent_kind::cart}),
      [deps](caf::actor_system& sys) { return orchestrator::spawn_orchestrator_agent(sys, deps); }});
  }

  return specs;
}

}  // namespace cartmate::actors
