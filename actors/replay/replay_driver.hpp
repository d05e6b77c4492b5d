// replay_driver.hpp — replays one conversation script against the node's orchestrator: one
// driver actor per script sends each turn as a protocol::user_turn, collects the events that
// arrive before the turn's summary, checks the turn's expectations and reports the result.
// Threading: the driver is a CAF actor; `done` and `on_output` run on its (worker) thread, so
// they must be thread-safe. run_replay blocks and is for the main thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/replay/expectations.hpp"
#include "actors/replay/replay_script.hpp"
#include "actors/replay/transcript.hpp"

namespace cartmate::runtime {
class agent_directory;
}

namespace cartmate::replay {

struct replay_options {
  /// Deadline written into each turn's envelope; the request waits this plus `reply_margin`.
  std::chrono::milliseconds turn_deadline{3000};
  std::chrono::milliseconds reply_margin{1000};
  /// Timeout of the cart_get / order-history requests some expectations need.
  std::chrono::milliseconds fetch_timeout{2000};
  bool check = true;        // false: no expectations are checked (load generation)
  bool transcript = true;   // false: no transcript text is built (load generation)
  bool header = true;       // open the transcript with "== conversation NAME (FILE)"
  transcript_style style;
  std::string session;      // empty: "<script name>-<random>"
  std::string user;         // empty: the script's user
  uint64_t first_turn_id = 1;
  /// Receives each turn's transcript block as soon as the turn is done.
  std::function<void(const std::string&)> on_output;
};

struct turn_report {
  size_t line = 0;
  std::string text;
  bool completed = false;          // a turn summary arrived
  int64_t latency_us = 0;          // from sending the turn to its summary
  std::vector<check_result> checks;
  std::vector<protocol::product> shown;   // products shown during the turn
};

struct replay_result {
  std::string script;
  std::string file;
  std::string transcript;          // every turn block plus the closing summary line
  std::vector<turn_report> turns;
  size_t checks_passed = 0;
  size_t checks_failed = 0;

  bool passed() const { return checks_failed == 0; }
};

/// Spawns a driver that starts at once and calls `done` exactly once when the last turn ended.
/// The orchestrator (and, for some checks, the cart agent) is looked up in `directory` for
/// every turn, so a restarted agent is picked up. `directory` must outlive the driver.
caf::actor spawn_replay_driver(caf::actor_system& sys, runtime::agent_directory& directory,
                               conversation_script script, replay_options options,
                               std::function<void(replay_result)> done);

/// Spawns a driver and waits for its result (main thread only; bridged with a promise).
replay_result run_replay(caf::actor_system& sys, runtime::agent_directory& directory,
                         conversation_script script, replay_options options);

/// Formats the closing line of a result: "== name: PASS (12/12 checks)".
std::string summary_line(const replay_result& result);

}  // namespace cartmate::replay
