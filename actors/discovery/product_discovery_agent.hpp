// product_discovery_agent.hpp — the product-discovery agent: search, similar items, product
// lookups and price/stock updates over the shared product index, behind typed messages. With
// model vectors it embeds each query through the embedding client within a budget, and answers
// from lexical matching alone (saying so, and counting it) when the model does not answer.
// Threading: one CAF actor; it is the only writer of the index (one incarnation at a time, the
// supervisor restarts it with the same index, so catalog updates survive a crash). Embedding
// answers come back from the client's thread as messages.
#pragma once

#include <chrono>
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

namespace cartmate::embeddings {
class embedding_client;
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

/// Time kept back from a request's deadline for ranking and the reply after the query embedding.
inline constexpr std::chrono::milliseconds reply_margin{25};

struct discovery_deps {
  std::shared_ptr<index::product_index> index;   // not null
  runtime::metrics_registry* metrics = nullptr;  // not null; outlives the actor
  /// The model that made the index's vectors (index->has_model_vectors()), for query vectors.
  /// Null: queries are embedded by the index (hashing) or not at all.
  std::shared_ptr<embeddings::embedding_client> query_embedder;
  /// Longest wait for a query vector; the request's deadline (less reply_margin) may cut it.
  /// Past it the search runs on lexical matching, the answer's `degraded` says
  /// "embeddings: <reason>" and cartmate_embedding_fallback_total{reason} counts it (reason:
  /// timeout, deadline, breaker_open, unavailable, error).
  std::chrono::milliseconds query_timeout{300};
};

/// The agent with every dependency spelt out; the overload above is discovery_deps without a
/// query embedder.
caf::actor spawn_product_discovery_agent(caf::actor_system& sys, discovery_deps deps);

}  // namespace cartmate::discovery
