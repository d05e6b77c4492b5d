// product_discovery_agent.hpp — the product-discovery agent: search, similar items, product
// lookups and price/stock updates over the shared product index, behind typed messages.
// Threading: one CAF actor; it is the only writer of the index (one incarnation at a time, the
// supervisor restarts it with the same index, so catalog updates survive a crash).
#pragma once

#include <cstdint>
#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace cartmate::index {
class product_index;
}

namespace cartmate::runtime {
class metrics_registry;
}

namespace cartmate::discovery {

/// Most products one search or similar-items answer carries; larger limits are capped.
inline constexpr uint32_t max_result_limit = 50;

/// Longest query text accepted, in bytes.
inline constexpr size_t max_query_bytes = 512;

/// Spawns the agent. It answers search_request and similar_request (search_result),
/// get_product_request (product; not_found for an unknown id) and catalog_update
/// (catalog_change; invalid_argument when it changes nothing or sets a bad value).
/// `index` must not be null; `metrics` must outlive the actor.
caf::actor spawn_product_discovery_agent(caf::actor_system& sys,
                                         std::shared_ptr<index::product_index> index,
                                         runtime::metrics_registry& metrics);

}  // namespace cartmate::discovery
