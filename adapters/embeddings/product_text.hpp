// product_text.hpp — the text a model embeds for a product, and a catalog's vectors through an
// embedding_client. Threading: product_text is pure; embed_products blocks like embed_batch.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/embeddings/embedding_client.hpp"
#include "protocol/product.hpp"

namespace cartmate::embeddings {

/// Longest product text sent, in bytes: embedding models read a few hundred tokens at most, and
/// the title, type, brand and colour come first so the cut only shortens the description.
inline constexpr size_t max_product_text_bytes = 1500;

/// "title. product type. brand. colour. description", cut at a UTF-8 boundary.
std::string product_text(const protocol::product& p);

/// The vectors of `products`, in order, in batches with progress. Fails like embed_batch.
[[nodiscard]] caf::expected<std::vector<std::vector<float>>>
embed_products(embedding_client& client, const std::vector<protocol::product>& products,
               const progress_fn& on_progress = {});

}  // namespace cartmate::embeddings
