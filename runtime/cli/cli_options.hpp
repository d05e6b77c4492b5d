// cli_options.hpp — the command line shared by every cartmate subcommand: a configuration
// file, configuration overrides, and the subcommand's own positional arguments and flags.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace cartmate::cli {

struct cli_options {
  std::string command;                     // "run", "config", ...
  std::string config_file;                 // --config FILE
  std::vector<std::string> overrides;      // --set key=value, or --key=value for a config key
  std::map<std::string, std::string> flags;  // subcommand flags such as --for=5 or --schema
  std::vector<std::string> positional;
};

/// Parses argv. Flags named in `command_flags` belong to the subcommand; any other
/// "--a.b=value" is a configuration override (validated later against the schema).
caf::expected<cli_options> parse_cli(int argc, char** argv,
                                     const std::vector<std::string>& command_flags);

}  // namespace cartmate::cli
