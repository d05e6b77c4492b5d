// llm_understanding_test.cpp — the pure parts of the model integration: the llm settings and
// the shipped prompt and tool files, the request body, the recorded answers, and the strict
// mapping of tool calls into a plan (anything invalid must be an error, never a guess).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/llm/llm_settings.hpp"
#include "adapters/llm/llm_understanding.hpp"
#include "adapters/llm/openai_wire.hpp"
#include "adapters/llm/reply_phraser.hpp"
#include "protocol/errors.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::llm {
namespace {

using nlohmann::json;
using protocol::errc;

std::string fixture(const std::string& name) {
  auto text = testing::read_text_file(std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/llm/"
                                      + name);
  EXPECT_TRUE(text) << name;
  return text.value_or("");
}

llm_settings shipped_settings() {
  llm_settings s;
  std::string root = CARTMATE_SOURCE_DIR;
  s.system_prompt_file = root + "/config/llm/understanding_prompt.txt";
  s.tools_file = root + "/config/llm/understanding_tools.json";
  s.reply_prompt_file = root + "/config/llm/reply_prompt.txt";
  s.stream_replies = true;
  return s;
}

std::vector<std::string> all_tool_names() {
  std::vector<std::string> out;
  for (auto i : nlu::all_intents)
    if (i != nlu::intent::unknown)
      out.emplace_back(nlu::to_string(i));
  return out;
}

caf::expected<nlu::step> step_of(const std::string& name, const std::string& args) {
  return step_from_tool_call(tool_call{"c", name, args}, all_tool_names());
}

std::string detail_of(const caf::error& err) {
  return protocol::describe(err);
}

// -- settings and files --------------------------------------------------------------------------

TEST(llm_settings, defaults_when_the_section_is_absent) {
  auto s = read_llm_settings(json::object());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->provider, llm_provider::offline);
  EXPECT_EQ(s->timeout.count(), 2000);
  EXPECT_EQ(s->tools_file, "config/llm/understanding_tools.json");
}

TEST(llm_settings, reads_every_key) {
  auto s = read_llm_settings(json::parse(R"({"llm":{"provider":"openai",
    "base_url":"http://127.0.0.1:11434/v1","model":"qwen2.5","api_key_env":"MY_KEY",
    "timeout_ms":900,"max_attempts":3,"backoff_initial_ms":7,"breaker_failure_threshold":4,
    "breaker_reset_ms":1234,"temperature":0.3,"system_prompt_file":"a.txt","tools_file":"t.json",
    "stream_replies":true,"reply_prompt_file":"r.txt"}})"));
  ASSERT_TRUE(s) << detail_of(s.error());
  EXPECT_EQ(s->provider, llm_provider::openai);
  EXPECT_EQ(s->base_url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(s->model, "qwen2.5");
  EXPECT_EQ(s->api_key_env, "MY_KEY");
  EXPECT_EQ(s->timeout.count(), 900);
  EXPECT_EQ(s->max_attempts, 3);
  EXPECT_EQ(s->backoff_initial.count(), 7);
  EXPECT_EQ(s->breaker_failure_threshold, 4);
  EXPECT_EQ(s->breaker_reset.count(), 1234);
  EXPECT_DOUBLE_EQ(s->temperature, 0.3);
  EXPECT_EQ(s->system_prompt_file, "a.txt");
  EXPECT_EQ(s->tools_file, "t.json");
  EXPECT_TRUE(s->stream_replies);
  EXPECT_EQ(s->reply_prompt_file, "r.txt");
}

