// node_stores.cpp — opens the configured stores; see the header.
// Threading: main thread at start; health watches run on their own threads.
#include "actors/node_stores.hpp"

#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "actors/discovery/catalog_bootstrap.hpp"
#include "actors/store_options.hpp"
#include "adapters/embeddings/embedding_settings.hpp"
#include "adapters/stores/catalog_index.hpp"
#include "adapters/stores/memory_alert_store.hpp"
#include "adapters/stores/memory_cart_store.hpp"
#include "adapters/stores/memory_outbox_store.hpp"
#include "adapters/stores/memory_session_context_store.hpp"
#include "adapters/stores/postgres/migrations.hpp"
#include "adapters/stores/postgres/pg_alert_store.hpp"
#include "adapters/stores/postgres/pg_cart_store.hpp"
#include "adapters/stores/postgres/pg_catalog_store.hpp"
#include "adapters/stores/postgres/pg_executor.hpp"
#include "adapters/stores/postgres/pg_history_store.hpp"
#include "adapters/stores/postgres/pg_outbox_store.hpp"
#include "adapters/stores/redis/redis_executor.hpp"
#include "adapters/stores/redis/redis_notification_bus.hpp"
#include "adapters/stores/redis/redis_session_context_store.hpp"
#include "adapters/style/memory_profile_store.hpp"
#include "adapters/style/pg_profile_store.hpp"
#include "protocol/errors.hpp"
#include "runtime/backoff.hpp"
#include "runtime/health_watch.hpp"

