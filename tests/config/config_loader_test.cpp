// config_loader_test.cpp — load_settings: defaults, file and override layering, and that every
// kind of bad input is rejected with a message naming the key and the type it expects.
// Threading: single-threaded tests.
#include "config/config_loader.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::config {
namespace {

using json = nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;

// The error message of a failed load (fails the test if the load succeeded).
std::string failure(const caf::expected<json>& result) {
  EXPECT_FALSE(result) << "unexpectedly loaded: " << (result ? result->dump() : "");
  if (result)
    return {};
  EXPECT_EQ(protocol::errc_of(result.error()), protocol::errc::invalid_argument);
  return protocol::describe(result.error());
}

std::string failure_of_text(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return failure(load_settings_from_text(text, overrides));
}

// A file under the test's temp dir, removed at scope exit.
class temp_file {
 public:
  temp_file(const std::string& name, const std::string& content)
      : path_(::testing::TempDir() + "cartmate_config_test_" + name) {
    std::ofstream out{path_, std::ios::binary};
    out << content;
  }
  ~temp_file() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Calls `fn(dotted_key, leaf)` for every leaf of the embedded schema.
template <class F>
void for_each_leaf(const json& group, const std::string& prefix, F&& fn) {
  for (const auto& item : group.items()) {
    auto key = prefix.empty() ? item.key() : prefix + "." + item.key();
    if (item.value().contains("type") && item.value()["type"].is_string())
      fn(key, item.value());
    else
      for_each_leaf(item.value(), key, fn);
  }
}

// Values (not sections) in a settings tree; an array counts once.
size_t count_values(const json& tree) {
  size_t n = 0;
  for (const auto& item : tree.items())
    n += item.value().is_object() ? count_values(item.value()) : 1;
  return n;
}

json::json_pointer pointer_of(std::string key) {
  for (auto& c : key)
    if (c == '.')
      c = '/';
  return json::json_pointer{"/" + key};
}

TEST(config_schema, every_leaf_has_a_valid_default_of_its_type) {
  auto schema = json::parse(schema_json());
  size_t leaves = 0;
  for_each_leaf(schema, "", [&](const std::string& key, const json& leaf) {
    SCOPED_TRACE(key);
    ++leaves;
    ASSERT_TRUE(leaf.contains("default"));
    ASSERT_TRUE(leaf.contains("doc"));
    EXPECT_FALSE(leaf["doc"].get<std::string>().empty());
    const auto type = leaf["type"].get<std::string>();
    const auto& value = leaf["default"];
    if (type == "string") {
      ASSERT_TRUE(value.is_string());
    } else if (type == "integer") {
      ASSERT_TRUE(value.is_number_integer());
    } else if (type == "number") {
      ASSERT_TRUE(value.is_number());
    } else if (type == "boolean") {
      ASSERT_TRUE(value.is_boolean());
    } else if (type == "string_array") {
      ASSERT_TRUE(value.is_array());
      for (const auto& element : value)
        EXPECT_TRUE(element.is_string());
    } else {
      FAIL() << "unknown type " << type;
    }
    if (leaf.contains("min")) {
      EXPECT_GE(value.get<double>(), leaf["min"].get<double>());
    }
    if (leaf.contains("max")) {
      EXPECT_LE(value.get<double>(), leaf["max"].get<double>());
    }
    if (leaf.contains("enum")) {
      auto allowed = leaf["enum"].get<std::vector<std::string>>();
      auto values = value.is_array() ? value.get<std::vector<std::string>>()
                                      : std::vector<std::string>{value.get<std::string>()};
      for (const auto& v : values)
        EXPECT_THAT(allowed, ::testing::Contains(v));
    }
  });
  EXPECT_GE(leaves, 22u);
}

TEST(config_loader, defaults_equal_the_schema_defaults) {
  auto settings = load_settings("", {});
  ASSERT_TRUE(settings) << protocol::describe(settings.error());
  auto schema = json::parse(schema_json());
  size_t leaves = 0;
  for_each_leaf(schema, "", [&](const std::string& key, const json& leaf) {
    SCOPED_TRACE(key);
    ++leaves;
    ASSERT_TRUE(settings->contains(pointer_of(key)));
    EXPECT_EQ(settings->at(pointer_of(key)), leaf["default"]);
  });
  // Nothing beyond the schema's keys: every non-section value of the tree is a schema leaf.
  EXPECT_EQ(count_values(*settings), leaves);
  EXPECT_EQ((*settings)["log"]["level"], "info");
  EXPECT_EQ((*settings)["scheduler"]["threads"], 0);
  EXPECT_EQ((*settings)["resilience"]["backoff_multiplier"], 2.0);
  EXPECT_EQ((*settings)["node"]["agents"].size(), 6u);
}

TEST(config_loader, empty_object_text_gives_defaults) {
  auto from_text = load_settings_from_text("{}", {});
  auto defaults = load_settings("", {});
  ASSERT_TRUE(from_text && defaults);
  EXPECT_EQ(*from_text, *defaults);
}

TEST(config_loader, file_values_override_defaults) {
  temp_file file{"file_values.json",
                 R"({"log": {"level": "debug", "format": "json"}, "scheduler": {"threads": 4},
                     "resilience": {"jitter": 1, "backoff_multiplier": 3.5},
                     "node": {"agents": ["cart", "alerts"]}})"};
  auto settings = load_settings(file.path(), {});
  ASSERT_TRUE(settings) << protocol::describe(settings.error());
  EXPECT_EQ((*settings)["log"]["level"], "debug");
  EXPECT_EQ((*settings)["log"]["format"], "json");
  EXPECT_EQ((*settings)["log"]["file"], "");  // untouched keys of a touched section keep defaults
  EXPECT_EQ((*settings)["scheduler"]["threads"], 4);
  EXPECT_EQ((*settings)["scheduler"]["policy"], "stealing");
  EXPECT_EQ((*settings)["resilience"]["jitter"].get<double>(), 1.0);  // integer accepted as number
  EXPECT_TRUE((*settings)["resilience"]["jitter"].is_number_float());
  EXPECT_EQ((*settings)["resilience"]["backoff_multiplier"].get<double>(), 3.5);
  EXPECT_EQ((*settings)["node"]["agents"], json::array({"cart", "alerts"}));
  EXPECT_EQ((*settings)["index"]["embedding_dim"], 256);
}

TEST(config_loader, integer_written_as_whole_float_is_accepted) {
  auto settings = load_settings_from_text(R"({"scheduler": {"threads": 4.0}})", {});
  ASSERT_TRUE(settings) << protocol::describe(settings.error());
  EXPECT_TRUE((*settings)["scheduler"]["threads"].is_number_integer());
  EXPECT_EQ((*settings)["scheduler"]["threads"], 4);
}

TEST(config_loader, command_line_overrides_win_over_the_file) {
  temp_file file{"overrides.json",
                 R"({"log": {"level": "debug"}, "scheduler": {"threads": 4}, "node": {"name": "from-file"}})"};
  auto settings = load_settings(file.path(), {"log.level=warn", "scheduler.threads = 8",
                                              "resilience.jitter=0.5", "node.agents=cart, alerts",
                                              "log.file=/var/log/a=b.log", "log.level=error"});
  ASSERT_TRUE(settings) << protocol::describe(settings.error());
  EXPECT_EQ((*settings)["log"]["level"], "error");  // the later override wins
  EXPECT_EQ((*settings)["scheduler"]["threads"], 8);
  EXPECT_EQ((*settings)["resilience"]["jitter"].get<double>(), 0.5);
  EXPECT_EQ((*settings)["node"]["agents"], json::array({"cart", "alerts"}));
  EXPECT_EQ((*settings)["log"]["file"], "/var/log/a=b.log");  // split at the first '='
  EXPECT_EQ((*settings)["node"]["name"], "from-file");          // not overridden
}

TEST(config_loader, empty_override_gives_an_empty_agent_list) {
  auto settings = load_settings("", {"node.agents="});
  ASSERT_TRUE(settings) << protocol::describe(settings.error());
  EXPECT_TRUE((*settings)["node"]["agents"].empty());
}

TEST(config_loader, unknown_key_is_named_with_a_suggestion) {
  auto message = failure_of_text(R"({"log": {"levl": "debug"}})");
  EXPECT_THAT(message, HasSubstr("unknown configuration key 'log.levl'"));
  EXPECT_THAT(message, HasSubstr("did you mean 'log.level'?"));
  EXPECT_THAT(failure_of_text(R"({"logging": {}})"), HasSubstr("unknown configuration key 'logging'"));
  EXPECT_THAT(failure_of_text(R"({"log": {"colour": true}})"),
              AllOf(HasSubstr("unknown configuration key 'log.colour'"), HasSubstr("level, format, file")));
}

TEST(config_loader, dotted_key_in_a_file_is_rejected_with_a_hint) {
  EXPECT_THAT(failure_of_text(R"({"log.level": "debug"})"),
              AllOf(HasSubstr("unknown configuration key 'log.level'"), HasSubstr("nested")));
}

TEST(config_loader, wrong_type_names_key_and_expected_type) {
  EXPECT_THAT(failure_of_text(R"({"scheduler": {"threads": "two"}})"),
              HasSubstr(R"(configuration key 'scheduler.threads' expects integer, got string "two")"));
  EXPECT_THAT(failure_of_text(R"({"scheduler": {"threads": 2.5}})"),
              HasSubstr("configuration key 'scheduler.threads' expects integer, got number 2.5"));
  EXPECT_THAT(failure_of_text(R"({"log": {"level": 3}})"),
              HasSubstr("configuration key 'log.level' expects string, got integer 3"));
  EXPECT_THAT(failure_of_text(R"({"resilience": {"jitter": "high"}})"),
              HasSubstr("configuration key 'resilience.jitter' expects number"));
  EXPECT_THAT(failure_of_text(R"({"node": {"agents": "cart"}})"),
              HasSubstr("configuration key 'node.agents' expects array of strings"));
  EXPECT_THAT(failure_of_text(R"({"node": {"agents": ["cart", 7]}})"),
              HasSubstr("configuration key 'node.agents[1]' expects string, got integer 7"));
  EXPECT_THAT(failure_of_text(R"({"log": "debug"})"),
              HasSubstr("configuration key 'log' expects object"));
  EXPECT_THAT(failure_of_text(R"({"log": {"level": null}})"),
              HasSubstr("configuration key 'log.level' expects string, got null"));
}

TEST(config_loader, out_of_range_names_key_and_range) {
  EXPECT_THAT(failure_of_text(R"({"scheduler": {"threads": 300}})"),
              HasSubstr("configuration key 'scheduler.threads' expects integer in [0, 256], got 300"));
  EXPECT_THAT(failure_of_text(R"({"scheduler": {"threads": -1}})"),
              HasSubstr("configuration key 'scheduler.threads' expects integer in [0, 256], got -1"));
  EXPECT_THAT(failure_of_text(R"({"resilience": {"jitter": 1.5}})"),
              HasSubstr("configuration key 'resilience.jitter' expects number in [0, 1], got 1.5"));
  // Keys without a max still have to fit the int fields they land in.
  EXPECT_THAT(failure_of_text(R"({"supervisor": {"restart_window_ms": 99999999999}})"),
              HasSubstr("configuration key 'supervisor.restart_window_ms' expects integer in [1, 2147483647]"));
  EXPECT_THAT(failure_of_text(R"({"supervisor": {"restart_window_ms": 18446744073709551615}})"),
              HasSubstr("configuration key 'supervisor.restart_window_ms' expects integer in"));
}

TEST(config_loader, value_outside_enum_lists_allowed_values) {
  EXPECT_THAT(failure_of_text(R"({"log": {"level": "loud"}})"),
              HasSubstr(R"(configuration key 'log.level' expects string, one of trace|debug|info|warn|error|off, got "loud")"));
  EXPECT_THAT(failure_of_text(R"({"node": {"agents": ["cart", "carts"]}})"),
              AllOf(HasSubstr("configuration key 'node.agents[1]' expects string, one of orchestrator|"),
                    HasSubstr(R"(got "carts")")));
  EXPECT_THAT(failure_of_text(R"({"node": {"agents": ["cart", "cart"]}})"),
              HasSubstr("configuration key 'node.agents' expects array of distinct strings"));
}

TEST(config_loader, backoff_initial_above_backoff_max_is_rejected) {
  EXPECT_THAT(failure_of_text(R"({"resilience": {"backoff_initial_ms": 500, "backoff_max_ms": 100}})"),
              HasSubstr("configuration key 'resilience.backoff_initial_ms' expects integer <= "
                        "'resilience.backoff_max_ms' (100), got 500"));
}

TEST(config_loader, malformed_json_reports_file_and_position) {
  temp_file file{"malformed.json", "{\n  \"log\": {\"level\" \"debug\"}\n}\n"};
  auto message = failure(load_settings(file.path(), {}));
  EXPECT_THAT(message, HasSubstr(file.path() + ": malformed JSON"));
  EXPECT_THAT(message, HasSubstr("line 2"));
  EXPECT_THAT(failure_of_text(""), HasSubstr("malformed JSON"));
}

TEST(config_loader, duplicate_keys_are_rejected) {
  EXPECT_THAT(failure_of_text(R"({"log": {"level": "debug", "level": "warn"}})"),
              HasSubstr("configuration key 'log.level' is given more than once"));
}

TEST(config_loader, top_level_must_be_an_object) {
  EXPECT_THAT(failure_of_text("[1, 2]"), HasSubstr("configuration must be a JSON object"));
}

TEST(config_loader, unreadable_file_is_named) {
  auto missing = ::testing::TempDir() + "cartmate_config_test_does_not_exist.json";
  EXPECT_THAT(failure(load_settings(missing, {})),
              AllOf(HasSubstr(missing), HasSubstr("cannot read configuration file")));
  EXPECT_THAT(failure(load_settings(::testing::TempDir(), {})), HasSubstr("is a directory"));
}

TEST(config_loader, bad_overrides_are_named) {
  EXPECT_THAT(failure(load_settings("", {"log.level"})),
              AllOf(HasSubstr("override 'log.level'"), HasSubstr("expected key=value")));
  EXPECT_THAT(failure(load_settings("", {"=debug"})), HasSubstr("missing key"));
  EXPECT_THAT(failure(load_settings("", {"log.levl=debug"})),
              AllOf(HasSubstr("unknown configuration key 'log.levl'"), HasSubstr("log.level")));
  EXPECT_THAT(failure(load_settings("", {"log=debug"})),
              HasSubstr("configuration key 'log' is a section"));
  EXPECT_THAT(failure(load_settings("", {"scheduler.threads=two"})),
              HasSubstr(R"(configuration key 'scheduler.threads' expects integer, got "two")"));
  EXPECT_THAT(failure(load_settings("", {"scheduler.threads=2.5"})),
              HasSubstr("configuration key 'scheduler.threads' expects integer"));
  EXPECT_THAT(failure(load_settings("", {"scheduler.threads=999"})),
              HasSubstr("configuration key 'scheduler.threads' expects integer in [0, 256], got 999"));
  EXPECT_THAT(failure(load_settings("", {"resilience.jitter=lots"})),
              HasSubstr("configuration key 'resilience.jitter' expects number"));
  EXPECT_THAT(failure(load_settings("", {"resilience.jitter=nan"})),
              HasSubstr("configuration key 'resilience.jitter' expects number"));
  EXPECT_THAT(failure(load_settings("", {"log.level=loud"})),
              HasSubstr("configuration key 'log.level' expects string, one of"));
  EXPECT_THAT(failure(load_settings("", {"node.agents=cart,,alerts"})),
              HasSubstr("configuration key 'node.agents[1]' expects string, one of"));
}

TEST(config_loader, all_problems_are_reported_together) {
  temp_file file{"many_problems.json",
                 R"({"log": {"levl": "debug", "format": "xml"}, "scheduler": {"threads": "two"},
                     "index": {"embedding_dim": 2}})"};
  auto message = failure(load_settings(file.path(), {"resilience.max_attempts=0", "bogus=1"}));
  EXPECT_THAT(message, HasSubstr("(6 problems)"));
  EXPECT_THAT(message, HasSubstr("'log.levl'"));
  EXPECT_THAT(message, HasSubstr("'log.format'"));
  EXPECT_THAT(message, HasSubstr("'scheduler.threads'"));
  EXPECT_THAT(message, HasSubstr("'index.embedding_dim'"));
  EXPECT_THAT(message, HasSubstr("'resilience.max_attempts'"));
  EXPECT_THAT(message, HasSubstr("'bogus'"));
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 6);  // one line per problem
}

