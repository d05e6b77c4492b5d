// config_loader.hpp — loads node settings: schema defaults, overlaid with a JSON file, then with
// `key=value` overrides; every problem is found and reported before anything starts.
// Threading: free functions without shared mutable state; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

namespace cartmate::config {

/// The text of config/schema.json as compiled into the binary: every key's type, default,
/// constraints and one-line doc.
std::string_view schema_json();

/// Validated settings tree: the schema's defaults overlaid with the file and then the overrides.
/// `file_path` "" means defaults only; an override looks like "log.level=debug" (string arrays
/// as comma-separated lists, "node.agents=cart,alerts"). On failure the error is
/// protocol::errc::invalid_argument listing every problem, one per line, each naming the key
/// and the type it expects.
[[nodiscard]] caf::expected<nlohmann::json>
load_settings(std::string_view file_path, const std::vector<std::string>& overrides);

/// As load_settings, with the configuration given as JSON text instead of a file.
[[nodiscard]] caf::expected<nlohmann::json>
load_settings_from_text(std::string_view json_text, const std::vector<std::string>& overrides);

/// As load_settings, with the configuration already parsed (e.g. a tree built in code, or
/// one to re-check); keys it omits take their defaults.
[[nodiscard]] caf::expected<nlohmann::json>
validate_settings(const nlohmann::json& tree, const std::vector<std::string>& overrides);

/// One line per key, in schema order: key, type, default, constraints and doc
/// (for `cartmate config --help`).
std::string describe_schema();

}  // namespace cartmate::config
