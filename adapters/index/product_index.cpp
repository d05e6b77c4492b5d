// product_index.cpp — filters, hybrid ranking and paging for product_index.
//
// Ranking: BM25 and the query-product cosine are fused as a weighted sum of normalised scores,
// not by reciprocal-rank fusion. RRF throws magnitudes away: a product that contains every query
// word and one that contains a single common word get the same credit for being first and
// second. A weighted sum keeps them apart, and the style score joins on the same 0..1 scale.
// BM25 is divided by its maximum (0 stays "no query word"); cosines are min-max normalised over
// the matches because unrelated texts still share character n-grams, so raw cosine has no
// meaningful zero.
#include "adapters/index/product_index.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "adapters/catalog/text.hpp"
#include "protocol/errors.hpp"

namespace cartmate::index {

using protocol::errc;
using protocol::make_error;

struct product_index::compiled_filter {
  int64_t min_price = -1;
  int64_t max_price = -1;
  bool in_stock_only = false;
  std::vector<uint8_t> brand_ok;     // by brand id; empty: any brand
  std::vector<uint8_t> gender_ok;    // by gender id; empty: any
  std::vector<uint8_t> type_ok;      // by type id; empty: any
  bool colour_active = false;
  std::vector<uint8_t> colour_ok;    // by colour id, for products with a colour field
  std::vector<uint32_t> colour_phrase;  // the colour as title word ids; empty: not in any title
  std::vector<uint8_t> colour_excluded;
  std::vector<std::vector<uint32_t>> exclude_phrases;
  std::string size;                  // folded; empty: any
};

namespace {

constexpr uint32_t no_skip = std::numeric_limits<uint32_t>::max();

bool contains_all(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  return std::all_of(want.begin(), want.end(), [&](const std::string& w) {
    return std::find(have.begin(), have.end(), w) != have.end();
  });
}

bool contains_phrase(const std::vector<uint32_t>& words, const std::vector<uint32_t>& phrase) {
  if (phrase.empty())
    return false;
  return std::search(words.begin(), words.end(), phrase.begin(), phrase.end()) != words.end();
}

// Product gender keys a shopper's gender filter accepts: unisex items suit men and women,
// unisex kids' items suit boys and girls.
std::vector<std::string> accepted_genders(const std::string& key) {
  if (key == "men" || key == "man" || key == "male" || key == "mens" || key == "gents")
    return {"men", "unisex"};
  if (key == "women" || key == "woman" || key == "female" || key == "womens" || key == "ladies")
    return {"women", "unisex"};
  if (key == "boys" || key == "boy")
    return {"boys", "unisexkids"};
  if (key == "girls" || key == "girl")
    return {"girls", "unisexkids"};
  if (key == "kids" || key == "kid" || key == "children" || key == "child")
    return {"boys", "girls", "unisexkids", "kids"};
  return {key};
}

std::vector<float> unit(const std::vector<float>& v) {
  double norm = 0;
  for (float x : v)
    norm += static_cast<double>(x) * x;
  std::vector<float> out = v;
  if (norm > 0)
    for (auto& x : out)
      x = static_cast<float>(x / std::sqrt(norm));
  return out;
}

struct range {
  float lo = std::numeric_limits<float>::max();
  float hi = std::numeric_limits<float>::lowest();

  void add(float x) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }

  float scale(float x) const {
    return hi > lo ? (x - lo) / (hi - lo) : 1.f;
  }
};

}  // namespace

bool ranks_before(const ranked_hit& a, const ranked_hit& b) noexcept {
  if (a.score != b.score)
    return a.score > b.score;
  if (a.tiebreak != b.tiebreak)
    return a.tiebreak < b.tiebreak;
  return a.index < b.index;
}

uint32_t product_index::dictionary::intern(const std::string& value) {
  auto [it, fresh] = ids.try_emplace(value, static_cast<uint32_t>(values.size()));
  if (fresh) {
    values.push_back(value);
    tokens.push_back(catalog::tokenize(value));
  }
  return it->second;
}

product_index::product_index(std::vector<protocol::product> products, index_options options,
                             size_t dim)
  : options_(options),
    products_(std::move(products)),
    embedder_(options.embedder),
    bm25_(options.bm25),
    vectors_(dim) {
  // nop
}

caf::expected<std::unordered_map<std::string, uint32_t>>
product_index::check_build(const std::vector<protocol::product>& products,
                           const index_options& options) {
  if (options.lexical_weight < 0 || options.dense_weight < 0
      || options.lexical_weight + options.dense_weight <= 0)
    return make_error(errc::invalid_argument, "fusion weights must be non-negative, not both 0");
  std::unordered_map<std::string, uint32_t> seen;
  for (size_t i = 0; i < products.size(); ++i)
    if (!seen.emplace(products[i].id, static_cast<uint32_t>(i)).second)
      return make_error(errc::invalid_argument, "duplicate product id " + products[i].id);
  return seen;
}

