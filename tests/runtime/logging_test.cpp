// logging_test.cpp — JSON and text log lines, trace scopes, escaping, level filtering, trace ids.
// Threading: output is captured with a synchronous ostream sink; one test starts a second thread.
#include "runtime/logging.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace cartmate::runtime {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

class logging_test : public ::testing::Test {
protected:
  void TearDown() override {
    // The default logger must not outlive `out_`, which its sink writes to.
    ASSERT_EQ(init_logging_to(std::make_shared<spdlog::sinks::null_sink_mt>(), {}), "");
  }

  void capture(std::string level, std::string format) {
    log_options opts;
    opts.level = std::move(level);
    opts.format = std::move(format);
    ASSERT_EQ(init_logging_to(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_), opts), "");
  }

  std::vector<nlohmann::json> json_lines() {
    std::vector<nlohmann::json> result;
    for (const auto& line : split_lines(out_.str()))
      result.push_back(nlohmann::json::parse(line)); // throws, failing the test, when malformed
    return result;
  }

  std::ostringstream out_;
};

TEST_F(logging_test, json_lines_carry_the_trace_id_and_nested_scopes_restore_it) {
  capture("info", "json");
  spdlog::info("before");
  {
    trace_scope outer{"aaaa000000000001"};
    EXPECT_EQ(current_trace_id(), "aaaa000000000001");
    spdlog::info("outer");
    {
      trace_scope inner{"bbbb000000000002"};
      spdlog::warn("inner");
    }
    EXPECT_EQ(current_trace_id(), "aaaa000000000001");
    spdlog::info("outer again");
  }
  EXPECT_EQ(current_trace_id(), "");
  spdlog::info("after");

  auto lines = json_lines();
  ASSERT_EQ(lines.size(), 5u);
  const std::vector<std::pair<std::string, std::string>> expected = {
    {"before", ""},
    {"outer", "aaaa000000000001"},
    {"inner", "bbbb000000000002"},
    {"outer again", "aaaa000000000001"},
    {"after", ""}};
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].at("msg"), expected[i].first);
    EXPECT_EQ(lines[i].at("trace_id"), expected[i].second);
    EXPECT_EQ(lines[i].at("logger"), "cartmate");
  }
  EXPECT_EQ(lines[0].at("level"), "info");
  EXPECT_EQ(lines[2].at("level"), "warning");
  std::regex iso_utc{R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"};
  EXPECT_TRUE(std::regex_match(lines[0].at("ts").get<std::string>(), iso_utc)) << lines[0];
}

TEST_F(logging_test, trace_ids_are_per_thread) {
  capture("info", "json");
  trace_scope main_scope{"main"};
  std::thread other{[] {
    EXPECT_EQ(current_trace_id(), "");
    trace_scope scope{"other"};
    spdlog::info("from other");
  }};
  other.join();
  spdlog::info("from main");
  auto lines = json_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("trace_id"), "other");
  EXPECT_EQ(lines[1].at("trace_id"), "main");
}

TEST_F(logging_test, json_escapes_quotes_backslashes_and_control_characters) {
  capture("info", "json");
  const std::string message = "say \"hi\"\n\tback\\slash \x01\x1f\r\b\f end {braces}";
  spdlog::info("{}", message);
  trace_scope scope{"tr\"ace"};
  spdlog::info("second");
  auto raw = out_.str();
  ASSERT_EQ(split_lines(raw).size(), 2u) << "a newline in the message must not split the line";
  EXPECT_NE(raw.find(R"(\u0001\u001f\r\b\f)"), std::string::npos) << raw;
  auto lines = json_lines();
  EXPECT_EQ(lines[0].at("msg"), message);
  EXPECT_EQ(lines[1].at("trace_id"), "tr\"ace");
}