TEST(llm_settings, bad_values_name_the_key) {
  struct bad_case {
    const char* doc;
    const char* key;
  };
  for (auto c : {bad_case{R"({"llm":{"provider":"gpt"}})", "llm.provider"},
                 bad_case{R"({"llm":{"timeout_ms":10}})", "llm.timeout_ms"},
                 bad_case{R"({"llm":{"timeout_ms":"2s"}})", "llm.timeout_ms"},
                 bad_case{R"({"llm":{"max_attempts":0}})", "llm.max_attempts"},
                 bad_case{R"({"llm":{"temperature":3}})", "llm.temperature"},
                 bad_case{R"({"llm":{"stream_replies":"yes"}})", "llm.stream_replies"},
                 bad_case{R"({"llm":{"provider":"openai","base_url":"ftp://x"}})", "llm.base_url"},
                 bad_case{R"({"llm":{"tools_file":""}})", "llm.tools_file"},
                 bad_case{R"({"llm":[]})", "llm"}}) {
    auto s = read_llm_settings(json::parse(c.doc));
    ASSERT_FALSE(s) << c.doc;
    EXPECT_EQ(protocol::errc_of(s.error()), errc::invalid_argument);
    EXPECT_NE(detail_of(s.error()).find(c.key), std::string::npos) << detail_of(s.error());
  }
}

TEST(llm_settings, api_key_comes_from_the_named_variable) {
  llm_settings s;
  s.api_key_env = "CARTMATE_LLM_TEST_KEY_1";
  ::unsetenv("CARTMATE_LLM_TEST_KEY_1");
  EXPECT_EQ(api_key(s), "");
  ::setenv("CARTMATE_LLM_TEST_KEY_1", "sk-test", 1);
  EXPECT_EQ(api_key(s), "sk-test");
  ::unsetenv("CARTMATE_LLM_TEST_KEY_1");
}

TEST(llm_prompts, the_shipped_files_load_and_offer_every_intent) {
  auto p = load_llm_prompts(shipped_settings());
  ASSERT_TRUE(p) << detail_of(p.error());
  EXPECT_FALSE(p->understanding_prompt.empty());
  EXPECT_FALSE(p->reply_prompt.empty());
  auto names = p->tool_names;
  auto expected = all_tool_names();
  std::sort(names.begin(), names.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);
  // Every argument a shipped tool declares is one the mapping accepts.
  auto tools = json::parse(p->tools_json);
  for (const auto& t : tools) {
    auto name = t["function"]["name"].get<std::string>();
    for (const auto& [key, schema] : t["function"]["parameters"]["properties"].items()) {
      json sample;
      if (schema["type"] == "string")
        sample = schema.contains("enum") ? schema["enum"][0] : json("x");
      else if (schema["type"] == "integer")
        sample = 5;
      else if (schema["type"] == "boolean")
        sample = true;
      else
        sample = json{{"kind", "ordinal"}, {"index", 1}};
      json args{{key, sample}};
      if (key == "preference_value")
        args["preference_key"] = "size";
      auto step = step_of(name, args.dump());
      EXPECT_TRUE(step) << name << "." << key << ": " << detail_of(step.error());
    }
  }
}

TEST(llm_prompts, unreadable_or_invalid_files_are_clear_errors) {
  auto s = shipped_settings();
  s.system_prompt_file = "no/such/prompt.txt";
  auto p = load_llm_prompts(s);
  ASSERT_FALSE(p);
  EXPECT_NE(detail_of(p.error()).find("no/such/prompt.txt"), std::string::npos);

  auto dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream{dir + name} << text;
    return dir + name;
  };
  s = shipped_settings();
  s.tools_file = write("llm_tools_bad.json", "[{\"type\":\"function\"");
  p = load_llm_prompts(s);
  ASSERT_FALSE(p);
  EXPECT_NE(detail_of(p.error()).find("not valid JSON"), std::string::npos);
  s.tools_file = write(
    "llm_tools_alien.json",
    R"([{"type":"function","function":{"name":"order_pizza","parameters":{}}}])");
  p = load_llm_prompts(s);
  ASSERT_FALSE(p);
  EXPECT_NE(detail_of(p.error()).find("order_pizza"), std::string::npos);
  s = shipped_settings();
  s.reply_prompt_file = write("llm_reply_empty.txt", " \n");
  p = load_llm_prompts(s);
  ASSERT_FALSE(p);
  EXPECT_NE(detail_of(p.error()).find("empty"), std::string::npos);
}

// -- wire format ---------------------------------------------------------------------------------

