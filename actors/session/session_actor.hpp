// session_actor.hpp — the WebSocket session front-end: one actor per connection that turns
// client frames into orchestrator turns (one at a time, later ones queued up to a limit) and
// the orchestrator's events into frames.
// Threading: one CAF actor; frames arrive from the io thread by anon_send, frames leave
// through the connection's frame_sink (held weakly; it posts onto the connection's strand).
#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "adapters/http/server.hpp"

namespace cartmate::session {

class session_hub;

/// (frame_atom, std::string data, bool is_text): one frame from the client.
using frame_atom = caf::atom_constant<caf::atom("ws_frame")>;
/// (closed_atom): the connection is gone; the actor quits.
using closed_atom = caf::atom_constant<caf::atom("ws_closed")>;
/// (drain_atom): the server shuts down; finish the running turn, then close with 1001.
using drain_atom = caf::atom_constant<caf::atom("ws_drain")>;
/// (superseded_atom): a newer connection resumed this session; close with 4000.
using superseded_atom = caf::atom_constant<caf::atom("ws_supsd")>;

caf::actor spawn_session_actor(caf::actor_system& sys, std::shared_ptr<session_hub> hub,
                               std::weak_ptr<http::frame_sink> sink);

}  // namespace cartmate::session
