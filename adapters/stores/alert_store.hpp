// alert_store.hpp — price and stock alerts per tenant + user, and the one store step that fires
// an alert and writes its notification to the outbox (outbox_store.hpp), so a trigger is never
// recorded without its notification nor the other way round. Implementations: memory (embedded
// default, paired with a memory_outbox_store), PostgreSQL (one transaction; pg_alert_store).
// Threading: every implementation is safe for concurrent use; calls are synchronous.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "adapters/stores/cart_store.hpp"
#include "protocol/alert_messages.hpp"
#include "protocol/orchestrator_messages.hpp"

namespace cartmate::stores {

/// What a new alert asks for; the store gives it its id.
struct alert_spec {
  std::string product_id;
  std::string product_title;   // for notification texts
  protocol::alert_condition condition = protocol::alert_condition::price_below;
  int64_t threshold = 0;
  int64_t reference_price_minor = 0;
  int64_t created_ms = 0;

  /// Same request: what an idempotency key must keep asking for (the catalog facts may differ).
  bool same_request(const alert_spec& other) const {
    return product_id == other.product_id && condition == other.condition
           && threshold == other.threshold;
  }
};

/// An alert with what a trigger needs besides the protocol shape.
struct stored_alert {
  std::string tenant;
  protocol::alert alert;
  std::string product_title;
};

/// The first alert id a store hands out is "alr-00000001"; ids are unique within one store.
std::string alert_id_for(uint64_t number);

class alert_store {
 public:
  virtual ~alert_store() = default;

  /// Creates the alert once per (who, idempotency_key); a repeated key returns the alert made
  /// first and changes nothing. errc::conflict when the key was used for another request
  /// (spec.same_request); errc::invalid_argument for an empty key or product id.
  [[nodiscard]] virtual caf::expected<protocol::alert>
  create(const user_key& who, const std::string& idempotency_key, const alert_spec& spec) = 0;

  /// The alert created under `idempotency_key`, if any (deleted ones too); errc::conflict
  /// when the key was used for another request.
  [[nodiscard]] virtual caf::expected<std::optional<protocol::alert>>
  find_created(const user_key& who, const std::string& idempotency_key,
               const alert_spec& spec) = 0;

  /// The user's alerts that were not deleted, oldest first; fired ones have active == false.
  [[nodiscard]] virtual caf::expected<std::vector<protocol::alert>> list(const user_key& who) = 0;

  /// Deletes the alert (it fires no more and is no longer listed). Deleting it again is fine;
  /// errc::not_found when `who` never had this alert.
  [[nodiscard]] virtual caf::error remove(const user_key& who, const std::string& alert_id) = 0;

  /// Active alerts on `product_id`, of every tenant (the catalog is shared), oldest first.
  [[nodiscard]] virtual caf::expected<std::vector<stored_alert>>
  watching(const std::string& product_id) = 0;

  /// Distinct products with at least one active alert, in id order, for periodic re-checks.
  [[nodiscard]] virtual caf::expected<std::vector<std::string>> watched_products() = 0;

  /// In one step: marks the active alert `alert_id` of `tenant` fired (active == false) and
  /// adds `n` to the outbox of (tenant, n.user) — both or neither. True when this call fired
  /// it; false when the alert is no longer active (fired before, deleted, unknown), and then
  /// nothing changes. A notification id already in the outbox is not added again.
  [[nodiscard]] virtual caf::expected<bool>
  fire(const std::string& tenant, const std::string& alert_id,
       const protocol::notification_event& n) = 0;
};

}  // namespace cartmate::stores
