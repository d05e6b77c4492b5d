// catalog_bootstrap.hpp — loads the configured catalog file and builds the product index a node's
// discovery agent serves. Threading: blocking (file I/O and index build); call it on the main
// thread before the node starts, never from an actor.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/catalog/catalog_loader.hpp"
#include "config/node_config.hpp"

namespace cartmate::index {
class product_index;
}

namespace cartmate::embeddings {
class embedding_client;
struct embedding_settings;
}

namespace cartmate::discovery {

/// Receives loader progress (rows and bytes so far), e.g. for a progress bar.
using load_progress_fn = std::function<void(const catalog::load_progress&)>;

/// How many bad rows are logged one by one; the rest only count.
inline constexpr size_t logged_bad_rows = 5;

/// Loads `cfg.catalog.path` (a relative path is taken relative to the working directory) with
/// `cfg.catalog.currency` as the default currency, logs the bad rows it skipped (count plus the
/// first few with line numbers), and indexes the products with `cfg.index.embedding_dim`-float
/// vectors. Fails with not_found when the file cannot be read and invalid_argument when it has no
/// usable product or the index cannot be built (bad dimension, duplicate ids).
/// With `model` (embeddings.provider openai) the product vectors come from it instead, in
/// batches; `on_progress` then also hears the products embedded so far (rows_read and
/// bytes_read = products done, total_bytes = products in all). Fails with the client's error,
/// prefixed with the catalog and what to check, when the endpoint is unreachable or answers
/// vectors of a wrong dimension.
[[nodiscard]] caf::expected<std::shared_ptr<index::product_index>>
load_product_index(const config::node_config& cfg, load_progress_fn on_progress = {},
                   embeddings::embedding_client* model = nullptr);

/// Whether vectors recorded as made by `stored` ("" when nothing was recorded: taken as
/// hashing) may be served by the configured embedder: errc::conflict naming both and telling to
/// re-ingest when not.
[[nodiscard]] caf::error check_vector_source(const std::string& stored,
                                             const embeddings::embedding_settings& settings);

/// Discovery's index from a stored catalog whose vectors a model made (embeddings.provider
/// openai): `vectors[i]` belongs to `products[i]`, `stored_source` is what the store recorded.
/// errc::conflict, telling to re-ingest, when the source is another model (or hashing) or the
/// vectors do not have embeddings.dimensions floats (when set); invalid_argument when the index
/// refuses them (mixed dimensions, duplicate ids, no products).
[[nodiscard]] caf::expected<std::shared_ptr<index::product_index>>
index_from_model_vectors(std::vector<protocol::product> products,
                         std::vector<std::vector<float>> vectors, const std::string& stored_source,
                         const embeddings::embedding_settings& settings);

}  // namespace cartmate::discovery
