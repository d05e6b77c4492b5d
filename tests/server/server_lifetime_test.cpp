// server_lifetime_test.cpp — the http::server alone (no actors): what the application may do with
// a frame_sink from its own threads while connections close and the server stops and is
// destroyed. The session actors keep their sink this way, so a violation here crashes serve.
// Threading: the server runs its io thread; the test thread and helper threads use the sink.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/http/server.hpp"
#include "ws_test_client.hpp"

namespace cartmate::testing {
namespace {

using json = nlohmann::json;

// What the handlers of one server saw; shared with the handlers, outlives the server.
struct recorder {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::weak_ptr<http::frame_sink>> sinks;
  int frames = 0;
  int closed = 0;

  template <class Pred>
  bool wait(Pred pred) {
    std::unique_lock<std::mutex> guard{mutex};
    return changed.wait_for(guard, std::chrono::seconds{20}, [&] { return pred(*this); });
  }
};

class recording_handler final : public http::frame_handler {
 public:
  explicit recording_handler(std::shared_ptr<recorder> rec) : rec_(std::move(rec)) {
    // nop
  }

  void on_frame(std::string, bool) override {
    std::lock_guard<std::mutex> guard{rec_->mutex};
    ++rec_->frames;
    rec_->changed.notify_all();
  }

  void on_closed() override {
    std::lock_guard<std::mutex> guard{rec_->mutex};
    ++rec_->closed;
    rec_->changed.notify_all();
  }

 private:
  std::shared_ptr<recorder> rec_;
};

std::unique_ptr<http::server> make_server(const std::shared_ptr<recorder>& rec) {
  http::server_options options;
  options.address = "127.0.0.1";
  return std::make_unique<http::server>(
    options,
    [rec](std::weak_ptr<http::frame_sink> sink) {
      std::lock_guard<std::mutex> guard{rec->mutex};
      rec->sinks.push_back(std::move(sink));
      rec->changed.notify_all();
      return std::make_unique<recording_handler>(rec);
    },
    std::map<std::string, http::route_handler>{}, nullptr);
}

// The application locks its sink, and still holds it (as an actor does for the length of one
// handler) while the server stops and is destroyed: the server must not live on through it.
TEST(server_lifetime, a_sink_held_across_stop_and_destruction_is_inert) {
  auto rec = std::make_shared<recorder>();
  auto srv = make_server(rec);
  auto port = srv->start();
  ASSERT_TRUE(port);
  ws_client ws{*port};
  ASSERT_TRUE(ws.connected());
  ws.send(json{{"type", "ping"}});
  ASSERT_TRUE(rec->wait([](recorder& r) { return r.frames == 1; }));
  std::shared_ptr<http::frame_sink> sink;
  {
    std::lock_guard<std::mutex> guard{rec->mutex};
    sink = rec->sinks.at(0).lock();
  }
  ASSERT_TRUE(sink);
  sink->send_text(json{{"type", "pong"}}.dump());   // the sink works while the connection does
  auto pong = ws.next();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->at("type"), "pong");

  srv->stop();
  EXPECT_TRUE(rec->wait([](recorder& r) { return r.closed == 1; }));
  sink->send_text("after stop");   // ignored
  sink->close(http::close_code::normal, "after stop");
  srv.reset();
  sink->send_text("after destruction");   // ignored too, and touches nothing of the server
  sink->close(http::close_code::normal, "after destruction");
  sink.reset();   // the application's last reference goes away on its own thread
  EXPECT_FALSE(ws.next());   // dropped without a close frame
  std::lock_guard<std::mutex> guard{rec->mutex};
  EXPECT_EQ(rec->closed, 1);
}

// Threads keep sending through their sinks while the connections close, the server stops and
// is destroyed: nothing may reach the destroyed server, and every connection reports one close.
TEST(server_lifetime, sinks_used_from_other_threads_during_stop_and_destruction) {
  constexpr int connections = 4;
  auto rec = std::make_shared<recorder>();
  auto srv = make_server(rec);
  auto port = srv->start();
  ASSERT_TRUE(port);
  std::vector<std::unique_ptr<ws_client>> clients;
  for (int i = 0; i < connections; ++i) {
    clients.push_back(std::make_unique<ws_client>(*port));
    ASSERT_TRUE(clients.back()->connected());
    clients.back()->send(json{{"type", "ping"}});
  }
  ASSERT_TRUE(rec->wait([](recorder& r) { return r.frames == connections; }));
  std::vector<std::weak_ptr<http::frame_sink>> sinks;
  {
    std::lock_guard<std::mutex> guard{rec->mutex};
    sinks = rec->sinks;
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (auto& weak : sinks)
    senders.emplace_back([weak, &stop] {
      while (!stop.load()) {
        if (auto sink = weak.lock()) {
          sink->send_text(json{{"type", "tick"}}.dump());
          std::this_thread::yield();   // hold it a little, as a handler does
        }
      }
      if (auto sink = weak.lock())
        sink->close(http::close_code::normal, "done");
    });
  clients[0].reset();   // one client goes away on its own
  clients[1]->send(json{{"type", "ping"}});
  srv->stop();
  srv.reset();
  stop = true;
  for (auto& t : senders)
    t.join();
  std::lock_guard<std::mutex> guard{rec->mutex};
  EXPECT_EQ(rec->closed, connections);
}

}  // namespace
}  // namespace cartmate::testing
