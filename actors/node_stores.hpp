// node_stores.hpp — the stores a node's agents use, opened from the configuration: in memory by
// default; PostgreSQL and Redis when `stores.*` says so, each with a worker pool (blocking calls
// never run on a CAF scheduler thread), the schema migrated at start, and a health watch that
// feeds /readyz. A server that is down at start is no error: it is logged, /readyz reports it,
// the watch retries with backoff, and store calls fail with errc::unavailable until it is back.
// Threading: open on the main thread; the handles are then shared by agents on any thread.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/index/product_index.hpp"
#include "adapters/stores/alert_store.hpp"
#include "adapters/stores/cart_store.hpp"
#include "adapters/stores/outbox_store.hpp"
#include "adapters/stores/history_store.hpp"
#include "adapters/stores/session_context_store.hpp"
#include "adapters/stores/store_executor.hpp"
#include "adapters/style/profile_store.hpp"
#include "config/node_config.hpp"
#include "runtime/notification_bus.hpp"
#include "runtime/readiness.hpp"

namespace cartmate::actors {

struct node_stores {
  stores::store_handle<stores::cart_store> cart;
  stores::store_handle<stores::history_store> history;
  stores::store_handle<stores::session_context_store> contexts;
  stores::store_handle<stores::alert_store> alerts;
  stores::store_handle<stores::outbox_store> outbox;
  stores::store_handle<style::profile_store> profiles;
  /// Set when alerts.notification_bus is redis: the node's bus for every gateway.
  std::shared_ptr<runtime::notification_bus> shared_bus;
  /// Pools and health watches the handles rely on; released with the last handle user.
  std::vector<std::shared_ptr<void>> keep_alive;
  /// Stops the worker pools (queued calls still run). Call once the agents have ended.
  std::vector<std::function<void()>> closers;

  void close() {
    for (auto& c : closers)
      c();
    closers.clear();
  }
};

/// Opens the configured stores and registers a readiness probe per server in `readiness`.
/// Fails only on configuration that cannot work (never because a server is down).
[[nodiscard]] caf::expected<std::shared_ptr<node_stores>>
open_node_stores(const config::node_config& cfg, runtime::readiness_registry& readiness);

/// Discovery's index from the catalog stored in PostgreSQL (`cartmate ingest --store=postgres`).
/// Waits for the server with backoff up to `wait` (logging each failure), then gives up with
/// errc::unavailable: discovery cannot serve without a catalog.
[[nodiscard]] caf::expected<std::shared_ptr<index::product_index>>
load_index_from_postgres(const config::node_config& cfg, std::chrono::milliseconds wait);

}  // namespace cartmate::actors
