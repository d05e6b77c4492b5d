// catalog_bootstrap.hpp — loads the configured catalog file and builds the product index a node's
// discovery agent serves. Threading: blocking (file I/O and index build); call it on the main
// thread before the node starts, never from an actor.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include <caf/expected.hpp>

#include "adapters/catalog/catalog_loader.hpp"
#include "config/node_config.hpp"

namespace cartmate::index {
class product_index;
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
[[nodiscard]] caf::expected<std::shared_ptr<index::product_index>>
load_product_index(const config::node_config& cfg, load_progress_fn on_progress = {});

}  // namespace cartmate::discovery