caf::expected<product_index> product_index::build(std::vector<protocol::product> products,
                                                  index_options options) {
  if (options.embedder.dim == 0)
    return make_error(errc::invalid_argument, "vector dimension must be positive");
  auto seen = check_build(products, options);
  if (!seen)
    return std::move(seen.error());
  product_index idx{std::move(products), options, options.embedder.dim};
  idx.by_id_ = std::move(*seen);
  idx.index_products(nullptr);
  return idx;
}

caf::expected<product_index> product_index::build(std::vector<protocol::product> products,
                                                  size_t dim) {
  index_options options;
  options.embedder.dim = dim;
  return build(std::move(products), options);
}

caf::expected<product_index>
product_index::build_with_vectors(std::vector<protocol::product> products,
                                  std::vector<std::vector<float>> vectors,
                                  index_options options) {
  if (vectors.size() != products.size())
    return make_error(errc::invalid_argument,
                      std::to_string(vectors.size()) + " vectors for "
                        + std::to_string(products.size()) + " products");
  size_t dim = vectors.empty() ? 1 : vectors.front().size();
  for (size_t i = 0; i < vectors.size(); ++i) {
    const auto& v = vectors[i];
    if (v.empty())
      return make_error(errc::invalid_argument, "product " + products[i].id + " has no vector");
    if (v.size() != dim)
      return make_error(errc::invalid_argument,
                        "product " + products[i].id + " has a vector of "
                          + std::to_string(v.size()) + " floats, the first product "
                          + std::to_string(dim));
    if (!std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); }))
      return make_error(errc::invalid_argument,
                        "product " + products[i].id + " has a non-finite vector element");
  }
  auto seen = check_build(products, options);
  if (!seen)
    return std::move(seen.error());
  product_index idx{std::move(products), options, dim};
  idx.model_vectors_ = true;
  idx.by_id_ = std::move(*seen);
  idx.index_products(&vectors);
  return idx;
}

void product_index::index_products(const std::vector<std::vector<float>>* vectors) {
  bm25_.build(products_);
  for (auto* d : {&brands_, &genders_, &colours_, &types_})
    d->intern("");  // id 0: the row had no value
  attrs_.reserve(products_.size());
  title_words_.reserve(products_.size());
  sizes_.reserve(products_.size());
  for (size_t row = 0; row < products_.size(); ++row) {
    const auto& p = products_[row];
    attributes a;
    a.price = p.price.minor;
    a.stock = p.stock;
    a.brand = brands_.intern(catalog::compact_key(p.brand));
    a.gender = genders_.intern(catalog::compact_key(p.gender));
    a.colour = colours_.intern(catalog::fold_lower(p.colour));
    a.type = types_.intern(catalog::fold_lower(p.product_type));
    // Colour words in the title count when the colour field is missing; the brand is dropped
    // first so that "Red Tape" shoes are not red.
    auto title = catalog::tokenize(p.title);
    auto brand = catalog::tokenize(p.brand);
    size_t skip = 0;
    if (!brand.empty() && brand.size() <= title.size()
        && std::equal(brand.begin(), brand.end(), title.begin()))
      skip = brand.size();
    auto& words = title_words_.emplace_back();
    for (size_t w = skip; w < title.size(); ++w)
      words.push_back(words_.intern(title[w]));
    auto& sizes = sizes_.emplace_back();
    for (const auto& s : p.sizes)
      sizes.push_back(catalog::fold_lower(s));
    attrs_.push_back(a);

    if (vectors != nullptr) {
      vectors_.add_row((*vectors)[row]);
      continue;
    }
    vectors_.add_row(embedder_.embed({{p.title, 1.0f},
                                      {p.product_type, 1.0f},
                                      {p.brand, 0.5f},
                                      {p.colour, 0.5f},
                                      {p.description, 0.3f}}));
  }
}

std::vector<uint32_t> product_index::word_ids(std::string_view text) const {
  std::vector<uint32_t> out;
  for (const auto& t : catalog::tokenize(text)) {
    auto it = words_.ids.find(t);
    if (it == words_.ids.end())
      return {};  // a word no title has: the phrase occurs nowhere
    out.push_back(it->second);
  }
  return out;
}

