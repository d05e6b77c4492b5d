// errors.hpp — CartMate's error codes as CAF errors, so failures travel between actors and
// nodes as values. A "degradation" is a failure of the machinery (timeout, agent down, breaker
// open), as opposed to a domain answer such as "no such product".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/atom.hpp>
#include <caf/error.hpp>

namespace cartmate::protocol {

enum class errc : uint8_t {
  timeout = 1,         // an attempt or the whole request ran out of time
  unavailable,         // no live agent of that kind (crashed, restarting, node down)
  breaker_open,        // the target's circuit breaker refuses calls for now
  agent_error,         // the agent failed while handling the request
  invalid_argument,    // the request itself is malformed
  not_found,           // the thing asked about does not exist
  out_of_stock,
  conflict,            // e.g. a checkout that no longer matches the cart
  unsupported,         // the agent does not handle this (yet)
};

inline constexpr caf::atom_value error_category = caf::atom("cartmate");

/// A CAF error of CartMate's category; `detail` is carried in the error's context.
caf::error make_error(errc code, std::string detail = {});

/// The CartMate code of `err`, or nothing when it belongs to another category.
std::optional<errc> errc_of(const caf::error& err);

/// True for timeout, unavailable, breaker open and agent errors, including CAF's own
/// request timeouts and dead receivers: failures that say nothing about the request.
bool is_degradation(const caf::error& err);

/// Short stable name of a code, e.g. "breaker_open".
std::string_view to_string(errc code);

/// "breaker_open: circuit open for cart" for CartMate errors, CAF's rendering otherwise.
std::string describe(const caf::error& err);

}  // namespace cartmate::protocol
