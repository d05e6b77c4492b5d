// pricing_fetcher_test.cpp — the libcurl HTTP client (adapters/http) as the price agent uses it,
// against the real fixture HTTP server on 127.0.0.1: answers of any status, timeouts, refused
// connections, oversize and non-HTTP answers, concurrency on one dedicated thread, and a clean
// stop with transfers in flight.
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/http/curl_http_client.hpp"
#include "adapters/pricing/retailer_answer.hpp"
#include "protocol/errors.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::pricing {
namespace {

using namespace std::chrono_literals;
using http::http_response;
using protocol::errc;

http::http_request get_of(std::string url, std::chrono::milliseconds timeout,
                          size_t max_body = 256 * 1024) {
  http::http_request req;
  req.url = std::move(url);
  req.timeout = timeout;
  req.max_body_bytes = max_body;
  return req;
}

// Bounds only how long a broken fetcher can hang a test; no assertion depends on it.
constexpr auto safety = 20s;

struct fetcher_test : ::testing::Test {
  testing::fixture_http_server server;
  http::curl_http_client fetcher;

  caf::expected<http_response> get(const std::string& path,
                                    std::chrono::milliseconds timeout = 2000ms,
                                    size_t max_body = 256 * 1024) {
    auto done = std::make_shared<std::promise<caf::expected<http_response>>>();
    auto f = done->get_future();
    fetcher.send(get_of(server.base_url() + path, timeout, max_body),
                  [done](caf::expected<http_response> r) { done->set_value(std::move(r)); });
    if (f.wait_for(safety) != std::future_status::ready)
      return protocol::make_error(errc::timeout, "the fetcher never called back");
    return f.get();
  }
};

TEST_F(fetcher_test, returns_body_and_status) {
  testing::fixture_route ok;
  ok.body = R"({"price": 5})";
  server.route("/ok", ok);
  auto r = get("/ok?x=1");
  ASSERT_TRUE(r) << reason_of(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"price": 5})");
  ASSERT_EQ(server.hits("/ok"), 1);
  auto reqs = server.requests();
  EXPECT_EQ(reqs.back().target, "/ok?x=1");
  EXPECT_EQ(reqs.back().headers["accept"], "application/json");
}

TEST_F(fetcher_test, error_statuses_are_answers_not_failures) {
  testing::fixture_route boom;
  boom.status = 500;
  boom.body = "internal error";
  server.route("/boom", boom);
  auto r = get("/boom");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  auto missing = get("/nothing-here");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(fetcher_test, slow_answers_time_out) {
  testing::fixture_route slow;
  slow.delay = 5000ms;
  slow.body = "{}";
  server.route("/slow", slow);
  auto r = get("/slow", 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::timeout);
  EXPECT_EQ(reason_of(r.error()), "timed out after 200 ms");
}

TEST_F(fetcher_test, refused_connection_is_unavailable) {
  testing::fixture_http_server gone;
  auto url = gone.base_url() + "/x";
  gone.stop();
  auto done = std::make_shared<std::promise<caf::expected<http_response>>>();
  auto f = done->get_future();
  fetcher.send(get_of(url, 2000ms),
                [done](caf::expected<http_response> r) { done->set_value(std::move(r)); });
  ASSERT_EQ(f.wait_for(safety), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::unavailable);
  EXPECT_NE(reason_of(r.error()).find("cannot connect"), std::string::npos) << reason_of(r.error());
}

TEST_F(fetcher_test, oversize_and_non_http_answers_fail) {
  testing::fixture_route big;
  big.body = std::string(10000, 'x');
  server.route("/big", big);
  auto r = get("/big", 2000ms, 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::agent_error);
  EXPECT_EQ(reason_of(r.error()), "answer larger than 1000 bytes");

  testing::fixture_route garbage;
  garbage.raw = "this is not HTTP at all\r\n\r\n";
  server.route("/garbage", garbage);
  EXPECT_FALSE(get("/garbage"));

  testing::fixture_route hangup;
  hangup.raw = "";
  server.route("/hangup", hangup);
  EXPECT_FALSE(get("/hangup"));
}

TEST_F(fetcher_test, bad_urls_fail_without_a_request) {
  auto done = std::make_shared<std::promise<caf::expected<http_response>>>();
  auto f = done->get_future();
  fetcher.send(get_of("gopher://127.0.0.1/x", 500ms),
                [done](caf::expected<http_response> r) { done->set_value(std::move(r)); });
  ASSERT_EQ(f.wait_for(safety), std::future_status::ready);
  EXPECT_FALSE(f.get());
  EXPECT_EQ(server.total_hits(), 0);
}

TEST_F(fetcher_test, transfers_run_concurrently_on_one_thread) {
  testing::fixture_route slow;
  slow.delay = 500ms;
  slow.body = "{}";
  for (auto p : {"/s1", "/s2", "/s3"})
    server.route(p, slow);
  std::mutex m;
  std::set<std::thread::id> threads;
  std::vector<int> hits_at_answer;
  std::promise<void> all;
  int left = 3;
  for (auto p : {"/s1", "/s2", "/s3"}) {
    fetcher.send(get_of(server.base_url() + p, 5000ms),
                  [&](caf::expected<http_response> r) {
                    std::lock_guard<std::mutex> guard{m};
                    EXPECT_TRUE(r);
                    threads.insert(std::this_thread::get_id());
                    hits_at_answer.push_back(server.total_hits());
                    if (--left == 0)
                      all.set_value();
                  });
  }
  ASSERT_EQ(all.get_future().wait_for(safety), std::future_status::ready);
  std::lock_guard<std::mutex> guard{m};
  // All three requests reached the server before the first answer came back: sequential
  // fetching would have sent the second only after the first (delayed) answer.
  ASSERT_EQ(hits_at_answer.size(), 3u);
  EXPECT_EQ(hits_at_answer.front(), 3);
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_NE(*threads.begin(), std::this_thread::get_id());
}

TEST_F(fetcher_test, stop_fails_transfers_in_flight_and_later_fetches) {
  testing::fixture_route slow;
  slow.delay = 10000ms;
  slow.body = "{}";
  server.route("/stuck", slow);
  auto done = std::make_shared<std::promise<caf::expected<http_response>>>();
  auto f = done->get_future();
  fetcher.send(get_of(server.base_url() + "/stuck", 20000ms),
                [done](caf::expected<http_response> r) { done->set_value(std::move(r)); });
  // Wait until the request is at the server, so stop() really has a transfer in flight.
  for (int i = 0; i < 2000 && server.hits("/stuck") == 0; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(server.hits("/stuck"), 1);
  fetcher.stop();
  ASSERT_EQ(f.wait_for(0s), std::future_status::ready);   // stop() returns after the callback
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(reason_of(r.error()), "the HTTP client has stopped");

  bool called = false;
  fetcher.send(get_of(server.base_url() + "/stuck", 100ms),
                [&](caf::expected<http_response> late) {
                  called = true;
                  EXPECT_FALSE(late);
                });
  EXPECT_TRUE(called);
  EXPECT_EQ(server.hits("/stuck"), 1);
}

}  // namespace
}  // namespace cartmate::pricing