caf::expected<product_index::compiled_filter>
product_index::compile(const protocol::search_filters& f) const {
  compiled_filter c;
  if (f.min_price_minor >= 0 && f.max_price_minor >= 0 && f.min_price_minor > f.max_price_minor)
    return make_error(errc::invalid_argument, "minimum price above maximum price");
  c.min_price = f.min_price_minor;
  c.max_price = f.max_price_minor;
  c.in_stock_only = f.in_stock_only;
  if (!f.brand.empty()) {
    auto key = catalog::compact_key(f.brand);
    c.brand_ok.assign(brands_.values.size(), 0);
    if (auto it = brands_.ids.find(key); it != brands_.ids.end())
      c.brand_ok[it->second] = 1;
  }
  if (!f.gender.empty()) {
    c.gender_ok.assign(genders_.values.size(), 0);
    for (const auto& g : accepted_genders(catalog::compact_key(f.gender)))
      if (auto it = genders_.ids.find(g); it != genders_.ids.end())
        c.gender_ok[it->second] = 1;
  }
  if (!f.product_type.empty()) {
    // The filter's last word is the kind of item and must be the type's last word too, so
    // "shirt" finds casual and formal shirts but not shirt dresses; other words must appear.
    auto want = catalog::tokenize(f.product_type);
    c.type_ok.assign(types_.values.size(), 0);
    for (size_t t = 1; t < types_.values.size() && !want.empty(); ++t) {
      const auto& have = types_.tokens[t];
      c.type_ok[t] = !have.empty() && have.back() == want.back() && contains_all(have, want);
    }
  }
  if (!f.colour.empty()) {
    c.colour_active = true;
    auto want = catalog::tokenize(f.colour);
    c.colour_ok.assign(colours_.values.size(), 0);
    for (size_t k = 1; k < colours_.values.size() && !want.empty(); ++k)
      c.colour_ok[k] = contains_all(colours_.tokens[k], want);
    c.colour_phrase = word_ids(f.colour);
  }
  c.colour_excluded.assign(colours_.values.size(), 0);
  for (const auto& x : f.exclude_colours) {
    auto unwanted = catalog::tokenize(x);
    if (unwanted.empty())
      continue;
    for (size_t k = 1; k < colours_.values.size(); ++k)
      if (contains_all(colours_.tokens[k], unwanted))
        c.colour_excluded[k] = 1;
    if (auto phrase = word_ids(x); !phrase.empty())
      c.exclude_phrases.push_back(std::move(phrase));
  }
  c.size = catalog::fold_lower(f.size);
  return c;
}

bool product_index::passes(uint32_t i, const compiled_filter& f) const {
  const auto& a = attrs_[i];
  if (f.min_price >= 0 && a.price < f.min_price)
    return false;
  if (f.max_price >= 0 && a.price > f.max_price)
    return false;
  if (f.in_stock_only && a.stock <= 0)
    return false;
  if (!f.brand_ok.empty() && !f.brand_ok[a.brand])
    return false;
  if (!f.gender_ok.empty() && !f.gender_ok[a.gender])
    return false;
  if (!f.type_ok.empty() && !f.type_ok[a.type])
    return false;
  if (f.colour_active) {
    bool ok = a.colour != 0 ? f.colour_ok[a.colour] != 0
                            : contains_phrase(title_words_[i], f.colour_phrase);
    if (!ok)
      return false;
  }
  // A disliked colour rules an item out whether its colour field or its title names it.
  if (f.colour_excluded[a.colour])
    return false;
  for (const auto& phrase : f.exclude_phrases)
    if (contains_phrase(title_words_[i], phrase))
      return false;
  // Items without size information pass: the catalog does not say they lack the size.
  const auto& sizes = sizes_[i];
  if (!f.size.empty() && !sizes.empty()
      && std::find(sizes.begin(), sizes.end(), f.size) == sizes.end())
    return false;
  return true;
}

std::vector<uint32_t> product_index::candidates(const compiled_filter& f, uint32_t skip) const {
  std::vector<uint32_t> out;
  out.reserve(products_.size());
  for (uint32_t i = 0; i < products_.size(); ++i)
    if (i != skip && passes(i, f))
      out.push_back(i);
  return out;
}

void product_index::cosines(const std::vector<float>& q, const std::vector<uint32_t>& rows,
                            std::vector<float>& out) const {
  // One sgemv streams the whole matrix; per-row dots win when the filter left few rows.
  if (rows.size() * 4 > products_.size())
    vectors_.scores(q.data(), out);
  else
    vectors_.scores(q.data(), rows, out);
}

