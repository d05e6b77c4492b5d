// style_blend.cpp — relevance and style blended; see style_blend.hpp.
#include "actors/orchestrator/style_blend.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace cartmate::orchestrator {

namespace {

// Rescales to 0..1; all equal (or one value) gives all 1, so it cannot move the order.
std::vector<float> unit_range(std::vector<float> xs) {
  if (xs.empty())
    return xs;
  auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
  float low = *lo;
  float span = *hi - *lo;
  for (auto& x : xs)
    x = span > 1e-9f ? (x - low) / span : 1.f;
  return xs;
}

}  // namespace

std::vector<protocol::product> blend_by_style(const std::vector<protocol::product>& candidates,
                                              const std::vector<float>& relevance,
                                              const protocol::style_ranking& ranking,
                                              float share) {
  const size_t n = candidates.size();
  std::vector<float> rel(n);
  for (size_t i = 0; i < n; ++i)
    rel[i] = relevance.size() == n ? relevance[i] : static_cast<float>(n - i);
  rel = unit_range(std::move(rel));

  std::map<std::string, float> by_id;
  for (size_t i = 0; i < ranking.product_ids.size() && i < ranking.scores.size(); ++i)
    by_id.emplace(ranking.product_ids[i], ranking.scores[i]);
  float lowest = 0.f;
  for (const auto& [id, score] : by_id)
    lowest = std::min(lowest, score);
  std::vector<float> sty(n);
  for (size_t i = 0; i < n; ++i) {
    auto it = by_id.find(candidates[i].id);
    sty[i] = it == by_id.end() ? lowest : it->second;
  }
  sty = unit_range(std::move(sty));

  std::vector<float> blended(n);
  for (size_t i = 0; i < n; ++i)
    blended[i] = (1.f - share) * rel[i] + share * sty[i];
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&blended](size_t a, size_t b) { return blended[a] > blended[b]; });
  std::vector<protocol::product> out;
  out.reserve(n);
  for (auto i : order)
    out.push_back(candidates[i]);
  return out;
}

}  // namespace cartmate::orchestrator
