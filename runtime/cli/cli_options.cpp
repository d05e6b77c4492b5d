// cli_options.cpp — argv parsing; configuration values are validated by the config loader.
#include "runtime/cli/cli_options.hpp"

#include <algorithm>

#include "protocol/errors.hpp"

namespace cartmate::cli {

caf::expected<cli_options> parse_cli(int argc, char** argv,
                                     const std::vector<std::string>& command_flags) {
  cli_options out;
  auto bad = [](std::string msg) {
    return protocol::make_error(protocol::errc::invalid_argument, std::move(msg));
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next_value = [&](const std::string& name) -> caf::expected<std::string> {
      if (i + 1 >= argc)
        return bad("option " + name + " needs a value");
      return std::string{argv[++i]};
    };
    if (arg == "--config" || arg == "-c") {
      auto v = next_value(arg);
      if (!v)
        return v.error();
      out.config_file = *v;
    } else if (arg.rfind("--config=", 0) == 0) {
      out.config_file = arg.substr(9);
    } else if (arg == "--set") {
      auto v = next_value(arg);
      if (!v)
        return v.error();
      out.overrides.push_back(*v);
    } else if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      auto body = arg.substr(2);
      auto eq = body.find('=');
      auto name = body.substr(0, eq);
      if (std::find(command_flags.begin(), command_flags.end(), name) != command_flags.end()) {
        out.flags[name] = eq == std::string::npos ? "" : body.substr(eq + 1);
      } else if (eq != std::string::npos && name.find('.') != std::string::npos) {
        out.overrides.push_back(body);
      } else {
        return bad("unknown option '" + arg + "' (configuration overrides look like --log.level=debug)");
      }
    } else if (out.command.empty()) {
      out.command = arg;
    } else {
      out.positional.push_back(arg);
    }
  }
  return out;
}

}  // namespace cartmate::cli
