// cart_agent.hpp — the cart agent: carts, checkout with an explicit confirmation, and orders,
// behind the typed messages of protocol/cart_messages.hpp.
// Threading: runs as one CAF actor; the store it is given is shared and thread-safe (a restarted
// agent or another replica sees every cart and order), and is called only through the store's
// executor, so a blocking store (PostgreSQL) never holds up a CAF scheduler thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "adapters/stores/cart_store.hpp"
#include "adapters/stores/store_executor.hpp"
#include "runtime/resilience_context.hpp"

namespace cartmate::actors {

struct cart_agent_options {
  /// Currency of an empty cart's total; lines carry the catalog's own.
  std::string currency = "INR";
  /// How long a prepared checkout waits for the shopper's confirmation.
  std::chrono::milliseconds checkout_ttl = std::chrono::minutes{10};
  /// Most units of one product a cart holds.
  int32_t max_per_line = 99;
};

/// Spawns a cart agent on `store`, whose calls run where `store.executor` says (inline for the
/// memory store, on a pg_pool worker for PostgreSQL through pg_executor). It asks the
/// product-discovery agent (through `ctx`) for price and stock at add and set-quantity. `ctx`
/// must outlive the agent.
caf::actor spawn_cart_agent(caf::actor_system& sys,
                            stores::store_handle<stores::cart_store> store,
                            const runtime::resilience_context& ctx,
                            cart_agent_options options = {});

}  // namespace cartmate::actors
