// llm_client_test.cpp — the OpenAI-compatible client over the real libcurl HTTP client against
// the fixture server on 127.0.0.1 replaying recorded answers: tool calls into a plan, 429 with
// Retry-After then 200, 500s until the attempts run out, a slow model cut at the deadline,
// malformed bodies, the breaker failing fast, and a stream split across real chunk boundaries.
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/http/curl_http_client.hpp"
#include "adapters/llm/llm_understanding.hpp"
#include "adapters/llm/openai_chat_client.hpp"
#include "adapters/llm/reply_phraser.hpp"
#include "protocol/errors.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::llm {
namespace {

using namespace std::chrono_literals;
using protocol::errc;
using testing::fixture_route;

// Bounds only how long a broken client can hang a test; no assertion depends on it.
constexpr auto safety = 20s;
const std::string path = "/v1/chat/completions";

std::string fixture(const std::string& name) {
  auto text = testing::read_text_file(std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/llm/"
                                      + name);
  EXPECT_TRUE(text) << name;
  return text.value_or("");
}

fixture_route answer(int status, const std::string& file) {
  fixture_route r;
  r.status = status;
  r.body = fixture(file);
  return r;
}

std::vector<std::string> offered() {
  std::vector<std::string> out;
  for (auto i : nlu::all_intents)
    if (i != nlu::intent::unknown)
      out.emplace_back(nlu::to_string(i));
  return out;
}

struct llm_client_test : ::testing::Test {
  testing::fixture_http_server server;
  std::shared_ptr<http::curl_http_client> http = std::make_shared<http::curl_http_client>();
  openai_options options;

  llm_client_test() {
    options.base_url = server.base_url() + "/v1/";
    options.model = "test-model";
    options.api_key = "sk-fixture";
    options.timeout = 2000ms;
    options.max_attempts = 3;
    options.backoff = runtime::backoff_policy{5ms, 20ms, 2.0, 0.0};
    options.breaker = runtime::breaker_settings{10, 60000ms};
  }

  ~llm_client_test() override { http->stop(); }

  std::unique_ptr<openai_chat_client> client() {
    return std::make_unique<openai_chat_client>(options, http);
  }

  static chat_request request(std::chrono::milliseconds within = 5000ms) {
    chat_request req;
    req.messages.push_back({"user", "hello"});
    req.deadline = std::chrono::steady_clock::now() + within;
    return req;
  }

  static caf::expected<chat_reply> ask(chat_client& c, chat_request req) {
    auto done = std::make_shared<std::promise<caf::expected<chat_reply>>>();
    auto f = done->get_future();
    c.complete(std::move(req),
               [done](caf::expected<chat_reply> r) { done->set_value(std::move(r)); });
    if (f.wait_for(safety) != std::future_status::ready)
      return protocol::make_error(errc::agent_error, "the client never called back");
    return f.get();
  }
};

TEST_F(llm_client_test, a_recorded_tool_call_becomes_a_plan) {
  server.route(path, answer(200, "multiple_tool_calls.json"));
  auto chat = std::shared_ptr<chat_client>{client()};
  llm_prompts prompts;
  prompts.understanding_prompt = "You plan.";
  prompts.tools_json = R"([{"type":"function","function":{"name":"add_to_cart","parameters":{}}},
                           {"type":"function","function":{"name":"view_cart","parameters":{}}}])";
  prompts.tool_names = {"add_to_cart", "view_cart"};
  llm_understanding model{chat, prompts, 0.0};
  auto done = std::make_shared<std::promise<caf::expected<nlu::understanding>>>();
  auto f = done->get_future();
  model.understand("add two of the second one in M and show my cart", {},
                   std::chrono::steady_clock::now() + 5s,
                   [done](caf::expected<nlu::understanding> u) { done->set_value(std::move(u)); });
  ASSERT_EQ(f.wait_for(safety), std::future_status::ready);
  auto u = f.get();
  ASSERT_TRUE(u) << protocol::describe(u.error());
  ASSERT_EQ(u->steps.size(), 2u);
  EXPECT_EQ(u->steps[0].act, nlu::intent::add_to_cart);
  EXPECT_EQ(u->steps[1].act, nlu::intent::view_cart);
  // What went over the wire.
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].path, path);
  EXPECT_EQ(reqs[0].headers["authorization"], "Bearer sk-fixture");
  EXPECT_EQ(reqs[0].headers["content-type"], "application/json");
  auto body = nlohmann::json::parse(reqs[0].body);
  EXPECT_EQ(body["model"], "test-model");
  EXPECT_EQ(body["tools"].size(), 2u);
  EXPECT_EQ(body["tool_choice"], "auto");
  EXPECT_EQ(body["messages"][0]["content"], "You plan.");
}