TEST(openai_wire, request_body_carries_model_messages_tools_and_choice) {
  auto prompts = load_llm_prompts(shipped_settings());
  ASSERT_TRUE(prompts);
  nlu::dialogue_hints hints;
  hints.results_on_screen = 3;
  auto req = understanding_request(*prompts, "blue kurtas", hints, 0.2, {});
  auto body = chat_request_body("qwen2.5", req, false);
  ASSERT_TRUE(body);
  auto doc = json::parse(*body);
  EXPECT_EQ(doc["model"], "qwen2.5");
  EXPECT_EQ(doc["messages"][0]["role"], "system");
  EXPECT_EQ(doc["messages"][0]["content"], prompts->understanding_prompt);
  EXPECT_EQ(doc["messages"][1]["role"], "user");
  auto user = doc["messages"][1]["content"].get<std::string>();
  EXPECT_NE(user.find("blue kurtas"), std::string::npos);
  EXPECT_NE(user.find("Results on screen: 3"), std::string::npos);
  EXPECT_EQ(doc["tools"].size(), prompts->tool_names.size());
  EXPECT_EQ(doc["tool_choice"], "auto");
  EXPECT_DOUBLE_EQ(doc["temperature"].get<double>(), 0.2);
  EXPECT_FALSE(doc.contains("stream"));
  auto streamed = chat_request_body("m", phrasing_request("be nice", "hi", "Hello!", 0, {}), true);
  ASSERT_TRUE(streamed);
  auto sdoc = json::parse(*streamed);
  EXPECT_EQ(sdoc["stream"], true);
  EXPECT_FALSE(sdoc.contains("tools"));
}

TEST(openai_wire, recorded_answers_parse_or_fail_as_they_should) {
  auto one = parse_chat_completion(fixture("tool_call.json"));
  ASSERT_TRUE(one);
  ASSERT_EQ(one->tool_calls.size(), 1u);
  EXPECT_EQ(one->tool_calls[0].name, "search");
  EXPECT_EQ(one->finish_reason, "tool_calls");
  auto text = parse_chat_completion(fixture("text_reply.json"));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->content, "Sure! Let me look for kurtas.");
  EXPECT_TRUE(text->tool_calls.empty());
  for (auto name : {"malformed_body.txt", "error_body.json"}) {
    auto r = parse_chat_completion(fixture(name));
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(protocol::errc_of(r.error()), errc::agent_error);
  }
  EXPECT_EQ(error_summary(fixture("rate_limited.json")),
            "Rate limit reached for requests. Please try again in 1s.");
}

// -- the mapping ---------------------------------------------------------------------------------

TEST(llm_mapping, a_tool_call_becomes_a_step_with_its_slots) {
  auto reply = parse_chat_completion(fixture("tool_call.json"));
  ASSERT_TRUE(reply);
  auto u = understanding_from_reply(*reply, all_tool_names());
  ASSERT_TRUE(u) << detail_of(u.error());
  ASSERT_EQ(u->steps.size(), 1u);
  const auto& s = u->steps[0];
  EXPECT_EQ(s.act, nlu::intent::search);
  EXPECT_EQ(s.slots.product_type, "kurta");
  EXPECT_EQ(s.slots.colour, "Blue");   // the catalog's Title Case
  EXPECT_EQ(s.slots.gender, "Women");
  EXPECT_EQ(s.slots.max_price_minor, 150000);
  EXPECT_FALSE(s.slots.min_price_minor);
  EXPECT_EQ(s.slots.query, "cotton");
}

TEST(llm_mapping, several_tool_calls_keep_their_order) {
  auto reply = parse_chat_completion(fixture("multiple_tool_calls.json"));
  ASSERT_TRUE(reply);
  auto u = understanding_from_reply(*reply, all_tool_names());
  ASSERT_TRUE(u) << detail_of(u.error());
  ASSERT_EQ(u->steps.size(), 2u);
  EXPECT_EQ(u->steps[0].act, nlu::intent::add_to_cart);
  ASSERT_TRUE(u->steps[0].slots.ref);
  EXPECT_EQ(u->steps[0].slots.ref->kind, nlu::reference_kind::ordinal);
  EXPECT_EQ(u->steps[0].slots.ref->index, 2);
  EXPECT_EQ(u->steps[0].slots.quantity, 2);
  EXPECT_EQ(u->steps[0].slots.size, "M");
  EXPECT_EQ(u->steps[1].act, nlu::intent::view_cart);
}