TEST_F(logging_test, json_replaces_invalid_utf8_and_keeps_valid_multibyte_text) {
  capture("info", "json");
  spdlog::info("{}", "ok \xff then \xe2\x82 cut | \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  auto lines = json_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("msg"),
            "ok \xEF\xBF\xBD then \xEF\xBF\xBD cut | \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(json_escaping, invalid_sequences_become_one_replacement_per_maximal_subpart) {
  const std::string fffd = "\xEF\xBF\xBD";
  auto escaped = [](std::string_view text) {
    std::string out;
    append_json_escaped(out, text);
    return out;
  };
  EXPECT_EQ(escaped("plain"), "plain");
  EXPECT_EQ(escaped(std::string_view{"a\0b", 3}), "a\\u0000b");
  EXPECT_EQ(escaped("\x7f"), "\x7f");
  EXPECT_EQ(escaped("\xc0\xaf"), fffd + fffd);                  // overlong '/'
  EXPECT_EQ(escaped("\xed\xa0\x80"), fffd + fffd + fffd);       // UTF-16 surrogate
  EXPECT_EQ(escaped("\xf4\x90\x80\x80"), fffd + fffd + fffd + fffd); // above U+10FFFF
  EXPECT_EQ(escaped("\xf0\x9f\x98"), fffd);                     // truncated at the end
  EXPECT_EQ(escaped("\xf0\x9f\x98x"), fffd + "x");              // truncated mid-string
  EXPECT_EQ(escaped("\x80"), fffd);                             // lone continuation byte
  EXPECT_EQ(escaped("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");   // U+10FFFF is valid
}

TEST_F(logging_test, lines_below_the_level_are_dropped) {
  capture("warn", "json");
  spdlog::debug("debug line");
  spdlog::info("info line");
  spdlog::warn("warn line");
  spdlog::error("error line");
  auto lines = json_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("msg"), "warn line");
  EXPECT_EQ(lines[1].at("level"), "error");

  out_.str("");
  capture("DEBUG", "text");
  spdlog::trace("trace line");
  spdlog::debug("debug line");
  auto text = split_lines(out_.str());
  ASSERT_EQ(text.size(), 1u);
  EXPECT_THAT(text[0], ::testing::HasSubstr(" debug debug line"));
}

TEST_F(logging_test, text_lines_have_the_trace_segment_only_inside_a_scope) {
  capture("info", "text");
  spdlog::info("without");
  {
    trace_scope scope{"ab12"};
    spdlog::info("message");
  }
  auto lines = split_lines(out_.str());
  ASSERT_EQ(lines.size(), 2u);
  const std::string stamp = R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})";
  EXPECT_TRUE(std::regex_match(lines[0], std::regex{stamp + " info without"})) << lines[0];
  EXPECT_TRUE(std::regex_match(lines[1], std::regex{stamp + R"( info \[trace=ab12\] message)"}))
    << lines[1];
}

TEST_F(logging_test, bad_options_are_reported_and_keep_the_previous_logger) {
  capture("info", "json");
  log_options bad_level;
  bad_level.level = "verbose";
  EXPECT_THAT(init_logging(bad_level), ::testing::HasSubstr("verbose"));
  log_options bad_format;
  bad_format.format = "xml";
  EXPECT_THAT(init_logging(bad_format), ::testing::HasSubstr("xml"));
  EXPECT_NE(init_logging_to(nullptr, {}), "");
  spdlog::info("still captured");
  auto lines = json_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("msg"), "still captured");
}

TEST_F(logging_test, writes_json_lines_to_a_file) {
  namespace fs = std::filesystem;
  auto dir = fs::temp_directory_path() / ("cartmate_logging_test_" + new_trace_id());
  fs::create_directories(dir);
  auto path = dir / "cartmate.log";
  log_options opts;
  opts.format = "json";
  opts.file = path.string();
  ASSERT_EQ(init_logging(opts), "");
  {
    trace_scope scope{"f11e"};
    spdlog::info("to the file");
  }
  spdlog::default_logger()->flush();
  // Release the file before reading and removing it.
  ASSERT_EQ(init_logging_to(std::make_shared<spdlog::sinks::null_sink_mt>(), {}), "");
  std::ifstream in{path};
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed.at("msg"), "to the file");
  EXPECT_EQ(parsed.at("trace_id"), "f11e");

  // A path below a regular file cannot be opened: an error message, not an exception.
  log_options unwritable;
  unwritable.file = (path / "nested.log").string();
  EXPECT_THAT(init_logging(unwritable), ::testing::HasSubstr("nested.log"));
  in.close();
  fs::remove_all(dir);
}

TEST(trace_ids, are_sixteen_lowercase_hex_digits_and_distinct_across_threads) {
  std::regex hex16{"[0-9a-f]{16}"};
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread)
    threads.emplace_back([&ids] {
      for (int i = 0; i < 1000; ++i)
        ids.push_back(new_trace_id());
    });
  for (auto& th : threads)
    th.join();
  std::set<std::string> all;
  for (const auto& ids : per_thread)
    for (const auto& id : ids) {
      EXPECT_TRUE(std::regex_match(id, hex16)) << id;
      all.insert(id);
    }
  EXPECT_EQ(all.size(), 4000u);
}

} // namespace
} // namespace cartmate::runtime