TEST_F(llm_client_test, invalid_tool_calls_reach_the_caller_as_errors) {
  server.route(path, answer(200, "unknown_tool.json"));
  auto chat = std::shared_ptr<chat_client>{client()};
  llm_prompts prompts;
  prompts.understanding_prompt = "You plan.";
  prompts.tools_json = "[]";
  prompts.tool_names = offered();
  llm_understanding model{chat, prompts, 0.0};
  auto done = std::make_shared<std::promise<caf::expected<nlu::understanding>>>();
  auto f = done->get_future();
  model.understand("pizza", {}, std::chrono::steady_clock::now() + 5s,
                   [done](caf::expected<nlu::understanding> u) { done->set_value(std::move(u)); });
  ASSERT_EQ(f.wait_for(safety), std::future_status::ready);
  auto u = f.get();
  ASSERT_FALSE(u);
  EXPECT_EQ(protocol::errc_of(u.error()), errc::invalid_argument);
}

TEST_F(llm_client_test, no_authorization_header_without_a_key) {
  options.api_key.clear();
  server.route(path, answer(200, "text_reply.json"));
  auto c = client();
  auto r = ask(*c, request());
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_EQ(r->content, "Sure! Let me look for kurtas.");
  EXPECT_EQ(server.requests().at(0).headers.count("authorization"), 0u);
}

TEST_F(llm_client_test, rate_limited_then_ok_is_retried_after_retry_after) {
  auto limited = answer(429, "rate_limited.json");
  limited.headers["Retry-After"] = "0.2";
  server.route_sequence(path, {limited, answer(200, "tool_call.json")});
  auto c = client();
  auto r = ask(*c, request());
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_EQ(r->attempts, 2);
  ASSERT_EQ(r->tool_calls.size(), 1u);
  EXPECT_EQ(server.hits(path), 2);
}

TEST_F(llm_client_test, retry_after_past_the_deadline_fails_without_waiting) {
  auto limited = answer(429, "rate_limited.json");
  limited.headers["Retry-After"] = "30";
  server.route_sequence(path, {limited, answer(200, "tool_call.json")});
  auto c = client();
  auto r = ask(*c, request(1500ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::unavailable);
  EXPECT_NE(protocol::describe(r.error()).find("rate limited"), std::string::npos);
  EXPECT_EQ(server.hits(path), 1);
}

TEST_F(llm_client_test, server_errors_are_retried_until_the_attempts_run_out) {
  server.route(path, answer(500, "error_body.json"));
  auto c = client();
  auto r = ask(*c, request());
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::unavailable);
  auto text = protocol::describe(r.error());
  EXPECT_NE(text.find("500"), std::string::npos) << text;
  EXPECT_NE(text.find("after 3 attempts"), std::string::npos) << text;
  EXPECT_EQ(server.hits(path), 3);
}

TEST_F(llm_client_test, a_500_then_ok_succeeds) {
  server.route_sequence(path, {answer(500, "error_body.json"), answer(200, "tool_call.json")});
  auto c = client();
  auto r = ask(*c, request());
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_EQ(r->attempts, 2);
}

TEST_F(llm_client_test, a_slow_model_times_out_at_the_callers_deadline) {
  auto slow = answer(200, "tool_call.json");
  slow.delay = 15s;
  server.route(path, slow);
  options.timeout = 60000ms;   // only the caller's deadline can end it
  auto c = client();
  auto r = ask(*c, request(300ms));
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::timeout) << protocol::describe(r.error());
  EXPECT_GE(server.hits(path), 1);
}

TEST_F(llm_client_test, malformed_bodies_and_refusals_are_not_retried) {
  fixture_route broken = answer(200, "malformed_body.txt");
  server.route(path, broken);
  auto c = client();
  auto r = ask(*c, request());
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::agent_error);
  EXPECT_EQ(server.hits(path), 1);

  fixture_route refused;
  refused.status = 401;
  refused.body = R"({"error":{"message":"Incorrect API key provided"}})";
  server.route("/v1/chat/completions", refused);
  auto r2 = ask(*c, request());
  ASSERT_FALSE(r2);
  EXPECT_EQ(protocol::errc_of(r2.error()), errc::invalid_argument);
  EXPECT_NE(protocol::describe(r2.error()).find("Incorrect API key"), std::string::npos);
  EXPECT_EQ(server.hits(path), 2);
}

