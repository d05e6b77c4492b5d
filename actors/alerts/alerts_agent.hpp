// alerts_agent.hpp — the alert agent: creates, lists and deletes price and stock alerts, fires
// them on price events and periodic price-comparison re-checks, writes each notification to the
// outbox in the same store step as the trigger, then publishes it on the notification bus (and
// to a webhook when one is configured); a session's notification_ack marks it delivered.
// Threading: runs as one CAF actor. Its stores are shared and thread-safe and are called only
// through their executors (inline for memory, a pg_pool worker for PostgreSQL), so no CAF
// thread waits on a server; the bus and the webhook sender only queue.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "adapters/notify/webhook_sender.hpp"
#include "adapters/stores/alert_store.hpp"
#include "adapters/stores/outbox_store.hpp"
#include "adapters/stores/store_executor.hpp"
#include "runtime/notification_bus.hpp"
#include "runtime/resilience_context.hpp"

namespace cartmate::actors::alerts {

struct alerts_agent_options {
  /// The catalog currency: thresholds are in it; prices in another are not compared.
  std::string currency = "INR";
  /// Pause between re-check rounds through the price-comparison agent; 0 turns them off.
  std::chrono::milliseconds recheck_interval{0};
  /// Products asked about per round; the next round goes on where this one stopped.
  size_t recheck_batch = 20;
  /// Active alerts one user may hold.
  size_t max_alerts_per_user = 50;
};

struct alerts_agent_deps {
  stores::store_handle<stores::alert_store> alerts;
  stores::store_handle<stores::outbox_store> outbox;
  /// Live delivery; null leaves notifications to the outbox (fetched on connect).
  std::shared_ptr<runtime::notification_bus> bus;
  /// Webhook delivery when `targets` has a URL for the user; null for none.
  std::shared_ptr<notify::webhook_sender> webhooks;
  notify::webhook_targets targets;
  /// For product lookups at create and price comparisons at re-checks. Must outlive the agent.
  const runtime::resilience_context* resilience = nullptr;
  alerts_agent_options options;
};

/// Spawns the agent (`deps.resilience` is required). It answers alert_create with the alert
/// (the one made first for a repeated idempotency key; not_found for a product the catalog
/// lacks; invalid_argument for a bad threshold, a missing user or key, or too many alerts),
/// alert_list_request with the user's alerts, alert_delete and notification_ack with an ack
/// (not_found for ids the user does not have), and price_event with an ack naming how many
/// notifications it fired.
caf::actor spawn_alerts_agent(caf::actor_system& sys, alerts_agent_deps deps);

}  // namespace cartmate::actors::alerts
