// redis_pubsub.cpp — the subscriber loop: connect, SUBSCRIBE, then poll() the socket and the
// stop eventfd, reading replies with hiredis' buffer API so stop() never waits on the network.
#include "adapters/stores/redis/redis_pubsub.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>

#include "adapters/stores/redis/detail/hiredis_context.hpp"
#include "protocol/errors.hpp"

namespace cartmate::stores::redis {

namespace {

using protocol::errc;
using protocol::make_error;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

struct reply_free {
  void operator()(redisReply* r) const noexcept {
    if (r != nullptr)
      freeReplyObject(r);
  }
};

using reply_ptr = std::unique_ptr<redisReply, reply_free>;

bool is_string(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}

std::string text_of(const redisReply* r) {
  return std::string{r->str, r->len};
}

/// Queues one command and writes it out (the socket is blocking, with the command timeout).
caf::error send_command(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())
      != REDIS_OK)
    return detail::context_error(c, "Redis " + args[0]);
  int done = 0;
  while (done == 0)
    if (redisBufferWrite(c, &done) != REDIS_OK)
      return detail::context_error(c, "Redis " + args[0]);
  return {};
}

int poll_ms(milliseconds d) {
  return static_cast<int>(std::clamp<int64_t>(d.count(), 0, 60'000));
}

}  // namespace

caf::expected<int64_t> publish(redis_client& client, std::string_view channel,
                               std::string_view payload) {
  caf::expected<int64_t> out = int64_t{0};
  client.with_connection([&](redis_connection& c) { out = publish(c, channel, payload); });
  return out;
}

redis_subscriber::redis_subscriber(redis_options opts, std::vector<std::string> channels,
                                   message_handler on_message, milliseconds ping_interval)
  : opts_(std::move(opts)),
    on_message_(std::move(on_message)),
    ping_interval_(std::max(ping_interval, milliseconds{1})) {
  std::set<std::string> unique{channels.begin(), channels.end()};
  channels_.assign(unique.begin(), unique.end());
  if (channels_.empty()) {
    spdlog::warn("redis subscriber: no channels given; not subscribing");
    return;
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    spdlog::error("redis subscriber: eventfd failed (errno {}); not subscribing", errno);
    return;
  }
  thread_ = std::thread{[this] { run(); }};
}

redis_subscriber::~redis_subscriber() {
  stop();
  if (wake_fd_ >= 0)
    ::close(wake_fd_);
}

void redis_subscriber::stop() {
  stopping_ = true;
  if (wake_fd_ >= 0) {
    uint64_t one = 1;
    (void) !::write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.get_id() == std::this_thread::get_id())
    return;
  std::lock_guard<std::mutex> guard{join_mutex_};
  if (thread_.joinable())
    thread_.join();
}

bool redis_subscriber::pause(milliseconds d) {
  pollfd wake{wake_fd_, POLLIN, 0};
  auto until = steady_clock::now() + d;
  while (!stopping()) {
    auto left = std::chrono::duration_cast<milliseconds>(until - steady_clock::now());
    if (left.count() <= 0)
      return true;
    if (::poll(&wake, 1, poll_ms(left)) > 0)
      return false;
  }
  return false;
}

void redis_subscriber::run() {
  uint32_t failures = 0;
  while (!stopping()) {
    auto opened = detail::open_context(opts_);
    if (!opened) {
      if (++failures == 1)
        spdlog::warn("redis subscriber: cannot connect ({}); retrying with backoff",
                     protocol::describe(opened.error()));
    } else {
      ++connects_;
      auto err = serve(opened->get());
      bool was_subscribed = subscribed_.exchange(false);
      if (stopping())
        break;
      if (was_subscribed)
        failures = 0;
      ++failures;
      spdlog::warn("redis subscriber: connection lost ({}); resubscribing",
                   err ? protocol::describe(err) : std::string{"closed"});
    }
    if (!pause(runtime::backoff_delay(opts_.reconnect, failures, runtime::random_unit())))
      break;
  }
  subscribed_ = false;
}

caf::error redis_subscriber::serve(redisContext* c) {
  std::vector<std::string> subscribe{"SUBSCRIBE"};
  subscribe.insert(subscribe.end(), channels_.begin(), channels_.end());
  if (auto err = send_command(c, subscribe))
    return err;
  size_t confirmed = 0;
  auto last_heard = steady_clock::now();
  bool ping_pending = false;               // a PING is out and unanswered
  steady_clock::time_point ping_sent{};
  for (;;) {
    // Deliver every complete reply already read before waiting for more bytes.
    for (;;) {
      void* raw = nullptr;
      if (redisGetReplyFromReader(c, &raw) != REDIS_OK)
        return detail::context_error(c, "Redis subscription");
      reply_ptr reply{static_cast<redisReply*>(raw)};
      if (!reply)
        break;
      if (reply->type == REDIS_REPLY_ERROR)
        return make_error(errc::agent_error, "Redis SUBSCRIBE: " + text_of(reply.get()));
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 || !is_string(reply->element[0]))
        continue;
      auto kind = text_of(reply->element[0]);
      if (kind == "message" && reply->elements == 3 && is_string(reply->element[1])
          && is_string(reply->element[2])) {
        ++received_;
        try {
          on_message_(text_of(reply->element[1]), text_of(reply->element[2]));
        } catch (const std::exception& e) {
          spdlog::error("redis subscriber: message handler threw: {}", e.what());
        } catch (...) {
          spdlog::error("redis subscriber: message handler threw a non-standard exception");
        }
      } else if (kind == "subscribe" && ++confirmed == channels_.size()) {
        subscribed_ = true;
        if (connects_.load() > 1)
          spdlog::info("redis subscriber: subscribed again to {} channel(s)", channels_.size());
      }
      // "pong" needs nothing: hearing anything at all already proved the connection alive.
    }
    if (stopping())
      return {};
    auto now = steady_clock::now();
    auto next = ping_pending ? ping_sent + opts_.command_timeout : last_heard + ping_interval_;
    auto wait = std::chrono::duration_cast<milliseconds>(next - now) + milliseconds{1};
    pollfd fds[2] = {{c->fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int ready = ::poll(fds, 2, poll_ms(wait));
    if (ready < 0 && errno != EINTR)
      return make_error(errc::unavailable, "Redis subscription: poll failed");
    if (stopping() || (fds[1].revents & POLLIN) != 0)
      return {};
    if (ready > 0 && fds[0].revents != 0) {
      if (redisBufferRead(c) != REDIS_OK)
        return detail::context_error(c, "Redis subscription");
      last_heard = steady_clock::now();
      ping_pending = false;
      continue;
    }
    now = steady_clock::now();
    if (ping_pending && now >= ping_sent + opts_.command_timeout)
      return make_error(errc::timeout, "Redis subscription: no answer to PING within "
                                         + std::to_string(opts_.command_timeout.count()) + " ms");
    if (!ping_pending && now >= last_heard + ping_interval_) {
      if (auto err = send_command(c, {"PING"}))
        return err;
      ping_pending = true;
      ping_sent = now;
    }
  }
}

}  // namespace cartmate::stores::redis
