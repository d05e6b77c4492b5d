// style_catalog.hpp — what the style profiler knows about products: colour, brand, type, price
// and the product's unit vector in the index's embedding space.
// Threading: immutable after construction; safe to share between actors and threads. Built from
// the product index, it copies the attributes once (the discovery agent later writes prices and
// stock into the index, which the style profiler must not read concurrently) and reads vectors,
// which the index never changes after it is built, on demand.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/expected.hpp>

namespace cartmate::index {
class product_index;
}

namespace cartmate::style {

struct product_facts {
  std::string id;
  std::string colour;
  std::string brand;
  std::string product_type;
  int64_t price_minor = 0;     // at the time the catalog was read; enough for a price band
  std::vector<float> vector;   // unit length, dim() floats (all zero for an empty text)
};

class style_catalog {
public:
  /// A catalog over `index` (not null). Call it before agents that write the index start.
  static std::shared_ptr<const style_catalog> from_index(
    std::shared_ptr<const index::product_index> index);

  /// A catalog of the given products (tests, tools); vectors are normalised here. Fails with
  /// invalid_argument when a vector does not have `dim` floats, on an empty or duplicate id.
  [[nodiscard]] static caf::expected<std::shared_ptr<const style_catalog>>
  from_facts(std::vector<product_facts> products, size_t dim);

  size_t dim() const noexcept {
    return dim_;
  }

  size_t size() const noexcept {
    return entries_.size();
  }

  /// The facts of product `id`, vector included; not_found when unknown.
  [[nodiscard]] caf::expected<product_facts> facts(std::string_view id) const;

  /// Every distinct colour name the catalog uses, e.g. to build a colour_palette.
  const std::vector<std::string>& colour_vocabulary() const noexcept {
    return colours_;
  }

private:
  struct entry {
    product_facts facts;   // vector empty when it comes from the index
  };

  style_catalog() = default;

  std::shared_ptr<const index::product_index> index_;   // null for from_facts
  std::unordered_map<std::string, entry> entries_;
  std::vector<std::string> colours_;
  size_t dim_ = 0;
};

}  // namespace cartmate::style
