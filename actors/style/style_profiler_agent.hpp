// style_profiler_agent.hpp — the style-profiler agent: style signals, profiles, stated
// preferences, image analysis and ranking by style, behind protocol/style_messages.hpp.
// Threading: one CAF actor. Profiles live in the shared, thread-safe profile store (a restarted
// agent or another replica sees them); store calls run on the store's executor and image
// decoding on the image executor, never on a CAF scheduler thread unless they run inline.
// Requests for one user are applied one at a time, in arrival order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "adapters/stores/store_executor.hpp"
#include "adapters/style/profile_store.hpp"
#include "adapters/style/style_catalog.hpp"
#include "adapters/style/style_settings.hpp"

namespace cartmate::actors {

struct style_agent_deps {
  /// Where profiles live and where its calls run (inline for the memory store).
  stores::store_handle<style::profile_store> store;
  /// Product facts and vectors; not null. Its colour vocabulary names image colours.
  std::shared_ptr<const style::style_catalog> catalog;
  /// Where images are read and decoded: inline in tests, a worker pool in a node
  /// (style::make_worker_executor).
  std::shared_ptr<stores::store_executor> image_executor = stores::inline_executor();
  style::style_settings settings;
  /// Wall clock in ms since the epoch, for signals without a time and for decay; tests set it.
  std::function<int64_t()> now_ms;
};

/// Most candidates one style_rank may carry.
inline constexpr size_t max_rank_candidates = 500;

/// Spawns the agent. It answers
/// - style_signal with ack (not_found for a product outside the catalog; a repeated
///   idempotency key is acknowledged and not counted again),
/// - profile_get, preference_set and preference_forget with the user's style_profile,
/// - image_analyse with the image's colours (invalid_argument for empty, oversized, corrupt,
///   truncated or unsupported images, or for both or neither of bytes and path); the colours
///   also become colour preferences of the user,
/// - style_rank with the candidates re-ordered by style and a reason.
/// Requests without a user fail with invalid_argument (style_rank and image_analyse excepted:
/// they then use no profile).
caf::actor spawn_style_profiler_agent(caf::actor_system& sys, style_agent_deps deps);

}  // namespace cartmate::actors
