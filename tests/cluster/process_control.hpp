// process_control.hpp — child processes for the cluster tests: fork/exec with output in log files,
// bounded waits on their output and exit, SIGKILL on demand and always at destruction (the child
// also dies with the test process: PR_SET_PDEATHSIG); plus `cartmate serve` nodes whose ports are
// read from their stdout. Threading: one test thread owns its processes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cartmate::testing {

/// A temporary directory for logs, removed at destruction unless keep() was called.
class scratch_dir {
 public:
  scratch_dir();
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  const std::string& path() const noexcept { return path_; }
  void keep() noexcept { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

class child_process {
 public:
  /// `log_stem` + ".out" / ".err" receive the child's stdout and stderr (appended, so a restart
  /// under the same stem keeps the earlier run's log above the new one).
  child_process(std::string name, std::vector<std::string> argv, std::string cwd,
                std::string log_stem);
  ~child_process();   // kill_hard()
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Forks and execs; false with why() set when it could not.
  bool start();

  /// Still running (reaps it when it ended; exit_status() then says how).
  bool running();

  /// SIGKILL and reap; a no-op when not running.
  void kill_hard();

  /// SIGTERM, wait up to `grace`, then SIGKILL; the exit status (or -1 after SIGKILL).
  int stop(std::chrono::milliseconds grace);

  /// Waits at most `limit` for the exit; the exit code, 128+signal, or nothing on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds limit);

  /// The first match of `pattern`'s capture group 1 in the child's stdout (from byte `from` on),
  /// waiting at most `limit` and giving up early when the child exits.
  std::optional<std::string> wait_for_stdout(const std::string& pattern,
                                             std::chrono::milliseconds limit, size_t from = 0);

  std::string stdout_text() const;
  std::string stderr_text() const;
  size_t stdout_size() const;

  /// Both logs' tails, labelled, for failure messages.
  std::string logs(size_t tail_bytes = 6000) const;

  const std::string& name() const noexcept { return name_; }
  pid_t pid() const noexcept { return pid_; }
  const std::string& why() const noexcept { return why_; }
  std::optional<int> exit_status() const { return exit_status_; }

 private:
  std::string name_;
  std::vector<std::string> argv_;
  std::string cwd_;
  std::string out_path_;
  std::string err_path_;
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string why_;
};

/// What a finished command did.
struct command_result {
  int exit_code = -1;      // -1: timed out (killed) or could not start
  bool timed_out = false;
  std::string out;
  std::string err;
};

/// Runs `argv` in `cwd` to completion, killing it after `limit`.
command_result run_command(const std::vector<std::string>& argv, const std::string& cwd,
                           const std::string& log_stem, std::chrono::milliseconds limit);

/// The cartmate binary under test: $CARTMATE_BIN when set, else the one this test was built with.
std::string cartmate_binary();

/// The repository root, the working directory of every node (catalog paths are relative).
std::string source_dir();

/// One `cartmate serve` node.
class cartmate_node {
 public:
  /// `config` is relative to the repository root; `overrides` are key=value without the dashes.
  cartmate_node(std::string name, std::string config, std::vector<std::string> overrides,
                const std::string& log_dir);

  /// Starts it with cluster.port = `cluster_port` (0: a free one) and waits at most `limit` for
  /// both port lines on stdout; false with why() set (and the logs) otherwise.
  bool start(uint16_t cluster_port, std::chrono::milliseconds limit);

  /// SIGKILL: peers see the TCP connection close.
  void kill_hard() { process_->kill_hard(); }
  bool running() { return process_ && process_->running(); }
  int stop(std::chrono::milliseconds grace) { return process_ ? process_->stop(grace) : -1; }

  uint16_t cluster_port() const noexcept { return cluster_port_; }
  uint16_t http_port() const noexcept { return http_port_; }
  std::string cluster_address() const { return "127.0.0.1:" + std::to_string(cluster_port_); }
  const std::string& name() const noexcept { return name_; }
  const std::string& why() const noexcept { return why_; }
  std::string logs() const { return process_ ? process_->logs() : std::string{}; }

 private:
  std::string name_;
  std::string config_;
  std::vector<std::string> overrides_;
  std::string log_dir_;
  std::optional<child_process> process_;
  uint16_t cluster_port_ = 0;
  uint16_t http_port_ = 0;
  std::string why_;
};

/// "a,b,c" for a --key=value list override.
std::string comma_joined(const std::vector<std::string>& items);

}  // namespace cartmate::testing