TEST(config_loader, problems_in_a_malformed_file_do_not_hide_override_problems) {
  temp_file file{"malformed_and_override.json", "{"};
  auto message = failure(load_settings(file.path(), {"log.level=loud"}));
  EXPECT_THAT(message, AllOf(HasSubstr("malformed JSON"), HasSubstr("'log.level'")));
}

TEST(config_loader, example_embedded_config_loads_and_equals_the_defaults) {
  const std::string path = CARTMATE_SOURCE_DIR "/examples/config/embedded.json";
  auto settings = load_settings(path, {});
  ASSERT_TRUE(settings) << protocol::describe(settings.error());
  auto defaults = load_settings("", {});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(*settings, *defaults);
  // Complete: the file itself spells out every key, not just the ones that differ.
  std::ifstream in{path};
  auto raw = json::parse(in);
  EXPECT_EQ(raw, *defaults);
}

TEST(config_loader, validate_settings_fills_defaults_and_checks_values) {
  auto settings = validate_settings(json{{"log", {{"level", "trace"}}}}, {"index.embedding_dim=512"});
  ASSERT_TRUE(settings) << protocol::describe(settings.error());
  EXPECT_EQ((*settings)["log"]["level"], "trace");
  EXPECT_EQ((*settings)["index"]["embedding_dim"], 512);
  EXPECT_EQ((*settings)["catalog"]["currency"], "INR");
  EXPECT_THAT(failure(validate_settings(json{{"index", {{"embedding_dim", 4}}}}, {})),
              HasSubstr("'index.embedding_dim' expects integer in [8, 4096]"));
}

TEST(config_loader, describe_schema_has_a_line_per_key) {
  auto text = describe_schema();
  auto schema = json::parse(schema_json());
  size_t leaves = 0;
  for_each_leaf(schema, "", [&](const std::string& key, const json& leaf) {
    ++leaves;
    auto line_start = text.find(key + " ");
    ASSERT_NE(line_start, std::string::npos) << key;
    auto line = text.substr(line_start, text.find('\n', line_start) - line_start);
    EXPECT_THAT(line, HasSubstr(leaf["doc"].get<std::string>()));
    EXPECT_THAT(line, HasSubstr(leaf["default"].dump()));
  });
  EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')), leaves);
}

}  // namespace
}  // namespace cartmate::config
