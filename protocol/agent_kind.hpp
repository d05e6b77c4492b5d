// agent_kind.hpp — the kinds of agent a node can host, and the request → response contract
// (request_traits) that typed callers and the resilient request rely on.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cartmate::protocol {

enum class agent_kind : uint8_t {
  orchestrator,
  style_profiler,
  product_discovery,
  cart,
  price_comparison,
  alerts,
};

inline constexpr agent_kind all_agent_kinds[] = {
  agent_kind::orchestrator, agent_kind::style_profiler, agent_kind::product_discovery,
  agent_kind::cart,         agent_kind::price_comparison, agent_kind::alerts,
};

/// The configuration and log name of a kind, e.g. "product_discovery".
std::string_view to_string(agent_kind kind);
std::optional<agent_kind> agent_kind_from_string(std::string_view name);

/// Specialised once per request type (see CARTMATE_REQUEST): the response type, the agent
/// that answers it, and whether sending it twice is harmless (then the resilient request
/// may retry it). Writes are repeatable only when they carry an idempotency key.
template <class Request>
struct request_traits;

#define CARTMATE_REQUEST(request, response_type, kind, is_repeatable)       \
  template <>                                                                \
  struct request_traits<request> {                                          \
    using response = response_type;                                         \
    static constexpr agent_kind target = agent_kind::kind;                  \
    static constexpr bool repeatable = is_repeatable;                       \
  }

template <class Request>
using response_t = typename request_traits<Request>::response;

}  // namespace cartmate::protocol
