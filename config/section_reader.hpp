// section_reader.hpp — typed reads of one section of a settings tree, for the adapters that read
// their own section (pricing, style, llm, embeddings). The loader has already checked a real
// configuration against the schema; this guards hand-built trees (tests, tools): a missing key
// keeps the caller's default, a wrong type or a value out of range is an error naming
// "section.key". Threading: reads an immutable tree; use from one thread at a time.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include <caf/error.hpp>
#include <nlohmann/json_fwd.hpp>

namespace cartmate::config {

class section_reader {
 public:
  /// `settings` is the whole tree and must outlive the reader. A missing section reads as empty;
  /// one that is not an object makes error() and every read fail.
  section_reader(const nlohmann::json& settings, std::string section);
  /// A temporary tree would be gone before the first read.
  section_reader(nlohmann::json&& settings, std::string section) = delete;

  /// Why the section cannot be read (not an object), or none.
  const caf::error& error() const { return error_; }

  caf::error text(const char* key, std::string& out, bool non_empty = false) const;
  caf::error integer(const char* key, int64_t lo, int64_t hi, int64_t& out) const;
  caf::error integer_at_least(const char* key, int64_t lo, int64_t& out) const {
    return integer(key, lo, std::numeric_limits<int64_t>::max(), out);
  }
  caf::error number(const char* key, double lo, double hi, double& out) const;
  caf::error boolean(const char* key, bool& out) const;

 private:
  const nlohmann::json* find(const char* key) const;
  caf::error bad(const char* key, const std::string& what) const;

  const nlohmann::json* section_ = nullptr;
  std::string name_;
  caf::error error_;
};

}  // namespace cartmate::config