caf::expected<std::vector<ranked_hit>>
product_index::rank_all(std::string_view query, const protocol::search_filters& filters,
                        const std::vector<float>* style_vector, float style_weight) const {
  if (model_vectors_)
    return rank(query, nullptr, filters, style_vector, style_weight);
  auto q = embedder_.embed(query);
  return rank(query, &q, filters, style_vector, style_weight);
}

caf::expected<std::vector<ranked_hit>>
product_index::rank_all_with_vector(std::string_view query, const std::vector<float>& query_vector,
                                    const protocol::search_filters& filters,
                                    const std::vector<float>* style_vector,
                                    float style_weight) const {
  if (query_vector.empty())
    return rank(query, nullptr, filters, style_vector, style_weight);
  if (query_vector.size() != dim())
    return make_error(errc::invalid_argument,
                      "query vector has " + std::to_string(query_vector.size())
                        + " dimensions, the index " + std::to_string(dim()));
  if (!std::all_of(query_vector.begin(), query_vector.end(),
                   [](float x) { return std::isfinite(x); }))
    return make_error(errc::invalid_argument, "query vector has a non-finite element");
  auto q = unit(query_vector);
  return rank(query, &q, filters, style_vector, style_weight);
}

void product_index::semantic_hits(const std::vector<float>& query_unit, const compiled_filter& f,
                                  const std::vector<float>* style_unit, float style_weight,
                                  std::vector<ranked_hit>& hits) const {
  auto cand = candidates(f, no_skip);
  std::vector<float> dense;
  std::vector<float> style;
  cosines(query_unit, cand, dense);
  if (style_unit != nullptr)
    cosines(*style_unit, cand, style);
  std::vector<ranked_hit> all;
  all.reserve(cand.size());
  for (auto i : cand) {
    float score = std::max(0.f, dense[i]);
    if (style_unit != nullptr)
      score = (1.f - style_weight) * score + style_weight * std::max(0.f, style[i]);
    if (attrs_[i].stock <= 0)
      score *= 0.5f;
    all.push_back({i, score, 0});
  }
  auto keep = std::min(all.size(), options_.semantic_matches);
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                    ranks_before);
  hits.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep));
}

caf::expected<std::vector<ranked_hit>>
product_index::rank(std::string_view query, const std::vector<float>* query_unit,
                    const protocol::search_filters& filters,
                    const std::vector<float>* style_vector, float style_weight) const {
  if (!(style_weight >= 0.f && style_weight <= 1.f))
    return make_error(errc::invalid_argument, "style weight must be within 0..1");
  bool use_style = style_vector != nullptr && !style_vector->empty() && style_weight > 0.f;
  if (use_style && style_vector->size() != dim())
    return make_error(errc::invalid_argument,
                      "style vector has " + std::to_string(style_vector->size())
                        + " dimensions, the index " + std::to_string(dim()));
  auto f = compile(filters);
  if (!f)
    return f.error();
  std::vector<ranked_hit> hits;
  auto style_unit = use_style ? unit(*style_vector) : std::vector<float>{};
  std::vector<float> style;

  if (catalog::tokenize(query).empty()) {
    // Browse: taste first when known, else what can be bought now, cheapest first.
    auto cand = candidates(*f, no_skip);
    if (use_style)
      cosines(style_unit, cand, style);
    hits.reserve(cand.size());
    for (auto i : cand) {
      if (use_style)
        hits.push_back({i, style[i], 0});
      else
        hits.push_back({i, attrs_[i].stock > 0 ? 1.f : 0.f, attrs_[i].price});
    }
    return hits;
  }

  // Lexical matching first: filters and vectors then only look at products that contain a
  // query word, usually a small share of the catalog.
  std::vector<float> lexical(products_.size(), 0.f);
  std::vector<uint32_t> touched;
  bm25_.score(query, lexical, touched);
  // A model's vectors are good enough to decide a match where no word is shared.
  if (touched.empty() && model_vectors_ && query_unit != nullptr && options_.semantic_matches > 0) {
    semantic_hits(*query_unit, *f, use_style ? &style_unit : nullptr, style_weight, hits);
    return hits;
  }
  std::vector<uint32_t> matched;
  matched.reserve(touched.size());
  for (auto i : touched)
    if (passes(i, *f))
      matched.push_back(i);
  std::vector<float> dense;
  if (query_unit != nullptr)
    cosines(*query_unit, matched, dense);
  if (use_style)
    cosines(style_unit, matched, style);

  float lexical_max = 0.f;
  range dense_range;
  range style_range;
  for (auto i : matched) {
    lexical_max = std::max(lexical_max, lexical[i]);
    if (query_unit != nullptr)
      dense_range.add(dense[i]);
    if (use_style)
      style_range.add(style[i]);
  }
  // Without a query vector (the model did not answer) BM25 ranks alone.
  float total_weight = options_.lexical_weight + options_.dense_weight;
  float wl = query_unit != nullptr ? options_.lexical_weight / total_weight : 1.f;
  float wd = query_unit != nullptr ? options_.dense_weight / total_weight : 0.f;
  hits.reserve(matched.size());
  for (auto i : matched) {
    float l = lexical_max > 0.f ? lexical[i] / lexical_max : 0.f;
    float score = wl * l + (query_unit != nullptr ? wd * dense_range.scale(dense[i]) : 0.f);
    if (use_style)
      score = (1.f - style_weight) * score + style_weight * style_range.scale(style[i]);
    // Sold-out items stay findable (back-in-stock alerts need them) but rank below what can
    // be bought now unless they match clearly better, as in the browse order.
    if (attrs_[i].stock <= 0)
      score *= 0.5f;
    hits.push_back({i, score, 0});
  }
  return hits;
}

