// redis_store_fixture.hpp — helpers shared by the redis suites: client options for a test server
// with a short backoff, the shared server's options, and the skip-or-fail rule (skip only when
// redis-server is missing).
// Threading: test thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/stores/redis/redis_connection.hpp"
#include "tests/redis/redis_test_server.hpp"

namespace cartmate::testing {

/// Options for 127.0.0.1:`port` with a short reconnect backoff, so recovery tests stay quick.
inline stores::redis::redis_options quick_options(uint16_t port) {
  stores::redis::redis_options opts;
  opts.port = port;
  opts.connect_timeout = std::chrono::milliseconds{1000};
  opts.command_timeout = std::chrono::milliseconds{2000};
  opts.reconnect.initial = std::chrono::milliseconds{20};
  opts.reconnect.max = std::chrono::milliseconds{200};
  return opts;
}

/// Options for the shared server; nothing with a gtest failure when it cannot start.
inline std::optional<stores::redis::redis_options> shared_options() {
  std::string why;
  auto* server = shared_redis_server(&why);
  if (server == nullptr) {
    ADD_FAILURE() << "cannot start redis-server: " << why;
    return std::nullopt;
  }
  return quick_options(server->port());
}

/// Polls `done` every 10 ms until it is true; false after `limit` (a hang guard, not a timing
/// check: the limit is far above what any healthy run needs).
template <class Pred>
bool eventually(Pred done, std::chrono::milliseconds limit = std::chrono::seconds{20}) {
  auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return true;
}

}  // namespace cartmate::testing

/// Skips the current test when redis-server is missing; a set-up failure is a failure.
#define CARTMATE_REQUIRE_REDIS_SERVER()                                                      \
  do {                                                                                       \
    if (::cartmate::testing::redis_test_server::find_binary().empty())                       \
      GTEST_SKIP() << ::cartmate::testing::redis_test_server::missing_binary_message();      \
  } while (false)
