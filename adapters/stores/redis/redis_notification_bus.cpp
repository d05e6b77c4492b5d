// redis_notification_bus.cpp — one publisher thread with its own connection draining a queue,
// and a lazily started subscriber that decodes and fans out to the local bus.
#include "adapters/stores/redis/redis_notification_bus.hpp"

#include <exception>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"

namespace cartmate::stores::redis {

using protocol::errc;
using protocol::make_error;

std::string encode_bus_message(const std::string& tenant, const std::string& user,
                               const protocol::notification_event& n) {
  nlohmann::json j;
  j["tenant"] = tenant;
  j["user"] = user;
  j["notification"] = protocol::encode(n);
  return protocol::dump_json(j);
}

caf::expected<bus_message> decode_bus_message(const std::string& payload) {
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error(errc::invalid_argument, "a bus message is not a JSON object");
  auto tenant = j.find("tenant");
  auto user = j.find("user");
  auto body = j.find("notification");
  if (tenant == j.end() || !tenant->is_string() || user == j.end() || !user->is_string()
      || body == j.end())
    return make_error(errc::invalid_argument, "a bus message needs tenant, user and notification");
  auto n = protocol::decode_notification_event(*body);
  if (!n)
    return std::move(n.error());
  return bus_message{tenant->get<std::string>(), user->get<std::string>(), std::move(*n)};
}

redis_notification_bus::redis_notification_bus(redis_options opts, std::string key_prefix,
                                               size_t max_queued)
  : opts_(std::move(opts)),
    channel_(std::move(key_prefix) + "notifications"),
    max_queued_(std::max<size_t>(max_queued, 1)) {
  publisher_ = std::thread{[this] { run_publisher(); }};
}

redis_notification_bus::~redis_notification_bus() {
  stop();
}

caf::error redis_notification_bus::publish(const std::string& tenant, const std::string& user,
                                           const protocol::notification_event& n) {
  auto payload = encode_bus_message(tenant, user, n);
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (stopping_)
      return make_error(errc::unavailable, "the notification bus has stopped");
    if (queue_.size() >= max_queued_) {
      failed_.fetch_add(1);
      return make_error(errc::unavailable, "the notification bus queue is full");
    }
    queue_.push_back(std::move(payload));
  }
  wake_.notify_one();
  return {};
}

void redis_notification_bus::run_publisher() {
  redis_connection conn{opts_};
  for (;;) {
    std::string payload;
    {
      std::unique_lock<std::mutex> guard{mutex_};
      wake_.wait(guard, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;   // stopping, all published
      payload = std::move(queue_.front());
      queue_.pop_front();
    }
    auto sent = redis::publish(conn, channel_, payload);
    if (sent) {
      published_.fetch_add(1);
    } else {
      failed_.fetch_add(1);
      spdlog::warn("notification bus: not published on {} ({}); the outbox keeps it", channel_,
                   protocol::describe(sent.error()));
    }
  }
}

void redis_notification_bus::on_message(const std::string& payload) {
  auto msg = decode_bus_message(payload);
  if (!msg) {
    spdlog::warn("notification bus: ignoring a malformed message on {}: {}", channel_,
                 protocol::describe(msg.error()));
    return;
  }
  (void) local_.publish(msg->tenant, msg->user, msg->notification);
}

runtime::notification_bus::subscription redis_notification_bus::subscribe(handler h) {
  auto id = local_.subscribe(std::move(h));
  std::lock_guard<std::mutex> guard{mutex_};
  if (!subscriber_ && !stopping_)
    subscriber_ = std::make_unique<redis_subscriber>(
      opts_, std::vector<std::string>{channel_},
      [this](std::string, std::string payload) { on_message(payload); });
  return id;
}

void redis_notification_bus::unsubscribe(subscription id) {
  local_.unsubscribe(id);
}

bool redis_notification_bus::subscribed() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return subscriber_ && subscriber_->subscribed();
}

void redis_notification_bus::stop() {
  std::lock_guard<std::mutex> once{stop_mutex_};
  std::unique_ptr<redis_subscriber> subscriber;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
    subscriber = std::move(subscriber_);
  }
  wake_.notify_all();
  if (publisher_.joinable())
    publisher_.join();
  if (subscriber)
    subscriber->stop();
}

}  // namespace cartmate::stores::redis
