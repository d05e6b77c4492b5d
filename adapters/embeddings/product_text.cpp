// product_text.cpp — see the header.
#include "adapters/embeddings/product_text.hpp"

namespace cartmate::embeddings {

std::string product_text(const protocol::product& p) {
  std::string out;
  for (const auto* part : {&p.title, &p.product_type, &p.brand, &p.colour, &p.description}) {
    if (part->empty())
      continue;
    if (!out.empty())
      out += ". ";
    out += *part;
  }
  if (out.size() > max_product_text_bytes) {
    size_t cut = max_product_text_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut;   // never split a multi-byte character
    out.resize(cut);
  }
  return out;
}

caf::expected<std::vector<std::vector<float>>>
embed_products(embedding_client& client, const std::vector<protocol::product>& products,
               const progress_fn& on_progress) {
  std::vector<std::string> texts;
  texts.reserve(products.size());
  for (const auto& p : products)
    texts.push_back(product_text(p));
  return client.embed_batch(texts, on_progress);
}

}  // namespace cartmate::embeddings
