// type_registry.hpp — registers every protocol message type with CAF once, under one name per
// type, and checks at start-up that the running system knows all of them (CAF 0.17 silently
// drops unregistered types between nodes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

namespace cartmate::protocol {

/// Adds every message type and CartMate's error renderer to `cfg`. Call once per config.
void register_protocol_types(caf::actor_system_config& cfg);

/// The registered names, in registration order.
const std::vector<std::string>& protocol_type_names();

/// A hash of protocol_type_names(): cluster members with different ones cannot talk.
uint64_t protocol_fingerprint();

/// Error naming the first type `sys` cannot create, or an empty error when all are known.
caf::error verify_protocol_types(caf::actor_system& sys);

}  // namespace cartmate::protocol
