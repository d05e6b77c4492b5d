// embeddings_client_test.cpp — openai_embedding_client against a real HTTP server on 127.0.0.1
// replaying recorded OpenAI-format answers: batching and order, the Authorization header, 429
// with Retry-After, 500 until the attempts run out, timeouts, malformed JSON, a wrong dimension,
// refused keys, and the query API with its deadline and circuit breaker.
#include "adapters/embeddings/openai_embedding_client.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/embeddings/product_text.hpp"
#include "adapters/http/curl_http_client.hpp"
#include "protocol/errors.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using embeddings::openai_embedding_client;
using embeddings::openai_embedding_options;
using protocol::errc;
using ::testing::HasSubstr;

const std::string path = "/v1/embeddings";

std::string fixture(const std::string& name) {
  auto text = read_text_file(std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/embeddings/" + name);
  EXPECT_TRUE(text) << name;
  return text.value_or("");
}

fixture_route answer(const std::string& name, int status = 200) {
  fixture_route r;
  r.status = status;
  r.body = fixture(name);
  return r;
}

struct embeddings_client_test : ::testing::Test {
  fixture_http_server server;
  std::shared_ptr<http::curl_http_client> http = std::make_shared<http::curl_http_client>();

  ~embeddings_client_test() override {
    http->stop();
    server.stop();
  }

  openai_embedding_options options() {
    openai_embedding_options o;
    o.base_url = server.base_url() + "/v1/";
    o.model = "fixture-embed-4";
    o.batch_size = 2;
    o.timeout = 2000ms;
    o.max_attempts = 3;
    o.backoff = {1ms, 2ms, 2.0, 0.0};
    return o;
  }

  std::unique_ptr<openai_embedding_client> client(openai_embedding_options o) {
    return std::make_unique<openai_embedding_client>(std::move(o), http);
  }

  static caf::expected<std::vector<float>> query(openai_embedding_client& c, std::string text,
                                                 std::chrono::milliseconds budget) {
    std::promise<caf::expected<std::vector<float>>> p;
    c.embed_query(std::move(text), std::chrono::steady_clock::now() + budget,
                  [&p](caf::expected<std::vector<float>> v) { p.set_value(std::move(v)); });
    return p.get_future().get();
  }
};

std::vector<std::string> texts(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 1; i <= n; ++i)
    out.push_back("text " + std::to_string(i));
  return out;
}

TEST_F(embeddings_client_test, batches_keep_the_order_of_the_texts) {
  server.route_sequence(path, {answer("batch_1_of_3.json"), answer("batch_2_of_3_out_of_order.json"),
                               answer("batch_3_of_3.json")});
  auto o = options();
  o.api_key = "sk-fixture-key";
  auto c = client(o);
  std::vector<std::pair<size_t, size_t>> progress;
  auto got = c->embed_batch(texts(5), [&](size_t done, size_t total) {
    progress.emplace_back(done, total);
  });
  ASSERT_TRUE(got) << protocol::describe(got.error());
  ASSERT_EQ(got->size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    ASSERT_EQ((*got)[i].size(), 4u);
    EXPECT_FLOAT_EQ((*got)[i][0], static_cast<float>(i + 1)) << "text " << i + 1;
  }
  EXPECT_EQ(server.hits(path), 3);   // ceil(5 / 2)
  EXPECT_EQ(progress, (std::vector<std::pair<size_t, size_t>>{{2, 5}, {4, 5}, {5, 5}}));
  EXPECT_EQ(c->dimensions(), 4u);

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  std::vector<std::string> sent;
  for (const auto& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.headers.at("authorization"), "Bearer sk-fixture-key");
    EXPECT_THAT(r.headers.at("content-type"), HasSubstr("application/json"));
    auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body.at("model"), "fixture-embed-4");
    for (const auto& t : body.at("input"))
      sent.push_back(t.get<std::string>());
  }
  EXPECT_EQ(sent, texts(5));
}

