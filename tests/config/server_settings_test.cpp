// server_settings_test.cpp — the server, auth, limits and rate_limit sections: defaults, every
// key mapped onto its field, bounds, and auth without a secret refused.
// Threading: single-threaded tests.
#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_loader.hpp"
#include "config/node_config.hpp"
#include "protocol/errors.hpp"

namespace cartmate::config {
namespace {

using namespace std::chrono_literals;

caf::expected<node_config> with(const std::vector<std::string>& overrides) {
  auto settings = load_settings("", overrides);
  if (!settings)
    return std::move(settings.error());
  return make_node_config(*settings);
}

TEST(server_settings, defaults) {
  auto cfg = with({});
  ASSERT_TRUE(cfg) << protocol::describe(cfg.error());
  EXPECT_EQ(cfg->server.address, "127.0.0.1");
  EXPECT_EQ(cfg->server.port, 8080);
  EXPECT_EQ(cfg->server.io_threads, 1);
  EXPECT_EQ(cfg->server.resume_window, 120000ms);
  EXPECT_EQ(cfg->server.drain, 5000ms);
  EXPECT_FALSE(cfg->auth.enabled);
  EXPECT_EQ(cfg->auth.secret, "");
  EXPECT_EQ(cfg->auth.token_ttl, 3600s);
  EXPECT_EQ(cfg->limits.max_frame_bytes, 65536u);
  EXPECT_EQ(cfg->limits.max_message_bytes, 2000u);
  EXPECT_EQ(cfg->limits.max_queued_turns, 8u);
  EXPECT_EQ(cfg->limits.idle_timeout, 300000ms);
  EXPECT_EQ(cfg->limits.max_connections, 10000u);
  EXPECT_EQ(cfg->limits.send_queue_frames, 256u);
  EXPECT_EQ(cfg->limits.max_http_request_bytes, 16384u);
  EXPECT_DOUBLE_EQ(cfg->rate_limit.turns_per_second, 1000.0);
  EXPECT_DOUBLE_EQ(cfg->rate_limit.burst, 2000.0);
}

TEST(server_settings, every_field_takes_its_key) {
  auto cfg = with({"server.address=0.0.0.0", "server.port=0", "server.io_threads=2",
                   "server.resume_window_ms=1234", "server.drain_ms=567", "auth.enabled=true",
                   "auth.secret=shh", "auth.token_ttl_s=89", "limits.max_frame_bytes=4096",
                   "limits.max_message_bytes=300", "limits.max_queued_turns=3",
                   "limits.idle_timeout_ms=4321", "limits.max_connections=77",
                   "limits.send_queue_frames=12", "limits.max_http_request_bytes=2048",
                   "rate_limit.turns_per_second=2.5", "rate_limit.burst=6"});
  ASSERT_TRUE(cfg) << protocol::describe(cfg.error());
  EXPECT_EQ(cfg->server.address, "0.0.0.0");
  EXPECT_EQ(cfg->server.port, 0);
  EXPECT_EQ(cfg->server.io_threads, 2);
  EXPECT_EQ(cfg->server.resume_window, 1234ms);
  EXPECT_EQ(cfg->server.drain, 567ms);
  EXPECT_TRUE(cfg->auth.enabled);
  EXPECT_EQ(cfg->auth.secret, "shh");
  EXPECT_EQ(cfg->auth.token_ttl, 89s);
  EXPECT_EQ(cfg->limits.max_frame_bytes, 4096u);
  EXPECT_EQ(cfg->limits.max_message_bytes, 300u);
  EXPECT_EQ(cfg->limits.max_queued_turns, 3u);
  EXPECT_EQ(cfg->limits.idle_timeout, 4321ms);
  EXPECT_EQ(cfg->limits.max_connections, 77u);
  EXPECT_EQ(cfg->limits.send_queue_frames, 12u);
  EXPECT_EQ(cfg->limits.max_http_request_bytes, 2048u);
  EXPECT_DOUBLE_EQ(cfg->rate_limit.turns_per_second, 2.5);
  EXPECT_DOUBLE_EQ(cfg->rate_limit.burst, 6.0);
}

TEST(server_settings, out_of_range_values_are_refused_naming_the_key) {
  for (std::string bad : {"server.port=70000", "server.port=-1", "server.io_threads=0",
                          "limits.max_frame_bytes=10", "limits.max_connections=0",
                          "rate_limit.turns_per_second=-1", "rate_limit.burst=0",
                          "auth.enabled=maybe"}) {
    auto cfg = with({bad});
    ASSERT_FALSE(cfg) << bad;
    auto key = bad.substr(0, bad.find('='));
    EXPECT_NE(protocol::describe(cfg.error()).find(key), std::string::npos)
      << bad << ": " << protocol::describe(cfg.error());
  }
}

TEST(server_settings, auth_without_a_secret_is_refused) {
  auto cfg = with({"auth.enabled=true"});
  ASSERT_FALSE(cfg);
  EXPECT_NE(protocol::describe(cfg.error()).find("auth.secret"), std::string::npos);
  EXPECT_TRUE(with({"auth.enabled=true", "auth.secret=x"}));
}

}  // namespace
}  // namespace cartmate::config
