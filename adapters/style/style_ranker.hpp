// style_ranker.hpp — re-orders candidate products by a shopper's style: closeness to the taste
// vector blended with learned attribute likings, the usual price band and stated preferences,
// with a reason a shopper can read ("you liked several navy kurtas").
// Threading: pure functions; safe from any thread.
#pragma once

#include <string>
#include <vector>

#include "adapters/style/style_catalog.hpp"
#include "adapters/style/taste_model.hpp"
#include "protocol/style_messages.hpp"

namespace cartmate::style {

struct rank_options {
  float taste_weight = 0.45f;      // cosine to the taste vector, -1..1
  float attribute_weight = 0.45f;  // learned colour / type / brand / look likings, -1..1
  float price_weight = 0.1f;       // inside the usual price band, 0..1
  float stated_weight = 0.5f;      // per stated liking matched (+) or avoided (-)
};

/// `product_ids` re-ordered best first with their scores. Unknown ids keep their relative
/// order at the end with score 0. A cold profile (is_cold) keeps the given order, scores 0,
/// and the reason says that the shopper's style is not known yet. Ties keep the given order.
protocol::style_ranking rank_by_style(const learned_profile& profile,
                                      const std::vector<std::string>& product_ids,
                                      const style_catalog& catalog,
                                      const rank_options& options = {});

/// The reason the ranker gives when it knows nothing yet.
inline constexpr const char* cold_start_reason
  = "I don't know your style yet, so these are in their usual order";

/// "kurtas", "dresses", "running shoes": the plural of a product type for reasons.
std::string plural_of(const std::string& product_type);

}  // namespace cartmate::style
