// embedding_client.hpp — the seam between CartMate and an embedding model: texts in, vectors
// out, either a whole catalog at once (blocking, with progress) or one search query against a
// deadline (asynchronous). Implementation: openai_embedding_client.
// Threading: implementations are safe for concurrent use. embed_batch BLOCKS the caller (call it
// on the main thread at start-up or in the CLI, never on a CAF scheduler thread); embed_query
// returns at once and its callback runs on the client's own thread (actors only anon_send there).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace cartmate::embeddings {

/// `done` of `total` texts embedded so far.
using progress_fn = std::function<void(size_t done, size_t total)>;

/// Called exactly once per embed_query with the query's vector or why there is none.
using vector_callback = std::function<void(caf::expected<std::vector<float>>)>;

class embedding_client {
 public:
  virtual ~embedding_client() = default;

  /// The dimension of the vectors: the configured one, else the first answer's; 0 before any.
  virtual size_t dimensions() const = 0;

  /// The vectors of `texts`, in order, every one of dimensions() floats. BLOCKS. `on_progress`
  /// (optional) is called on the calling thread after each batch. Fails with the first batch
  /// that still fails after the retries; nothing is returned for the others then.
  [[nodiscard]] virtual caf::expected<std::vector<std::vector<float>>>
  embed_batch(const std::vector<std::string>& texts, const progress_fn& on_progress = {}) = 0;

  /// Starts embedding one query that must be answered by `deadline`; returns at once. `done`
  /// runs on the client's thread, or before embed_query returns when it fails at once (breaker
  /// open, deadline already passed, client stopped).
  virtual void embed_query(std::string text, std::chrono::steady_clock::time_point deadline,
                           vector_callback done) = 0;
};

}  // namespace cartmate::embeddings
