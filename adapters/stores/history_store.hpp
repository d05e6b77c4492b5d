// history_store.hpp — the conversation history interface: one record per finished turn, per
// tenant + session, kept so a conversation can be inspected and replayed later.
// Threading: every implementation is safe for concurrent use; calls are synchronous.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/stores/store_text.hpp"
#include "protocol/errors.hpp"
#include "protocol/orchestrator_messages.hpp"

namespace cartmate::stores {

/// One finished turn as it happened. (tenant, session_id, seq) names it: appending the same
/// record twice stores it once, so a retried append after a timeout is harmless.
struct turn_record {
  std::string tenant;
  std::string user;
  std::string session_id;
  uint64_t seq = 0;                          // the turn's number in its session (envelope turn_id)
  int64_t at_ms = 0;                         // when the turn started, Unix milliseconds
  protocol::turn_input input = protocol::turn_input::message;
  std::string user_text;
  std::string product_ref;                   // like/dislike: what was rated
  std::vector<std::string> intents;          // as the turn summary names them, in order
  std::vector<std::string> agents;           // agent kinds that worked on the turn
  std::string reply;
  int64_t latency_us = 0;                    // the summary's (microseconds, as measured)
  bool degraded = false;
  std::vector<std::string> degraded_reasons;
  bool confirmation_asked = false;
  std::string order_id;                      // set when the turn placed an order
  std::vector<std::string> product_ids;      // products shown during the turn, in order
  std::optional<int32_t> cart_items;         // units in the cart after the turn, when known

  friend bool operator==(const turn_record& a, const turn_record& b) {
    return a.tenant == b.tenant && a.user == b.user && a.session_id == b.session_id
           && a.seq == b.seq && a.at_ms == b.at_ms && a.input == b.input
           && a.user_text == b.user_text && a.product_ref == b.product_ref
           && a.intents == b.intents && a.agents == b.agents && a.reply == b.reply
           && a.latency_us == b.latency_us && a.degraded == b.degraded
           && a.degraded_reasons == b.degraded_reasons
           && a.confirmation_asked == b.confirmation_asked && a.order_id == b.order_id
           && a.product_ids == b.product_ids && a.cart_items == b.cart_items;
  }
  friend bool operator!=(const turn_record& a, const turn_record& b) { return !(a == b); }
};

/// One session in a listing: who it belonged to and the span of its turns.
struct session_info {
  std::string session_id;
  std::string user;        // the user of its first turn
  uint64_t turns = 0;
  int64_t first_ms = 0;    // at_ms of its first and last turn
  int64_t last_ms = 0;

  friend bool operator==(const session_info& a, const session_info& b) {
    return a.session_id == b.session_id && a.user == b.user && a.turns == b.turns
           && a.first_ms == b.first_ms && a.last_ms == b.last_ms;
  }
};

class history_store {
 public:
  virtual ~history_store() = default;

  /// Stores `turn` once. Appending an equal record again succeeds and changes nothing;
  /// errc::conflict when another record already holds its (tenant, session_id, seq);
  /// errc::invalid_argument when tenant, user or session_id is empty.
  [[nodiscard]] virtual caf::error append(const turn_record& turn) = 0;

  /// The session's turns in seq order; empty for an unknown session.
  [[nodiscard]] virtual caf::expected<std::vector<turn_record>>
  list(const std::string& tenant, const std::string& session_id) = 0;

  /// The tenant's sessions (only `user`'s when given), most recently active first, at most
  /// `limit` of them.
  [[nodiscard]] virtual caf::expected<std::vector<session_info>>
  list_sessions(const std::string& tenant, const std::optional<std::string>& user,
                size_t limit = 100) = 0;
};

/// The checks every store makes before appending: identity fields set, a known input kind,
/// and text a store can hold (see store_text.hpp), so memory and PostgreSQL refuse alike.
inline caf::error check_turn_record(const turn_record& turn) {
  using protocol::errc;
  using protocol::make_error;
  if (turn.tenant.empty() || turn.user.empty() || turn.session_id.empty())
    return make_error(errc::invalid_argument,
                      "a turn record needs a tenant, a user and a session id");
  if (turn.input > protocol::turn_input::image)
    return make_error(errc::invalid_argument, "unknown turn input kind");
  auto texts = {std::pair<const char*, const std::string*>{"tenant", &turn.tenant},
                {"user", &turn.user},           {"session_id", &turn.session_id},
                {"user_text", &turn.user_text}, {"product_ref", &turn.product_ref},
                {"reply", &turn.reply},         {"order_id", &turn.order_id}};
  for (const auto& [name, value] : texts)
    if (auto why = check_storable_text(name, *value); !why.empty())
      return make_error(errc::invalid_argument, "turn record: " + why);
  for (const auto* list : {&turn.intents, &turn.agents, &turn.degraded_reasons, &turn.product_ids})
    for (const auto& value : *list)
      if (auto why = check_storable_text("a list element", value); !why.empty())
        return make_error(errc::invalid_argument, "turn record: " + why);
  return {};
}

/// The record of a finished turn: identity from the request's envelope, the outcome from its
/// summary. Products shown and the cart's item count come from the turn's events; the caller
/// fills them in when it has them.
inline turn_record make_turn_record(const protocol::user_turn& turn,
                                    const protocol::turn_summary& summary, int64_t at_ms) {
  turn_record r;
  r.tenant = turn.env.tenant;
  r.user = turn.env.user;
  r.session_id = turn.env.session;
  r.seq = turn.env.turn_id;
  r.at_ms = at_ms;
  r.input = turn.input;
  r.user_text = turn.text;
  r.product_ref = turn.product_ref;
  r.intents = summary.intents;
  r.agents = summary.agents;
  r.reply = summary.reply;
  r.latency_us = summary.latency_us;
  r.degraded = summary.degraded;
  r.degraded_reasons = summary.degraded_reasons;
  r.confirmation_asked = summary.confirmation_asked;
  r.order_id = summary.order_id;
  return r;
}

}  // namespace cartmate::stores