TEST_F(embeddings_client_test, no_authorization_header_without_a_key) {
  server.route(path, answer("batch_3_of_3.json"));
  auto got = client(options())->embed_batch(texts(1));
  ASSERT_TRUE(got) << protocol::describe(got.error());
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].headers.count("authorization"), 0u);
}

TEST_F(embeddings_client_test, rate_limit_waits_for_retry_after_then_succeeds) {
  auto limited = answer("rate_limited_429.json", 429);
  limited.headers["Retry-After"] = "1";
  server.route_sequence(path, {limited, answer("batch_3_of_3.json")});
  auto o = options();
  o.backoff = {0ms, 0ms, 1.0, 0.0};   // any wait seen below comes from Retry-After
  auto c = client(o);
  auto start = std::chrono::steady_clock::now();
  auto got = c->embed_batch(texts(1));
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(got) << protocol::describe(got.error());
  EXPECT_FLOAT_EQ((*got)[0][0], 5.f);
  EXPECT_EQ(server.hits(path), 2);
  // A lower bound only: sleep_for never wakes early, so this cannot fail by timing luck.
  EXPECT_GE(waited, 1s);
}

TEST_F(embeddings_client_test, server_errors_fail_after_max_attempts) {
  server.route(path, answer("server_error_500.json", 500));
  auto got = client(options())->embed_batch(texts(3));
  ASSERT_FALSE(got);
  EXPECT_EQ(protocol::errc_of(got.error()), errc::unavailable);
  auto text = protocol::describe(got.error());
  EXPECT_THAT(text, HasSubstr("500"));
  EXPECT_THAT(text, HasSubstr("The server had an error"));
  EXPECT_THAT(text, HasSubstr("3 attempts"));
  EXPECT_THAT(text, HasSubstr("texts 1-2 of 3"));
  EXPECT_EQ(server.hits(path), 3);
}

TEST_F(embeddings_client_test, slow_answers_time_out_and_are_retried) {
  auto slow = answer("batch_3_of_3.json");
  slow.delay = 3000ms;
  server.route(path, slow);
  auto o = options();
  o.timeout = 100ms;
  o.max_attempts = 2;
  auto got = client(o)->embed_batch(texts(1));
  ASSERT_FALSE(got);
  EXPECT_EQ(protocol::errc_of(got.error()), errc::timeout);
  EXPECT_EQ(server.hits(path), 2);
}

TEST_F(embeddings_client_test, malformed_json_is_an_error_without_retry) {
  server.route(path, answer("malformed_truncated.json"));
  auto got = client(options())->embed_batch(texts(1));
  ASSERT_FALSE(got);
  EXPECT_EQ(protocol::errc_of(got.error()), errc::agent_error);
  EXPECT_THAT(protocol::describe(got.error()), HasSubstr("malformed"));
  EXPECT_EQ(server.hits(path), 1);
}

TEST_F(embeddings_client_test, wrong_dimension_against_the_configuration_is_a_clear_error) {
  server.route(path, answer("wrong_dimension.json"));
  auto o = options();
  o.dimensions = 4;
  auto got = client(o)->embed_batch(texts(1));
  ASSERT_FALSE(got);
  EXPECT_EQ(protocol::errc_of(got.error()), errc::conflict);
  auto text = protocol::describe(got.error());
  EXPECT_THAT(text, HasSubstr("3-dimensional"));
  EXPECT_THAT(text, HasSubstr("4 dimensions"));
  EXPECT_EQ(server.hits(path), 1);
}

TEST_F(embeddings_client_test, wrong_dimension_against_the_first_answer_is_an_error) {
  server.route_sequence(path, {answer("batch_1_of_3.json"), answer("wrong_dimension.json")});
  auto c = client(options());   // dimensions 0: the first answer fixes 4
  auto got = c->embed_batch(texts(3));
  ASSERT_FALSE(got);
  EXPECT_EQ(protocol::errc_of(got.error()), errc::conflict);
  EXPECT_THAT(protocol::describe(got.error()), HasSubstr("texts 3-3 of 3"));
  EXPECT_EQ(c->dimensions(), 4u);
}