TEST_F(llm_client_test, the_breaker_opens_after_repeated_failures_and_then_fails_fast) {
  options.max_attempts = 1;
  options.breaker = runtime::breaker_settings{2, 60000ms};
  server.route(path, answer(500, "error_body.json"));
  auto c = client();
  EXPECT_FALSE(ask(*c, request()));
  EXPECT_EQ(c->breaker_state(), runtime::breaker_state::closed);
  EXPECT_FALSE(ask(*c, request()));
  EXPECT_EQ(c->breaker_state(), runtime::breaker_state::open);
  server.route(path, answer(200, "tool_call.json"));   // healthy again, but the breaker is open
  auto r = ask(*c, request());
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::breaker_open);
  EXPECT_EQ(server.hits(path), 2);
}

TEST_F(llm_client_test, a_stream_split_across_chunks_reassembles) {
  // Cut the recorded stream at awkward places: inside "data:", inside the JSON, between the
  // two newlines that end an event.
  auto bytes = fixture("stream_chunks.sse");
  fixture_route streamed;
  streamed.content_type = "text/event-stream";
  for (size_t at = 0; at < bytes.size(); at += 37)
    streamed.chunks.push_back(bytes.substr(at, 37));
  streamed.chunk_pause = 5ms;
  ASSERT_GT(streamed.chunks.size(), 10u);
  server.route(path, streamed);
  auto c = std::shared_ptr<chat_client>{client()};
  reply_phraser phraser{c, "Rephrase.", 0.0};
  std::mutex m;
  std::vector<std::string> deltas;
  auto done = std::make_shared<std::promise<caf::expected<std::string>>>();
  auto f = done->get_future();
  phraser.phrase("blue kurtas", "2 blue kurtas under 1500", std::chrono::steady_clock::now() + 10s,
                 [&](const std::string& d) {
                   std::lock_guard<std::mutex> guard{m};
                   deltas.push_back(d);
                 },
                 [done](caf::expected<std::string> r) { done->set_value(std::move(r)); });
  ASSERT_EQ(f.wait_for(safety), std::future_status::ready);
  auto text = f.get();
  ASSERT_TRUE(text) << protocol::describe(text.error());
  const std::string expected = "Here are two blue kurtas under ₹1,500 — want the first one?";
  EXPECT_EQ(*text, expected);
  std::lock_guard<std::mutex> guard{m};
  EXPECT_EQ(deltas, (std::vector<std::string>{"Here are ", "two blue kurtas ", "under ₹1,500 — ",
                                              "want the first one?"}));
  auto req = server.requests().at(0);
  EXPECT_EQ(req.headers["accept"], "text/event-stream");
  EXPECT_EQ(nlohmann::json::parse(req.body)["stream"], true);
}

TEST_F(llm_client_test, a_stream_that_breaks_midway_fails) {
  fixture_route streamed;
  streamed.content_type = "text/event-stream";
  streamed.chunks = {"data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n",
                     "data: {\"choices\":[{\"delta\":{\"cont", "this is not json\n\n"};
  server.route(path, streamed);
  auto c = client();
  std::vector<std::string> deltas;   // written on the HTTP thread, read after done
  auto done = std::make_shared<std::promise<caf::expected<chat_reply>>>();
  auto f = done->get_future();
  c->stream(request(), [&deltas](const std::string& d) { deltas.push_back(d); },
            [done](caf::expected<chat_reply> r) { done->set_value(std::move(r)); });
  ASSERT_EQ(f.wait_for(safety), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), errc::agent_error);
  EXPECT_EQ(deltas, std::vector<std::string>{"Hel"});
  EXPECT_EQ(server.hits(path), 1);   // a delta went out: no retry could take it back
}

TEST(http_client_headers, response_headers_are_readable_in_any_case) {
  http::http_response r;
  r.headers["retry-after"] = "3";
  EXPECT_EQ(r.header("Retry-After"), "3");
  EXPECT_FALSE(r.header("X-Missing"));
}

}  // namespace
}  // namespace cartmate::llm
