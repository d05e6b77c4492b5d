// style_catalog.cpp — product facts from the index or from a list; see the header.
#include "adapters/style/style_catalog.hpp"

#include <cmath>
#include <set>

#include "adapters/index/product_index.hpp"
#include "protocol/errors.hpp"

namespace cartmate::style {

namespace {

std::vector<std::string> distinct_colours(const std::set<std::string>& seen) {
  return {seen.begin(), seen.end()};
}

}  // namespace

std::shared_ptr<const style_catalog>
style_catalog::from_index(std::shared_ptr<const index::product_index> index) {
  std::shared_ptr<style_catalog> out{new style_catalog};
  std::set<std::string> colours;
  out->dim_ = index->dim();
  out->entries_.reserve(index->size());
  for (const auto& p : index->products()) {
    product_facts f;
    f.id = p.id;
    f.colour = p.colour;
    f.brand = p.brand;
    f.product_type = p.product_type;
    f.price_minor = p.price.minor;
    if (!p.colour.empty())
      colours.insert(p.colour);
    out->entries_.emplace(p.id, entry{std::move(f)});
  }
  out->colours_ = distinct_colours(colours);
  out->index_ = std::move(index);
  return out;
}

caf::expected<std::shared_ptr<const style_catalog>>
style_catalog::from_facts(std::vector<product_facts> products, size_t dim) {
  using protocol::errc;
  using protocol::make_error;
  if (dim == 0)
    return make_error(errc::invalid_argument, "a style catalog needs a vector dimension");
  std::shared_ptr<style_catalog> out{new style_catalog};
  std::set<std::string> colours;
  out->dim_ = dim;
  for (auto& f : products) {
    if (f.id.empty())
      return make_error(errc::invalid_argument, "a product without an id");
    if (f.vector.size() != dim)
      return make_error(errc::invalid_argument, "product " + f.id + " has "
                                                  + std::to_string(f.vector.size())
                                                  + " vector floats, not " + std::to_string(dim));
    double norm = 0;
    for (float x : f.vector)
      norm += double(x) * x;
    norm = std::sqrt(norm);
    if (norm > 0)
      for (auto& x : f.vector)
        x = static_cast<float>(x / norm);
    if (!f.colour.empty())
      colours.insert(f.colour);
    auto id = f.id;
    if (!out->entries_.emplace(id, entry{std::move(f)}).second)
      return make_error(errc::invalid_argument, "duplicate product id " + id);
  }
  out->colours_ = distinct_colours(colours);
  return std::shared_ptr<const style_catalog>{std::move(out)};
}

caf::expected<product_facts> style_catalog::facts(std::string_view id) const {
  auto it = entries_.find(std::string{id});
  if (it == entries_.end())
    return protocol::make_error(protocol::errc::not_found,
                                "no product " + std::string{id} + " in the catalog");
  product_facts out = it->second.facts;
  if (index_) {
    auto v = index_->vector_of(id);
    if (!v)
      return std::move(v.error());
    out.vector = std::move(*v);
  }
  return out;
}

}  // namespace cartmate::style
