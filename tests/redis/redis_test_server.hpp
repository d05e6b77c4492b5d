// redis_test_server.hpp — a throwaway redis-server for tests: a temporary directory, a free
// 127.0.0.1 port, persistence off (--save "" --appendonly no); stop()/start() keep the port for
// outage tests; the destructor stops the server and removes the directory. The server is this
// process's child (not daemonized), so it is reaped, and it dies with the test process.
// Every wait is bounded. Threading: one thread drives a server; shared_redis_server() is for
// the test thread only.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

namespace cartmate::testing {

class redis_test_server {
 public:
  /// $CARTMATE_REDIS_SERVER if set, else redis-server from PATH; "" when missing (the only
  /// reason redis tests skip).
  static std::string find_binary();

  /// The message tests skip with when find_binary() is empty.
  static std::string missing_binary_message();

  redis_test_server() = default;
  ~redis_test_server();

  redis_test_server(const redis_test_server&) = delete;
  redis_test_server& operator=(const redis_test_server&) = delete;

  /// Creates the directory and starts on a free port. False with last_error() set (including
  /// the server log's tail) on failure; whatever was created is removed again.
  bool setup();

  /// Stops the server (SIGTERM; SIGKILL after 10 s). Data is gone: persistence is off.
  bool stop();

  /// Starts it again on the same port; true once it answers PING.
  bool start();

  uint16_t port() const noexcept { return port_; }
  bool running() const noexcept { return pid_ > 0; }
  const std::string& last_error() const noexcept { return last_error_; }

 private:
  bool fail(const std::string& what);
  std::string log_tail() const;
  bool wait_ready();
  void teardown();

  std::string binary_;
  std::string root_;   // temporary directory, removed by the destructor
  std::string log_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string last_error_;
};

/// A server shared by every test of this process, set up on first use and torn down at exit.
/// Returns nullptr when set-up failed (see *why).
redis_test_server* shared_redis_server(std::string* why);

/// A key prefix no other test of any process on that server uses, e.g. "t1234_5:".
std::string unique_prefix();

}  // namespace cartmate::testing