protocol::search_result product_index::page(std::vector<ranked_hit> hits, size_t limit,
                                             size_t offset) const {
  protocol::search_result out;
  out.total_matches = static_cast<uint32_t>(hits.size());
  if (offset >= hits.size() || limit == 0)
    return out;
  auto end = std::min(hits.size(), offset + limit);
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(end), hits.end(),
                    ranks_before);
  out.products.reserve(end - offset);
  out.scores.reserve(end - offset);
  for (size_t k = offset; k < end; ++k) {
    out.products.push_back(products_[hits[k].index]);
    out.scores.push_back(hits[k].score);
  }
  return out;
}

caf::expected<protocol::search_result>
product_index::search(std::string_view query, const protocol::search_filters& filters,
                      size_t limit, size_t offset, const std::vector<float>* style_vector,
                      float style_weight) const {
  auto hits = rank_all(query, filters, style_vector, style_weight);
  if (!hits)
    return hits.error();
  return page(std::move(*hits), limit, offset);
}

caf::expected<protocol::search_result>
product_index::search_with_vector(std::string_view query, const std::vector<float>& query_vector,
                                  const protocol::search_filters& filters, size_t limit,
                                  size_t offset, const std::vector<float>* style_vector,
                                  float style_weight) const {
  auto hits = rank_all_with_vector(query, query_vector, filters, style_vector, style_weight);
  if (!hits)
    return hits.error();
  return page(std::move(*hits), limit, offset);
}

caf::expected<protocol::search_result>
product_index::similar(std::string_view product_id, const protocol::search_filters& filters,
                       size_t limit) const {
  auto it = by_id_.find(std::string{product_id});
  if (it == by_id_.end())
    return make_error(errc::not_found, "no product " + std::string{product_id});
  auto f = compile(filters);
  if (!f)
    return f.error();
  auto self = it->second;
  auto cand = candidates(*f, self);
  std::vector<float> q(vectors_.row(self), vectors_.row(self) + dim());
  std::vector<float> cos;
  cosines(q, cand, cos);
  std::vector<ranked_hit> hits;
  hits.reserve(cand.size());
  for (auto i : cand)
    hits.push_back({i, cos[i], 0});
  return page(std::move(hits), limit, 0);
}

const protocol::product* product_index::find(std::string_view id) const {
  auto it = by_id_.find(std::string{id});
  return it == by_id_.end() ? nullptr : &products_[it->second];
}

caf::expected<protocol::product> product_index::get(std::string_view id) const {
  if (auto* p = find(id))
    return *p;
  return make_error(errc::not_found, "no product " + std::string{id});
}

caf::expected<std::vector<float>> product_index::vector_of(std::string_view id) const {
  auto it = by_id_.find(std::string{id});
  if (it == by_id_.end())
    return make_error(errc::not_found, "no product " + std::string{id});
  const float* row = vectors_.row(it->second);
  return std::vector<float>(row, row + dim());
}

caf::expected<protocol::catalog_change>
product_index::update(std::string_view id, int64_t price_minor, int32_t stock) {
  auto it = by_id_.find(std::string{id});
  if (it == by_id_.end())
    return make_error(errc::not_found, "no product " + std::string{id});
  auto& p = products_[it->second];
  protocol::catalog_change change;
  change.old_price_minor = p.price.minor;
  change.old_stock = p.stock;
  if (price_minor >= 0)
    p.price.minor = attrs_[it->second].price = price_minor;
  if (stock >= 0)
    p.stock = attrs_[it->second].stock = stock;
  change.after = p;
  return change;
}

}  // namespace cartmate::index
