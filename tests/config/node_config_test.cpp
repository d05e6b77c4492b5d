// node_config_test.cpp — make_node_config maps every settings key onto its typed field.
// Threading: single-threaded tests.
#include "config/node_config.hpp"

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_loader.hpp"
#include "protocol/errors.hpp"

namespace cartmate::config {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using protocol::agent_kind;

TEST(node_config, defaults_map_onto_the_structs) {
  auto settings = load_settings("", {});
  ASSERT_TRUE(settings) << protocol::describe(settings.error());
  auto cfg = make_node_config(*settings);
  ASSERT_TRUE(cfg) << protocol::describe(cfg.error());
  EXPECT_EQ(cfg->name, "cartmate");
  EXPECT_THAT(cfg->agents, ::testing::ElementsAre(agent_kind::orchestrator, agent_kind::style_profiler,
                                                  agent_kind::product_discovery, agent_kind::cart,
                                                  agent_kind::price_comparison, agent_kind::alerts));
  EXPECT_EQ(cfg->log.level, "info");
  EXPECT_EQ(cfg->scheduler.threads, 0);
  EXPECT_EQ(cfg->supervisor.restart_window, 10000ms);
  EXPECT_EQ(cfg->resilience.turn_deadline, 3000ms);
  EXPECT_DOUBLE_EQ(cfg->resilience.backoff_multiplier, 2.0);
  EXPECT_EQ(cfg->index.embedding_dim, 256);
  ASSERT_NE(cfg->settings, nullptr);
  EXPECT_EQ(*cfg->settings, *settings);
}

TEST(node_config, every_field_takes_its_key) {
  // Distinct non-default values, so a field read from the wrong key shows up.
  auto settings = load_settings("", {
    "node.name=edge-7", "node.agents=alerts,cart",
    "log.level=debug", "log.format=json", "log.file=cartmate.log",
    "scheduler.threads=3", "scheduler.policy=sharing",
    "supervisor.max_restarts=7", "supervisor.restart_window_ms=1234", "supervisor.restart_delay_ms=56",
    "resilience.turn_deadline_ms=4001", "resilience.attempt_timeout_ms=901", "resilience.max_attempts=4",
    "resilience.backoff_initial_ms=21", "resilience.backoff_max_ms=401", "resilience.backoff_multiplier=1.5",
    "resilience.jitter=0.35", "resilience.breaker_failure_threshold=9", "resilience.breaker_reset_ms=2500",
    "catalog.path=data/shop.jsonl", "catalog.currency=EUR", "index.embedding_dim=384"});
  ASSERT_TRUE(settings) << protocol::describe(settings.error());
  auto cfg = make_node_config(*settings);
  ASSERT_TRUE(cfg) << protocol::describe(cfg.error());
  EXPECT_EQ(cfg->name, "edge-7");
  EXPECT_THAT(cfg->agents, ::testing::ElementsAre(agent_kind::alerts, agent_kind::cart));
  EXPECT_EQ(cfg->log.level, "debug");
  EXPECT_EQ(cfg->log.format, "json");
  EXPECT_EQ(cfg->log.file, "cartmate.log");
  EXPECT_EQ(cfg->scheduler.threads, 3);
  EXPECT_EQ(cfg->scheduler.policy, "sharing");
  EXPECT_EQ(cfg->supervisor.max_restarts, 7);
  EXPECT_EQ(cfg->supervisor.restart_window, 1234ms);
  EXPECT_EQ(cfg->supervisor.restart_delay, 56ms);
  EXPECT_EQ(cfg->resilience.turn_deadline, 4001ms);
  EXPECT_EQ(cfg->resilience.attempt_timeout, 901ms);
  EXPECT_EQ(cfg->resilience.max_attempts, 4);
  EXPECT_EQ(cfg->resilience.backoff_initial, 21ms);
  EXPECT_EQ(cfg->resilience.backoff_max, 401ms);
  EXPECT_DOUBLE_EQ(cfg->resilience.backoff_multiplier, 1.5);
  EXPECT_DOUBLE_EQ(cfg->resilience.jitter, 0.35);
  EXPECT_EQ(cfg->resilience.breaker_failure_threshold, 9);
  EXPECT_EQ(cfg->resilience.breaker_reset, 2500ms);
  EXPECT_EQ(cfg->catalog.path, "data/shop.jsonl");
  EXPECT_EQ(cfg->catalog.currency, "EUR");
  EXPECT_EQ(cfg->index.embedding_dim, 384);
  EXPECT_EQ((*cfg->settings)["node"]["name"], "edge-7");
}

TEST(node_config, partial_tree_gets_defaults) {
  auto cfg = make_node_config(json{{"scheduler", {{"threads", 2}}}});
  ASSERT_TRUE(cfg) << protocol::describe(cfg.error());
  EXPECT_EQ(cfg->scheduler.threads, 2);
  EXPECT_EQ(cfg->scheduler.policy, "stealing");
  EXPECT_EQ(cfg->resilience.max_attempts, 3);
}

TEST(node_config, invalid_tree_is_rejected_with_the_key) {
  auto cfg = make_node_config(json{{"scheduler", {{"threads", "many"}}}});
  ASSERT_FALSE(cfg);
  EXPECT_EQ(protocol::errc_of(cfg.error()), protocol::errc::invalid_argument);
  EXPECT_THAT(protocol::describe(cfg.error()), ::testing::HasSubstr("'scheduler.threads' expects integer"));
}

TEST(node_config, load_node_config_reads_file_and_overrides) {
  auto cfg = load_node_config(CARTMATE_SOURCE_DIR "/examples/config/embedded.json", {"node.name=n2"});
  ASSERT_TRUE(cfg) << protocol::describe(cfg.error());
  EXPECT_EQ(cfg->name, "n2");
  EXPECT_EQ(cfg->agents.size(), 6u);
  auto bad = load_node_config("", {"node.agents=cart,wizard"});
  ASSERT_FALSE(bad);
  EXPECT_THAT(protocol::describe(bad.error()), ::testing::HasSubstr("'node.agents[1]'"));
}

}  // namespace
}  // namespace cartmate::config
