// redis_client.cpp — lending connections (the pool worker's first) for synchronous callers.
#include "adapters/stores/redis/redis_client.hpp"

#include <algorithm>

#include "adapters/stores/redis/redis_pool.hpp"

namespace cartmate::stores::redis {

redis_client::redis_client(redis_options opts, size_t max_connections)
  : opts_(std::move(opts)), max_own_(std::max<size_t>(max_connections, 1)) {
  // nop
}

std::unique_ptr<redis_connection> redis_client::checkout() {
  std::unique_lock<std::mutex> guard{mutex_};
  available_.wait(guard, [this] { return !idle_.empty() || open_ < max_own_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  return std::make_unique<redis_connection>(opts_);
}

void redis_client::checkin(std::unique_ptr<redis_connection> conn) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

void redis_client::with_connection(const std::function<void(redis_connection&)>& fn) {
  if (auto* worker = redis_pool::worker_connection()) {
    fn(*worker);
    return;
  }
  struct give_back {
    redis_client* client;
    std::unique_ptr<redis_connection> conn;
    ~give_back() { client->checkin(std::move(conn)); }
  } lent{this, checkout()};
  fn(*lent.conn);
}

caf::expected<redis_reply> redis_client::command(std::initializer_list<std::string_view> args,
                                                 redis_retry retry) {
  caf::expected<redis_reply> out = redis_reply{};
  with_connection([&](redis_connection& c) { out = c.command(args, retry); });
  return out;
}

caf::expected<redis_reply> redis_client::command_args(const std::vector<std::string>& args,
                                                      redis_retry retry) {
  caf::expected<redis_reply> out = redis_reply{};
  with_connection([&](redis_connection& c) { out = c.command_args(args, retry); });
  return out;
}

}  // namespace cartmate::stores::redis
