// outbox_store.hpp — the notification outbox: every notification an alert fired, per tenant +
// user, pending until the user's session acknowledges it (at-least-once delivery: a session
// shows it, acks it, and only then is it gone from pending). Rows are written by
// alert_store::fire in the same step as the trigger; the notification id is the key, so a
// repeated trigger never adds a second row.
// Threading: every implementation is safe for concurrent use; calls are synchronous (the
// PostgreSQL one blocks: call it through the store's executor, never on a CAF thread).
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "adapters/stores/cart_store.hpp"
#include "protocol/orchestrator_messages.hpp"

namespace cartmate::stores {

class outbox_store {
 public:
  virtual ~outbox_store() = default;

  /// The user's notifications not yet acknowledged, oldest first. A session calls it when it
  /// connects and shows each one; published ones that were never acknowledged are here too.
  [[nodiscard]] virtual caf::expected<std::vector<protocol::notification_event>>
  pending(const user_key& who) = 0;

  /// Marks the notification delivered. Acknowledging it again is fine; errc::not_found when
  /// `who` has no such notification (another user's id included).
  [[nodiscard]] virtual caf::error acknowledge(const user_key& who,
                                               const std::string& notification_id) = 0;
};

}  // namespace cartmate::stores
