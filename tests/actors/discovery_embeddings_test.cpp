// discovery_embeddings_test.cpp — the product-discovery agent with model vectors and a fixture
// embedding server on 127.0.0.1 replaying OpenAI-format answers: the query vector ranks the
// matches; a slow, failing or garbled model, or a request without time left, gives a lexical
// answer marked degraded with cartmate_embedding_fallback_total{reason} moving; and the start-up
// bootstrap embeds a catalog file or refuses to start with a clear message.
// Runs on CAF's threaded scheduler: embedding answers arrive from the HTTP client's thread.
#include "actors/discovery/product_discovery_agent.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "actors/discovery/catalog_bootstrap.hpp"
#include "adapters/embeddings/embedding_settings.hpp"
#include "adapters/embeddings/openai_embedding_client.hpp"
#include "adapters/http/curl_http_client.hpp"
#include "adapters/index/product_index.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/type_registry.hpp"
#include "runtime/metrics_registry.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

const std::string path = "/v1/embeddings";
const char* fallback_metric = "cartmate_embedding_fallback_total";

struct threaded_config : caf::actor_system_config {
  threaded_config() {
    protocol::register_protocol_types(*this);
    set("scheduler.max-threads", 2);
    set("logger.console", caf::atom("none"));
  }
};

fixture_route answer(const std::string& name, int status = 200) {
  fixture_route r;
  r.status = status;
  auto text = read_text_file(std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/embeddings/" + name);
  EXPECT_TRUE(text) << name;
  r.body = text.value_or("");
  return r;
}

protocol::product item(std::string id, std::string title, std::string type) {
  protocol::product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.brand = "Acme";
  p.product_type = std::move(type);
  p.price = {250000, "INR"};
  p.stock = 4;
  return p;
}

// Two running shoes both matching "running shoes"; the model's query vector (the second axis,
// query_running_shoes.json) is nearest to "trail", while BM25 prefers "road" (shorter title).
std::shared_ptr<index::product_index> model_index() {
  std::vector<protocol::product> products = {item("road", "Acme Running Shoes", "shoes"),
                                             item("trail", "Acme Trail Running Shoes Grip", "shoes"),
                                             item("sandal", "Acme Sandals", "sandals")};
  std::vector<std::vector<float>> vectors = {{1.f, 0.1f, 0.f, 0.f}, {0.1f, 1.f, 0.f, 0.f},
                                             {0.f, 0.f, 1.f, 0.f}};
  auto built = index::product_index::build_with_vectors(std::move(products), std::move(vectors));
  EXPECT_TRUE(built) << protocol::describe(built.error());
  return std::make_shared<index::product_index>(std::move(*built));
}

std::vector<std::string> ids_of(const protocol::search_result& r) {
  std::vector<std::string> out;
  for (const auto& p : r.products)
    out.push_back(p.id);
  return out;
}

struct discovery_embeddings_test : ::testing::Test {
  fixture_http_server server;
  std::shared_ptr<http::curl_http_client> http = std::make_shared<http::curl_http_client>();
  threaded_config cfg;
  caf::actor_system sys{cfg};
  runtime::metrics_registry metrics;
  std::shared_ptr<index::product_index> idx = model_index();
  caf::actor agent;

  ~discovery_embeddings_test() override {
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
    http->stop();
    server.stop();
  }

  std::shared_ptr<embeddings::openai_embedding_client> model(runtime::breaker_settings breaker = {5, 10s}) {
    embeddings::openai_embedding_options o;
    o.base_url = server.base_url() + "/v1";
    o.model = "fixture-embed-4";
    o.dimensions = 4;
    o.breaker = breaker;
    return std::make_shared<embeddings::openai_embedding_client>(o, http);
  }

  void start(std::shared_ptr<embeddings::embedding_client> client,
             std::chrono::milliseconds query_timeout = 2000ms) {
    discovery::discovery_deps deps;
    deps.index = idx;
    deps.metrics = &metrics;
    deps.query_embedder = std::move(client);
    deps.query_timeout = query_timeout;
    agent = discovery::spawn_product_discovery_agent(sys, std::move(deps));
  }

  caf::expected<protocol::search_result> search(std::string query, int64_t deadline_ms = 0) {
    protocol::search_request req;
    req.env.trace_id = "t-emb";
    req.env.deadline_ms = deadline_ms;
    req.query = std::move(query);
    req.limit = 10;
    caf::scoped_actor self{sys};
    caf::expected<protocol::search_result> out{caf::error{}};
    // The agent answers within its query budget; this bound only keeps a broken build from hanging.
    self->request(agent, 30s, req).receive(
      [&](protocol::search_result& r) { out = std::move(r); },
      [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  uint64_t fallbacks(const std::string& reason) const {
    return metrics.counter_value(fallback_metric, {{"reason", reason}});
  }

  std::vector<std::string> lexical_order(const std::string& query) const {
    auto r = idx->search(query, {}, 10);
    EXPECT_TRUE(r);
    return ids_of(*r);
  }
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

TEST_F(discovery_embeddings_test, query_vector_from_the_model_ranks_the_matches) {
  server.route(path, answer("query_running_shoes.json"));
  start(model());
  ASSERT_EQ(lexical_order("running shoes").front(), "road");   // what keywords alone would say
  auto r = search("running shoes");
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_EQ(ids_of(*r), (std::vector<std::string>{"trail", "road"}));
  EXPECT_TRUE(r->degraded.empty());
  EXPECT_THAT(r->explanation, ::testing::Not(HasSubstr("keywords only")));
  EXPECT_EQ(server.hits(path), 1);
  EXPECT_EQ(fallbacks("timeout") + fallbacks("unavailable") + fallbacks("error"), 0u);
}

TEST_F(discovery_embeddings_test, slow_model_falls_back_to_lexical_search_and_counts_it) {
  auto slow = answer("query_running_shoes.json");
  slow.delay = 5000ms;
  server.route(path, slow);
  start(model(), 100ms);
  auto r = search("running shoes");
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_EQ(ids_of(*r), lexical_order("running shoes"));
  EXPECT_EQ(r->degraded, "embeddings: timeout");
  EXPECT_THAT(r->explanation, HasSubstr("keywords only"));
  EXPECT_EQ(fallbacks("timeout"), 1u);
}

TEST_F(discovery_embeddings_test, failing_model_falls_back_with_its_reason) {
  server.route(path, answer("server_error_500.json", 500));
  start(model());
  auto r = search("running shoes");
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_EQ(ids_of(*r), lexical_order("running shoes"));
  EXPECT_EQ(r->degraded, "embeddings: unavailable");
  EXPECT_EQ(fallbacks("unavailable"), 1u);
}

TEST_F(discovery_embeddings_test, garbled_or_wrong_sized_answers_fall_back_as_errors) {
  server.route_sequence(path, {answer("malformed_truncated.json"), answer("wrong_dimension.json")});
  start(model());
  for (int i = 0; i < 2; ++i) {
    auto r = search("running shoes");
    ASSERT_TRUE(r) << protocol::describe(r.error());
    EXPECT_EQ(r->degraded, "embeddings: error");
  }
  EXPECT_EQ(fallbacks("error"), 2u);
}

TEST_F(discovery_embeddings_test, open_breaker_answers_at_once_without_calling_the_model) {
  server.route(path, answer("server_error_500.json", 500));
  start(model({1, 60s}));
  ASSERT_TRUE(search("running shoes"));
  auto r = search("running shoes");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->degraded, "embeddings: breaker_open");
  EXPECT_EQ(server.hits(path), 1);
  EXPECT_EQ(fallbacks("breaker_open"), 1u);
}

TEST_F(discovery_embeddings_test, no_time_left_in_the_request_skips_the_model) {
  server.route(path, answer("query_running_shoes.json"));
  start(model());
  auto r = search("running shoes", now_ms() + 5);   // less than the reply margin
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_EQ(r->degraded, "embeddings: deadline");
  EXPECT_EQ(server.total_hits(), 0);
  EXPECT_EQ(fallbacks("deadline"), 1u);
}

TEST_F(discovery_embeddings_test, browsing_needs_no_query_vector) {
  server.route(path, answer("query_running_shoes.json"));
  start(model());
  auto r = search("");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total_matches, 3u);
  EXPECT_TRUE(r->degraded.empty());
  EXPECT_EQ(server.total_hits(), 0);
}

// --- start-up: the catalog file embedded through the model -----------------------------------

struct scratch_file {
  std::filesystem::path path;
  explicit scratch_file(const std::string& text) {
    path = std::filesystem::temp_directory_path()
           / ("cartmate_emb_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed())
              + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl");
    std::ofstream{path, std::ios::binary} << text;
  }
  ~scratch_file() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

config::node_config config_for(const std::string& file) {
  config::node_config cfg;
  cfg.catalog.path = file;
  cfg.catalog.currency = "INR";
  cfg.index.embedding_dim = 32;
  return cfg;
}

const char* two_products = R"({"id": "a", "title": "Swiftfoot Black Running Shoes", "price": 2499})"
                           "\n"
                           R"({"id": "b", "title": "Rangrez Red Kurta", "price": 1299})"
                           "\n";

TEST_F(discovery_embeddings_test, bootstrap_embeds_the_catalog_with_the_model) {
  server.route(path, answer("batch_1_of_3.json"));
  scratch_file file{two_products};
  auto client = model();
  size_t last_done = 0;
  size_t last_total = 0;
  auto loaded = discovery::load_product_index(
    config_for(file.path.string()),
    [&](const catalog::load_progress& p) {
      last_done = p.rows_read;
      last_total = p.total_bytes;
    },
    client.get());
  ASSERT_TRUE(loaded) << protocol::describe(loaded.error());
  EXPECT_TRUE((*loaded)->has_model_vectors());
  EXPECT_EQ((*loaded)->dim(), 4u);   // the model's, not index.embedding_dim
  EXPECT_EQ(last_done, 2u);          // the last progress report is the embedding's
  EXPECT_EQ(last_total, 2u);
  EXPECT_EQ(server.hits(path), 1);
}

TEST_F(discovery_embeddings_test, bootstrap_refuses_a_model_of_the_wrong_dimension) {
  server.route(path, answer("batch_1_of_3.json"));   // 4 floats where 8 are configured
  scratch_file file{two_products};
  embeddings::openai_embedding_options o;
  o.base_url = server.base_url() + "/v1";
  o.model = "fixture-embed-4";
  o.dimensions = 8;
  embeddings::openai_embedding_client client{o, http};
  auto loaded = discovery::load_product_index(config_for(file.path.string()), {}, &client);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(protocol::errc_of(loaded.error()), protocol::errc::conflict);
  auto text = protocol::describe(loaded.error());
  EXPECT_THAT(text, HasSubstr("cannot embed catalog"));
  EXPECT_THAT(text, HasSubstr("4-dimensional"));
  EXPECT_THAT(text, HasSubstr("8 dimensions"));
}

TEST_F(discovery_embeddings_test, bootstrap_fails_when_the_model_is_unreachable) {
  scratch_file file{two_products};
  embeddings::openai_embedding_options o;
  o.base_url = server.base_url() + "/v1";
  o.model = "fixture-embed-4";
  o.max_attempts = 1;
  server.stop();
  embeddings::openai_embedding_client client{o, http};
  auto loaded = discovery::load_product_index(config_for(file.path.string()), {}, &client);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(protocol::errc_of(loaded.error()), protocol::errc::unavailable);
  EXPECT_THAT(protocol::describe(loaded.error()), HasSubstr("embeddings.base_url"));
}

}  // namespace
}  // namespace cartmate::testing

namespace cartmate::testing {
namespace {

embeddings::embedding_settings model_settings(size_t dims) {
  embeddings::embedding_settings s;
  s.provider = embeddings::embedding_provider::openai;
  s.model = "nomic-embed-text";
  s.dimensions = dims;
  return s;
}

TEST(stored_model_vectors, build_the_index_when_source_and_dimension_match) {
  auto idx = discovery::index_from_model_vectors({item("a", "Acme Running Shoes", "shoes")},
                                                 {{1.f, 0.f, 0.f}}, "openai:nomic-embed-text",
                                                 model_settings(3));
  ASSERT_TRUE(idx) << protocol::describe(idx.error());
  EXPECT_TRUE((*idx)->has_model_vectors());
  EXPECT_EQ((*idx)->dim(), 3u);
}

TEST(stored_model_vectors, another_model_or_dimension_is_refused_with_a_re_ingest_hint) {
  auto other_model = discovery::index_from_model_vectors(
    {item("a", "Acme Running Shoes", "shoes")}, {{1.f, 0.f, 0.f}}, "openai:all-minilm",
    model_settings(3));
  ASSERT_FALSE(other_model);
  EXPECT_EQ(protocol::errc_of(other_model.error()), protocol::errc::conflict);
  EXPECT_THAT(protocol::describe(other_model.error()), HasSubstr("openai:all-minilm"));
  EXPECT_THAT(protocol::describe(other_model.error()), HasSubstr("re-ingest"));

  auto hashed = discovery::index_from_model_vectors({item("a", "Acme Running Shoes", "shoes")},
                                                    {{1.f, 0.f, 0.f}}, "", model_settings(3));
  ASSERT_FALSE(hashed);
  EXPECT_THAT(protocol::describe(hashed.error()), HasSubstr("'hashing'"));

  auto other_dim = discovery::index_from_model_vectors(
    {item("a", "Acme Running Shoes", "shoes")}, {{1.f, 0.f, 0.f}}, "openai:nomic-embed-text",
    model_settings(768));
  ASSERT_FALSE(other_dim);
  EXPECT_EQ(protocol::errc_of(other_dim.error()), protocol::errc::conflict);
  EXPECT_THAT(protocol::describe(other_dim.error()), HasSubstr("768"));
  EXPECT_THAT(protocol::describe(other_dim.error()), HasSubstr("re-ingest"));
}

TEST(stored_model_vectors, hashing_nodes_refuse_model_vectors) {
  embeddings::embedding_settings hashing;
  EXPECT_FALSE(discovery::check_vector_source("", hashing));
  EXPECT_FALSE(discovery::check_vector_source("hashing", hashing));
  auto err = discovery::check_vector_source("openai:nomic-embed-text", hashing);
  ASSERT_TRUE(err);
  EXPECT_EQ(protocol::errc_of(err), protocol::errc::conflict);
}

}  // namespace
}  // namespace cartmate::testing