namespace cartmate::actors {
namespace {

using protocol::errc;
using protocol::make_error;

constexpr auto watch_interval = std::chrono::seconds{2};
const runtime::backoff_policy watch_retry{std::chrono::milliseconds{200}, std::chrono::seconds{5}, 2.0, 0.2};

// Migrates the schema once, then keeps checking the server is there.
std::function<caf::error()> postgres_check(stores::pg::pg_options opts) {
  auto conn = std::make_shared<stores::pg::pg_connection>(std::move(opts));
  auto migrated = std::make_shared<bool>(false);
  return [conn, migrated]() -> caf::error {
    if (!*migrated) {
      auto migrations = stores::pg::embedded_migrations();
      if (!migrations)
        return std::move(migrations.error());
      auto applied = stores::pg::apply_migrations(*conn, *migrations);
      if (!applied)
        return std::move(applied.error());
      if (!applied->empty())
        spdlog::info("postgres: applied {} schema migration(s), now at version {}", applied->size(),
                     applied->back());
      *migrated = true;
      return caf::none;
    }
    auto alive = conn->run([](pqxx::connection& c) -> caf::expected<bool> {
      pqxx::nontransaction tx{c};
      tx.exec("SELECT 1");
      return true;
    });
    return alive ? caf::error{} : std::move(alive.error());
  };
}

std::function<caf::error()> redis_check(stores::redis::redis_options opts) {
  auto conn = std::make_shared<stores::redis::redis_connection>(std::move(opts));
  return [conn]() -> caf::error {
    auto pong = conn->command({"PING"});
    return pong ? caf::error{} : std::move(pong.error());
  };
}

void watch(node_stores& out, runtime::readiness_registry& readiness, const std::string& name,
           std::function<caf::error()> check) {
  auto w = std::make_shared<runtime::health_watch>(name, std::move(check), watch_interval, watch_retry);
  readiness.add(name, [w] { return runtime::probe_result{w->ready(), w->detail()}; });
  out.keep_alive.push_back(w);
}

}  // namespace

caf::expected<std::shared_ptr<node_stores>>
open_node_stores(const config::node_config& cfg, runtime::readiness_registry& readiness) {
  auto out = std::make_shared<node_stores>();
  out->cart.store = std::make_shared<stores::memory_cart_store>();
  // In memory nobody could read the history after the process ends, and it would only grow:
  // turns are recorded when a durable history store is configured.
  out->history.store = nullptr;
  out->contexts.store = std::make_shared<stores::memory_session_context_store>();
  auto outbox = std::make_shared<stores::memory_outbox_store>();
  out->alerts.store = std::make_shared<stores::memory_alert_store>(outbox);
  out->outbox.store = outbox;
  out->profiles.store = std::make_shared<style::memory_profile_store>();

  if (cfg.stores.uses_postgres()) {
    auto opts = pg_options_from(cfg.postgres);
    watch(*out, readiness, "postgres", postgres_check(opts));
    auto pool = std::make_shared<stores::pg::pg_pool>(opts, static_cast<size_t>(cfg.postgres.pool_size));
    auto executor = std::make_shared<stores::pg::pg_executor>(pool);
    out->closers.push_back([pool] { pool->stop(); });
    if (cfg.stores.cart == "postgres")
      out->cart = {std::make_shared<stores::pg::pg_cart_store>(opts, 1), executor};
    if (cfg.stores.history == "postgres")
      out->history = {std::make_shared<stores::pg::pg_history_store>(opts), executor};
    if (cfg.stores.profiles == "postgres")
      out->profiles = {std::make_shared<style::pg_profile_store>(opts), executor};
    if (cfg.settings->at("alerts").at("store") == "postgres") {
      out->alerts = {std::make_shared<stores::pg::pg_alert_store>(opts), executor};
      out->outbox = {std::make_shared<stores::pg::pg_outbox_store>(opts), executor};
    }
  }
  if (cfg.settings->at("alerts").at("notification_bus") == "redis") {
    auto bus = std::make_shared<stores::redis::redis_notification_bus>(redis_options_from(cfg.redis),
                                                                        cfg.redis.key_prefix);
    out->closers.push_back([bus] { bus->stop(); });
    out->shared_bus = bus;
  }
  if (cfg.stores.session_context == "redis") {
    auto opts = redis_options_from(cfg.redis);
    watch(*out, readiness, "redis", redis_check(opts));
    auto pool = std::make_shared<stores::redis::redis_pool>(opts, static_cast<size_t>(cfg.redis.pool_size));
    auto executor = std::make_shared<stores::redis::redis_executor>(pool);
    out->closers.push_back([pool] { pool->stop(); });
    out->contexts = {std::make_shared<stores::redis::redis_session_context_store>(
                       opts, cfg.redis.key_prefix, 1),
                     executor};
  }
  return out;
}

namespace {

// The index over stored rows: their model vectors when embeddings.provider is openai (after the
// recorded source is checked), else recomputed by the hashing embedder and compared.
caf::expected<std::shared_ptr<index::product_index>>
index_from_rows(const config::node_config& cfg, stores::pg::pg_catalog_store& store,
                std::vector<stores::catalog_row> rows) {
  auto emb = embeddings::read_embedding_settings(*cfg.settings);
  if (!emb)
    return std::move(emb.error());
  auto source = store.vector_source();
  if (emb->uses_model()) {
    if (!source)
      return make_error(errc::conflict, "cannot tell which model made the stored catalog's vectors ("
                                          + protocol::describe(source.error())
                                          + "): re-ingest the catalog with this configuration");
    std::vector<protocol::product> products;
    std::vector<std::vector<float>> vectors;
    products.reserve(rows.size());
    vectors.reserve(rows.size());
    for (auto& r : rows) {
      products.push_back(std::move(r.product));
      vectors.push_back(std::move(r.embedding));
    }
    return discovery::index_from_model_vectors(std::move(products), std::move(vectors), *source,
                                               *emb);
  }
  if (source)
    if (auto err = discovery::check_vector_source(*source, *emb))
      return err;
  index::index_options options;
  options.embedder.dim = static_cast<size_t>(cfg.index.embedding_dim);
  auto built = stores::build_index_from_rows(std::move(rows), options);
  if (!built)
    return std::move(built.error());
  return std::make_shared<index::product_index>(std::move(*built));
}

}  // namespace

caf::expected<std::shared_ptr<index::product_index>>
load_index_from_postgres(const config::node_config& cfg, std::chrono::milliseconds wait) {
  auto opts = pg_options_from(cfg.postgres);
  auto give_up = std::chrono::steady_clock::now() + wait;
  stores::pg::pg_catalog_store store{opts};
  for (uint32_t attempt = 1;; ++attempt) {
    auto rows = store.load_all();
    if (rows) {
      auto count = rows->size();
      auto built = index_from_rows(cfg, store, std::move(*rows));
      if (!built)
        return make_error(errc::invalid_argument, "cannot index the catalog stored in PostgreSQL: "
                                                    + protocol::describe(built.error()));
      spdlog::info("catalog from PostgreSQL: indexed {} products ({}-dimensional vectors)", count,
                   (*built)->dim());
      return std::move(*built);
    }
    if (protocol::errc_of(rows.error()) != errc::unavailable)
      return make_error(errc::invalid_argument, "cannot read the catalog from PostgreSQL: "
                                                  + protocol::describe(rows.error()));
    auto pause = runtime::backoff_delay(watch_retry, attempt, runtime::random_unit());
    if (std::chrono::steady_clock::now() + pause >= give_up)
      return make_error(errc::unavailable, "PostgreSQL did not answer for the catalog within "
                                             + std::to_string(wait.count()) + " ms: "
                                             + protocol::describe(rows.error()));
    spdlog::warn("catalog from PostgreSQL: {}; retrying in {} ms", protocol::describe(rows.error()),
                 pause.count());
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace cartmate::actors
