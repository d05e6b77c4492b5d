// embeddings_wire_test.cpp — the OpenAI /embeddings format without a network: answer checks,
// error bodies, Retry-After, product texts, and the `embeddings` settings section.
#include "adapters/embeddings/openai_wire.hpp"

#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/embeddings/embedding_settings.hpp"
#include "adapters/embeddings/product_text.hpp"
#include "protocol/errors.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using namespace cartmate::embeddings;
using protocol::errc;
using ::testing::HasSubstr;

TEST(EmbeddingsWire, RequestBodyNamesModelAndInputs) {
  auto body = nlohmann::json::parse(embeddings_request_body("nomic-embed-text", {"a", "b"}));
  EXPECT_EQ(body.at("model"), "nomic-embed-text");
  EXPECT_EQ(body.at("input"), nlohmann::json::array({"a", "b"}));
  EXPECT_EQ(body.at("encoding_format"), "float");
  // Invalid UTF-8 is replaced rather than making the body unsendable.
  EXPECT_NO_THROW(nlohmann::json::parse(embeddings_request_body("m", {"bad \xff byte"})));
}

TEST(EmbeddingsWire, AnswersAreOrderedByIndex) {
  auto got = parse_embeddings_response(
    R"({"data":[{"index":2,"embedding":[3,0]},{"index":0,"embedding":[1,0]},)"
    R"({"index":1,"embedding":[2,0]}]})",
    3, 0);
  ASSERT_TRUE(got) << protocol::describe(got.error());
  EXPECT_FLOAT_EQ((*got)[0][0], 1.f);
  EXPECT_FLOAT_EQ((*got)[1][0], 2.f);
  EXPECT_FLOAT_EQ((*got)[2][0], 3.f);
  // Without indexes the position counts.
  auto plain = parse_embeddings_response(R"({"data":[{"embedding":[1]},{"embedding":[2]}]})", 2, 1);
  ASSERT_TRUE(plain);
  EXPECT_FLOAT_EQ((*plain)[1][0], 2.f);
}

TEST(EmbeddingsWire, MalformedAnswersAreRefused) {
  const char* bad[] = {
    "not json",
    "[]",
    R"({"object":"list"})",
    R"({"data":[{"index":0,"embedding":[1,2]}]})",                                   // 1 for 2
    R"({"data":[{"index":0,"embedding":[1,2]},{"index":0,"embedding":[1,2]}]})",     // twice
    R"({"data":[{"index":0,"embedding":[1,2]},{"index":5,"embedding":[1,2]}]})",     // range
    R"({"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":"AAAA"}]})",    // base64
    R"({"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1,"x"]}]})",
    R"({"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[]}]})",
  };
  for (const char* body : bad) {
    auto got = parse_embeddings_response(body, 2, 0);
    ASSERT_FALSE(got) << body;
    EXPECT_EQ(protocol::errc_of(got.error()), errc::agent_error) << body;
  }
}

TEST(EmbeddingsWire, DimensionMismatchIsAConflict) {
  auto against_config = parse_embeddings_response(R"({"data":[{"index":0,"embedding":[1,2,3]}]})", 1, 4);
  ASSERT_FALSE(against_config);
  EXPECT_EQ(protocol::errc_of(against_config.error()), errc::conflict);
  EXPECT_THAT(protocol::describe(against_config.error()), HasSubstr("embeddings.dimensions"));
  auto ragged = parse_embeddings_response(
    R"({"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1,2,3]}]})", 2, 0);
  ASSERT_FALSE(ragged);
  EXPECT_EQ(protocol::errc_of(ragged.error()), errc::conflict);
}

TEST(EmbeddingsWire, ErrorMessages) {
  EXPECT_EQ(error_message_of(R"({"error":{"message":"model not found","type":"x"}})"),
            "model not found");
  EXPECT_EQ(error_message_of(R"({"error":"busy"})"), "busy");
  EXPECT_EQ(error_message_of("Bad Gateway"), "Bad Gateway");
}

TEST(EmbeddingsWire, ProductTextIsCutAtACharacterBoundary) {
  protocol::product p;
  p.title = "Kurta";
  p.description = std::string(max_product_text_bytes, 'x');
  p.description.replace(max_product_text_bytes - 10, 2, "\xC3\xA9");   // é straddling nothing yet
  auto text = product_text(p);
  EXPECT_LE(text.size(), max_product_text_bytes);
  EXPECT_EQ(text.rfind("Kurta. ", 0), 0u);
  // Put a two-byte character right on the cut: it is dropped whole.
  protocol::product q;
  q.title = std::string(max_product_text_bytes - 1, 'y') + "\xC3\xA9";
  auto cut = product_text(q);
  EXPECT_EQ(cut.size(), max_product_text_bytes - 1);
}

TEST(EmbeddingsSettings, DefaultsAndValues) {
  auto defaults = read_embedding_settings(nlohmann::json::object());
  ASSERT_TRUE(defaults);
  EXPECT_FALSE(defaults->uses_model());
  EXPECT_EQ(defaults->vector_source(), "hashing");

  auto s = read_embedding_settings(nlohmann::json::parse(R"({"embeddings": {
    "provider": "openai", "base_url": "http://127.0.0.1:11434/v1/", "model": "nomic-embed-text",
    "dimensions": 768, "batch_size": 16, "timeout_ms": 5000, "query_timeout_ms": 250,
    "max_attempts": 4, "api_key_env": "MY_KEY"}})"));
  ASSERT_TRUE(s) << protocol::describe(s.error());
  EXPECT_TRUE(s->uses_model());
  EXPECT_EQ(s->base_url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(s->dimensions, 768u);
  EXPECT_EQ(s->batch_size, 16u);
  EXPECT_EQ(s->timeout, 5000ms);
  EXPECT_EQ(s->query_timeout, 250ms);
  EXPECT_EQ(s->max_attempts, 4);
  EXPECT_EQ(s->api_key_env, "MY_KEY");
  EXPECT_EQ(s->vector_source(), "openai:nomic-embed-text");
}

TEST(EmbeddingsSettings, RefusesWhatCannotWork) {
  for (const char* text : {
         R"({"embeddings": {"provider": "word2vec"}})",
         R"({"embeddings": {"provider": "openai", "model": ""}})",
         R"({"embeddings": {"provider": "openai", "model": "m", "base_url": ""}})",
         R"({"embeddings": {"batch_size": 0}})",
         R"({"embeddings": {"dimensions": "768"}})",
         R"({"embeddings": []})",
       }) {
    auto s = read_embedding_settings(nlohmann::json::parse(text));
    EXPECT_FALSE(s) << text;
  }
}

}  // namespace
}  // namespace cartmate::testing
