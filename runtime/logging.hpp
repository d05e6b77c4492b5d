// logging.hpp — sets up spdlog's default logger (text or JSON lines) and carries per-thread trace ids.
// Threading: init_logging* once at start-up (tests may call it again); logging, trace_scope and
// new_trace_id are safe from any thread. Loggers must stay synchronous: the trace id is read on
// the logging thread while the line is formatted.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/fwd.h>

namespace cartmate::runtime {

/// How the process logs; mirrors the `log` section of the configuration.
struct log_options {
  /// trace, debug, info, warn (or warning), error, critical or off.
  std::string level = "info";
  /// "text": "2026-11-21 10:00:00.123 info [trace=ab12] message" (local time, colour on a terminal);
  /// "json": one object per line with ts (UTC, ISO 8601), level, logger, trace_id and msg.
  std::string format = "text";
  /// Appends to this file instead of writing to stderr when not empty.
  std::string file;
};

/// Name of the logger installed as spdlog's default.
inline constexpr std::string_view logger_name = "cartmate";

/// Installs spdlog's default logger as `opts` says. Returns "" on success, else a message saying
/// what is wrong (unknown level or format, file not writable); the previous logger stays then.
[[nodiscard]] std::string init_logging(const log_options& opts);

/// Like init_logging, writing to `sink` instead (tests capture output with an ostream sink);
/// `opts.file` is ignored.
[[nodiscard]] std::string init_logging_to(std::shared_ptr<spdlog::sinks::sink> sink,
                                          const log_options& opts);

/// The trace id of this thread's innermost trace_scope, "" when none is active. The view is
/// valid until this thread opens or closes a trace_scope.
std::string_view current_trace_id() noexcept;

/// Sets this thread's trace id for its lifetime and restores the previous one when it ends.
/// Scopes nest; create and destroy one on the same thread (it is neither copyable nor movable).
/// In an actor, open it inside the message handler: actors move between threads between messages.
class trace_scope {
public:
  explicit trace_scope(std::string trace_id);
  ~trace_scope();
  trace_scope(const trace_scope&) = delete;
  trace_scope& operator=(const trace_scope&) = delete;

private:
  std::string previous_;
};

/// A fresh random trace id: 16 lowercase hex digits. Cheap (a per-thread generator).
std::string new_trace_id();

/// Appends `text` to `out` as the inside of a JSON string: quotes, backslashes and control
/// characters escaped, each maximal invalid UTF-8 subsequence replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace cartmate::runtime