TEST_F(embeddings_client_test, refused_key_is_not_retried_and_says_why) {
  server.route(path, answer("unauthorized_401.json", 401));
  auto got = client(options())->embed_batch(texts(1));
  ASSERT_FALSE(got);
  auto text = protocol::describe(got.error());
  EXPECT_THAT(text, HasSubstr("401"));
  EXPECT_THAT(text, HasSubstr("Incorrect API key"));
  EXPECT_THAT(text, HasSubstr("api_key_env"));
  EXPECT_EQ(server.hits(path), 1);
}

TEST_F(embeddings_client_test, unreachable_endpoint_is_unavailable) {
  auto o = options();
  server.stop();   // nothing listens on that port any more
  o.max_attempts = 2;
  auto got = client(o)->embed_batch(texts(1));
  ASSERT_FALSE(got);
  EXPECT_EQ(protocol::errc_of(got.error()), errc::unavailable);
}

TEST_F(embeddings_client_test, query_answers_one_vector) {
  server.route(path, answer("query_running_shoes.json"));
  auto c = client(options());
  auto v = query(*c, "running shoes", 2000ms);
  ASSERT_TRUE(v) << protocol::describe(v.error());
  EXPECT_EQ(*v, (std::vector<float>{0.f, 1.f, 0.f, 0.f}));
  auto body = nlohmann::json::parse(server.requests().at(0).body);
  EXPECT_EQ(body.at("input"), nlohmann::json::array({"running shoes"}));
}

TEST_F(embeddings_client_test, slow_query_times_out_at_its_deadline) {
  auto slow = answer("query_running_shoes.json");
  slow.delay = 3000ms;
  server.route(path, slow);
  auto c = client(options());
  auto v = query(*c, "running shoes", 100ms);
  ASSERT_FALSE(v);
  EXPECT_EQ(protocol::errc_of(v.error()), errc::timeout);
  EXPECT_EQ(server.hits(path), 1);   // one attempt: no time for another
}

TEST_F(embeddings_client_test, query_with_no_time_left_fails_without_a_request) {
  server.route(path, answer("query_running_shoes.json"));
  auto c = client(options());
  auto v = query(*c, "running shoes", -5ms);
  ASSERT_FALSE(v);
  EXPECT_EQ(protocol::errc_of(v.error()), errc::timeout);
  EXPECT_EQ(server.total_hits(), 0);
}

TEST_F(embeddings_client_test, breaker_opens_after_repeated_failures) {
  server.route(path, answer("server_error_500.json", 500));
  auto o = options();
  o.breaker = {2, 60s};
  auto c = client(o);
  for (int i = 0; i < 2; ++i) {
    auto v = query(*c, "shoes", 2000ms);
    ASSERT_FALSE(v);
    EXPECT_EQ(protocol::errc_of(v.error()), errc::unavailable);
  }
  EXPECT_EQ(c->breaker_state(), runtime::breaker_state::open);
  auto v = query(*c, "shoes", 2000ms);
  ASSERT_FALSE(v);
  EXPECT_EQ(protocol::errc_of(v.error()), errc::breaker_open);
  EXPECT_EQ(server.hits(path), 2);   // the open breaker sent nothing
  auto batch = c->embed_batch(texts(1));
  ASSERT_FALSE(batch);
  EXPECT_EQ(protocol::errc_of(batch.error()), errc::breaker_open);
  EXPECT_EQ(server.hits(path), 2);
}

TEST_F(embeddings_client_test, products_are_embedded_with_their_describing_text) {
  server.route(path, answer("batch_3_of_3.json"));
  protocol::product p;
  p.id = "p1";
  p.title = "Roadster Blue Sneakers";
  p.product_type = "sneaker";
  p.brand = "Roadster";
  p.colour = "Blue";
  auto got = embeddings::embed_products(*client(options()), {p});
  ASSERT_TRUE(got) << protocol::describe(got.error());
  auto body = nlohmann::json::parse(server.requests().at(0).body);
  EXPECT_EQ(body.at("input").at(0), "Roadster Blue Sneakers. sneaker. Roadster. Blue");
}

}  // namespace
}  // namespace cartmate::testing