TEST(llm_mapping, unknown_tools_and_unparseable_arguments_are_errors) {
  for (auto name : {"unknown_tool.json", "bad_arguments.json", "text_reply.json"}) {
    auto reply = parse_chat_completion(fixture(name));
    ASSERT_TRUE(reply) << name;
    auto u = understanding_from_reply(*reply, all_tool_names());
    ASSERT_FALSE(u) << name;
    EXPECT_EQ(protocol::errc_of(u.error()), errc::invalid_argument) << name;
  }
  // A real intent that was not offered is refused too.
  auto not_offered = step_from_tool_call(tool_call{"c", "checkout", "{}"}, {"search"});
  EXPECT_FALSE(not_offered);
  EXPECT_FALSE(step_of("unknown", "{}"));
  EXPECT_FALSE(step_of("search", "[1,2]"));
}

TEST(llm_mapping, wrong_types_and_out_of_range_values_are_errors) {
  const std::pair<std::string, std::string> bad[] = {
    {"search", R"({"max_price_minor":"2000"})"},
    {"search", R"({"max_price_minor":-5})"},
    {"search", R"({"max_price_minor":12.5})"},
    {"search", R"({"min_price_minor":9000,"max_price_minor":100})"},
    {"search", R"({"colour":7})"},
    {"search", R"({"flavour":"vanilla"})"},
    {"refine", R"({"direction":"sideways"})"},
    {"add_to_cart", R"({"quantity":-1})"},
    {"add_to_cart", R"({"ref":{"kind":"ordinal","index":0}})"},
    {"add_to_cart", R"({"ref":{"kind":"ordinal"}})"},
    {"add_to_cart", R"({"ref":{"kind":"third"}})"},
    {"add_to_cart", R"({"ref":"the second one"})"},
    {"set_alert", R"({"alert_drop_percent":150})"},
    {"set_alert", R"({"alert_back_in_stock":"yes"})"},
    {"remember_preference", R"({"preference_key":"shoe_size","preference_value":"9"})"},
    {"remember_preference", R"({"preference_value":"9"})"},
    {"search", "{\"query\":\"" + std::string(300, 'x') + "\"}"},
  };
  for (const auto& [tool, args] : bad) {
    auto s = step_of(tool, args);
    ASSERT_FALSE(s) << tool << " " << args;
    EXPECT_EQ(protocol::errc_of(s.error()), errc::invalid_argument);
  }
}

TEST(llm_mapping, nulls_and_empty_strings_mean_not_said_and_whole_floats_are_integers) {
  auto s = step_of("search", R"({"colour":null,"brand":"","max_price_minor":200000.0,
                                 "exclude_colour":"navy blue"})");
  ASSERT_TRUE(s) << detail_of(s.error());
  EXPECT_FALSE(s->slots.colour);
  EXPECT_FALSE(s->slots.brand);
  EXPECT_EQ(s->slots.max_price_minor, 200000);
  EXPECT_EQ(s->slots.exclude_colour, "Navy Blue");
  auto last = step_of("describe", R"({"ref":{"kind":"ordinal","index":-1}})");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->slots.ref->index, -1);
}

TEST(llm_mapping, too_many_steps_or_none_are_errors) {
  chat_reply reply;
  EXPECT_FALSE(understanding_from_reply(reply, all_tool_names()));
  for (size_t i = 0; i <= max_plan_steps; ++i)
    reply.tool_calls.push_back(tool_call{"c", "view_cart", "{}"});
  EXPECT_FALSE(understanding_from_reply(reply, all_tool_names()));
  reply.tool_calls.pop_back();
  EXPECT_TRUE(understanding_from_reply(reply, all_tool_names()));
}

}  // namespace
}  // namespace cartmate::llm
