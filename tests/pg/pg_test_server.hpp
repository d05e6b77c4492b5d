// pg_test_server.hpp — a throwaway PostgreSQL 15 for tests: initdb in a temporary directory,
// pg_ctl start on a free 127.0.0.1 port (as the postgres user when running as root, which
// initdb refuses), createdb; stop()/start() keep the port and data; the destructor stops the
// server and removes the directory. Every external command has a bounded wait.
// Threading: one thread drives a server; shared_pg_server() is for the test thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cartmate::testing {

class pg_test_server {
 public:
  /// Directory of initdb and pg_ctl: $CARTMATE_PG_BIN if set, else Debian's PostgreSQL 15
  /// location; "" when the binaries are missing (the only reason pg tests skip).
  static std::string find_bin_dir();

  /// The message tests skip with when find_bin_dir() is empty.
  static std::string missing_binaries_message();

  pg_test_server() = default;
  ~pg_test_server();

  pg_test_server(const pg_test_server&) = delete;
  pg_test_server& operator=(const pg_test_server&) = delete;

  /// initdb, start on a free port and create database `dbname`. False with last_error() set
  /// (including the server log's tail) on failure; whatever was created is removed again.
  bool setup(const std::string& dbname = "cartmate");

  /// Stops the server (fast shutdown: sessions are ended, committed data stays).
  bool stop();

  /// Starts it again on the same port and data directory.
  bool start();

  /// Creates another database; a fresh one per test keeps tests independent.
  bool create_database(const std::string& dbname);

  /// libpq connection string for `dbname` over TCP on 127.0.0.1.
  std::string conninfo(const std::string& dbname = "cartmate") const;

  uint16_t port() const noexcept { return port_; }
  bool running() const noexcept { return running_; }
  const std::string& last_error() const noexcept { return last_error_; }

 private:
  /// Runs `args` (as the postgres user when root) with output appended to the command log;
  /// kills it after `limit`. Returns its exit status, or -1 when it could not run or timed out.
  int run(std::vector<std::string> args, std::chrono::seconds limit, bool as_server_user);
  bool fail(const std::string& what);
  std::string tail_of(const std::string& file) const;
  void teardown();

  std::string bin_;
  std::string root_;       // temporary directory, removed by the destructor
  std::string data_dir_;
  std::string server_log_;
  std::string command_log_;
  uint16_t port_ = 0;
  bool running_ = false;
  std::string last_error_;
};

/// A server shared by every test of this process, set up on first use with database
/// "cartmate" and torn down at exit. Returns nullptr when set-up failed (see *why).
pg_test_server* shared_pg_server(std::string* why);

/// A new, empty database on the shared server; returns its conninfo, or "" with *why set.
std::string fresh_database(std::string* why);

}  // namespace cartmate::testing
