// redis_client.hpp — a synchronous, thread-safe way to run Redis commands for the stores: inside
// a redis_pool job it uses that worker's connection; on any other thread it lends one of up to
// `max_connections` connections of its own (a caller waits while all are lent). A pool whose
// jobs call it must point at the same server as the client.
// Threading: safe for concurrent use. Every call BLOCKS on the network: never call it from a CAF
// scheduler thread (use a redis_pool job, a detached actor or a thread of your own).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/stores/redis/redis_connection.hpp"

namespace cartmate::stores::redis {

class redis_client {
 public:
  /// Connections open on first use, so a server that is down does not delay start-up.
  explicit redis_client(redis_options opts, size_t max_connections = 4);

  redis_client(const redis_client&) = delete;
  redis_client& operator=(const redis_client&) = delete;

  /// redis_connection::command on a worker's or a lent connection.
  caf::expected<redis_reply> command(std::initializer_list<std::string_view> args,
                                     redis_retry retry = redis_retry::never);

  /// redis_connection::command_args on a worker's or a lent connection.
  caf::expected<redis_reply> command_args(const std::vector<std::string>& args,
                                          redis_retry retry = redis_retry::never);

  /// Runs `fn` with a connection of its own for several commands in a row (e.g. MULTI/EXEC).
  void with_connection(const std::function<void(redis_connection&)>& fn);

  const redis_options& options() const noexcept { return opts_; }

 private:
  std::unique_ptr<redis_connection> checkout();
  void checkin(std::unique_ptr<redis_connection> conn);

  const redis_options opts_;
  const size_t max_own_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<redis_connection>> idle_;
  size_t open_ = 0;   // own connections in existence (idle or lent)
};

}  // namespace cartmate::stores::redis
