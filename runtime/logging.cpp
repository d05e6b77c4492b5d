// logging.cpp — spdlog sinks and formatters for text and JSON lines, and the per-thread trace id.
// Threading: formatters run on the logging thread (synchronous loggers), under the sink's mutex.
#include "runtime/logging.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace cartmate::runtime {

namespace {

thread_local std::string current_trace;

void append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

std::string_view to_view(spdlog::string_view_t text) {
  return {text.data(), text.size()};
}

// "%*" in the text pattern: the "[trace=...] " segment, only while a trace_scope is active.
class trace_flag final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    if (current_trace.empty())
      return;
    append(dest, "[trace=");
    append(dest, current_trace);
    append(dest, "] ");
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<trace_flag>();
  }
};

std::unique_ptr<spdlog::formatter> make_text_formatter() {
  auto result = std::make_unique<spdlog::pattern_formatter>();
  result->add_flag<trace_flag>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %*%v");
  return result;
}

// One JSON object per line; time in UTC so lines from several nodes sort together.
class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    line_.clear();
    line_ += "{\"ts\":\"";
    append_timestamp(msg.time);
    line_ += "\",\"level\":\"";
    append_json_escaped(line_, to_view(spdlog::level::to_string_view(msg.level)));
    line_ += "\",\"logger\":\"";
    append_json_escaped(line_, to_view(msg.logger_name));
    line_ += "\",\"trace_id\":\"";
    append_json_escaped(line_, current_trace);
    line_ += "\",\"msg\":\"";
    append_json_escaped(line_, to_view(msg.payload));
    line_ += "\"}\n";
    append(dest, line_);
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }

private:
  void append_timestamp(spdlog::log_clock::time_point time) {
    using namespace std::chrono;
    auto since_epoch = time.time_since_epoch();
    auto secs = duration_cast<seconds>(since_epoch);
    auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
    if (millis < 0) { // times before 1970 round towards zero; keep the fields consistent
      secs -= seconds{1};
      millis += 1000;
    }
    std::time_t t = static_cast<std::time_t>(secs.count());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    auto n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                           tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                           tm.tm_sec, static_cast<int>(millis));
    line_.append(buf, static_cast<size_t>(std::max(n, 0)));
  }

  std::string line_; // reused: formatters are called under the sink's lock
};

std::string lowercase(std::string_view text) {
  std::string out{text};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// spdlog::level::from_str maps unknown names to "off", which would silently disable logging.
bool parse_level(std::string_view text, spdlog::level::level_enum& out) {
  auto name = lowercase(text);
  if (name == "warn")
    name = "warning";
  for (int i = spdlog::level::trace; i <= spdlog::level::off; ++i) {
    auto lvl = static_cast<spdlog::level::level_enum>(i);
    if (to_view(spdlog::level::to_string_view(lvl)) == name) {
      out = lvl;
      return true;
    }
  }
  return false;
}

std::string check_options(const log_options& opts, spdlog::level::level_enum& lvl) {
  if (!parse_level(opts.level, lvl))
    return "unknown log level '" + opts.level
           + "' (expected trace, debug, info, warn, error, critical or off)";
  auto format = lowercase(opts.format);
  if (format != "text" && format != "json")
    return "unknown log format '" + opts.format + "' (expected text or json)";
  return {};
}

std::string install(std::shared_ptr<spdlog::sinks::sink> sink, const log_options& opts,
                    spdlog::level::level_enum lvl) {
  auto logger = std::make_shared<spdlog::logger>(std::string{logger_name}, std::move(sink));
  if (lowercase(opts.format) == "json")
    logger->set_formatter(std::make_unique<json_formatter>());
  else
    logger->set_formatter(make_text_formatter());
  logger->set_level(lvl);
  // Warnings and errors reach the file at once; the rest is flushed by the sink's buffer or
  // at exit when spdlog's registry is destroyed.
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return {};
}

} // namespace

std::string init_logging(const log_options& opts) {
  auto lvl = spdlog::level::info;
  if (auto err = check_options(opts, lvl); !err.empty())
    return err;
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (opts.file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::automatic);
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(opts.file);
    } catch (const spdlog::spdlog_ex& ex) {
      return "cannot open log file '" + opts.file + "': " + ex.what();
    }
  }
  return install(std::move(sink), opts, lvl);
}

std::string init_logging_to(std::shared_ptr<spdlog::sinks::sink> sink, const log_options& opts) {
  if (sink == nullptr)
    return "no log sink given";
  auto lvl = spdlog::level::info;
  if (auto err = check_options(opts, lvl); !err.empty())
    return err;
  return install(std::move(sink), opts, lvl);
}

std::string_view current_trace_id() noexcept {
  return current_trace;
}

trace_scope::trace_scope(std::string trace_id) : previous_(std::move(current_trace)) {
  current_trace = std::move(trace_id);
}

trace_scope::~trace_scope() {
  current_trace = std::move(previous_);
}

std::string new_trace_id() {
  // splitmix64: one add and three multiply-xorshift steps per id; seeded per thread so threads
  // neither share state nor repeat each other's sequence.
  thread_local uint64_t state = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ static_cast<uint64_t>(rd());
  }();
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, z >>= 4)
    out[static_cast<size_t>(i)] = digits[z & 0xf];
  return out;
}

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  static constexpr std::string_view replacement = "\xEF\xBF\xBD"; // U+FFFD
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = bytes[i];
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Well-formed sequences per Unicode table 3-7: the second byte's range depends on the
    // lead byte (this rules out overlong forms, surrogates and code points above U+10FFFF).
    int trailing = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      trailing = 1;
    } else if (c == 0xE0) {
      trailing = 2;
      lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      trailing = 2;
    } else if (c == 0xED) {
      trailing = 2;
      hi = 0x9F;
    } else if (c == 0xF0) {
      trailing = 3;
      lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      trailing = 3;
    } else if (c == 0xF4) {
      trailing = 3;
      hi = 0x8F;
    } else {
      out += replacement;
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool complete = true;
    for (int k = 0; k < trailing; ++k, ++j) {
      if (j >= n || bytes[j] < lo || bytes[j] > hi) {
        complete = false;
        break;
      }
      lo = 0x80;
      hi = 0xBF;
    }
    if (complete)
      out.append(text.data() + i, j - i);
    else
      out += replacement; // one U+FFFD for the maximal subpart; resume at the offending byte
    i = j;
  }
}

} // namespace cartmate::runtime
