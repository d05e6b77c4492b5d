// envelope.hpp — the header every agent request carries: who asks, for which turn, until when.
// Plain value type; safe to copy between threads and nodes.
#pragma once

#include <cstdint>
#include <string>

#include <caf/meta/type_name.hpp>

namespace cartmate::protocol {

/// Identity, tracing and timing of one agent request.
struct envelope {
  std::string tenant;
  std::string user;
  std::string session;
  uint64_t turn_id = 0;
  std::string trace_id;
  /// Absolute deadline in milliseconds since the Unix epoch (system clock), so that it
  /// means the same on every node; 0 means "no deadline".
  int64_t deadline_ms = 0;
  /// 1 for the first attempt; retries increment it.
  uint32_t attempt = 1;
  /// Stable across retries of the same logical write, so the receiver can de-duplicate.
  std::string idempotency_key;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, envelope& x) {
  return f(caf::meta::type_name("envelope"), x.tenant, x.user, x.session, x.turn_id,
           x.trace_id, x.deadline_ms, x.attempt, x.idempotency_key);
}

}  // namespace cartmate::protocol
