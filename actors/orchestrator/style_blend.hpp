// style_blend.hpp — recommendations: search relevance blended with the style profiler's
// ranking of the same candidates, so "kurtas in my style" stays about kurtas and still follows
// the shopper's taste. Threading: pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "protocol/product.hpp"
#include "protocol/style_messages.hpp"

namespace cartmate::orchestrator {

/// Candidates a recommendation asks discovery for before ranking them by style.
inline constexpr uint32_t recommend_pool = 20;

/// Share of the style score in the blend (the rest is search relevance).
inline constexpr float style_share = 0.5f;

/// `candidates` re-ordered by (1 - share) * relevance + share * style, each rescaled to 0..1
/// over the candidates. `relevance` runs parallel to `candidates` (higher is better; empty: their
/// order is their relevance). Candidates the ranking does not name get the lowest style score.
/// Ties keep the search order.
std::vector<protocol::product> blend_by_style(const std::vector<protocol::product>& candidates,
                                              const std::vector<float>& relevance,
                                              const protocol::style_ranking& ranking,
                                              float share = style_share);

}  // namespace cartmate::orchestrator
