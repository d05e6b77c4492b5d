// conversation_commands.cpp — `replay` (scripted conversations with checked expectations) and
// `chat` (the same turns typed at a terminal), both through the replay driver.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "actors/replay/replay_driver.hpp"
#include "protocol/errors.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/cli/node_runner.hpp"
#include "runtime/logging.hpp"

namespace cartmate::cli {

namespace {

namespace fs = std::filesystem;

// Files as given; a folder stands for its *.jsonl files in name order.
std::vector<std::string> expand_script_paths(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (auto& a : args) {
    std::error_code ec;
    if (!fs::is_directory(a, ec)) {
      out.push_back(a);
      continue;
    }
    std::vector<std::string> found;
    for (auto& entry : fs::directory_iterator(a, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".jsonl")
        found.push_back(entry.path().string());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace

int replay_command(const cli_options& opts, const config::node_config& cfg) {
  auto paths = expand_script_paths(opts.positional);
  if (paths.empty()) {
    std::cerr << "cartmate replay: give one or more script files (or folders of *.jsonl)\n";
    return 2;
  }
  // Every script is parsed before the node starts: a typo fails fast, with file and line.
  std::vector<replay::conversation_script> scripts;
  bool malformed = false;
  for (auto& p : paths) {
    auto s = replay::load_script(p);
    if (!s) {
      std::cerr << "cartmate replay: " << protocol::describe(s.error()) << "\n";
      malformed = true;
    } else {
      scripts.push_back(std::move(*s));
    }
  }
  if (malformed)
    return 2;
  auto node = start_agent_node(cfg, false);
  if (!node)
    return 1;
  bool quiet = opts.flags.count("quiet") > 0;
  size_t passed = 0;
  size_t checks_passed = 0;
  size_t checks_total = 0;
  std::vector<std::string> failed;
  for (auto& script : scripts) {
    replay::replay_options options;
    options.turn_deadline = cfg.resilience.turn_deadline;
    options.style.show_checks = !quiet;
    options.style.show_meta = !quiet;
    if (!quiet)
      options.on_output = [](const std::string& block) { std::cout << block << std::flush; };
    auto result = replay::run_replay(node->system(), node->directory(), std::move(script), options);
    // The transcript ends with the summary line; quiet mode shows it only for failures.
    if (quiet && !result.passed())
      std::cout << result.transcript << "\n" << std::flush;
    else
      std::cout << replay::summary_line(result) << "\n\n" << std::flush;
    checks_passed += result.checks_passed;
    checks_total += result.checks_passed + result.checks_failed;
    if (result.passed())
      ++passed;
    else
      failed.push_back(result.file);
  }
  std::cout << "replay: " << passed << "/" << scripts.size() << " conversation(s) passed, "
            << checks_passed << "/" << checks_total << " checks\n";
  for (auto& f : failed)
    std::cout << "  failed: " << f << "\n";
  node->stop();
  return failed.empty() ? 0 : 1;
}

namespace {

constexpr const char* chat_help = R"(Type a message and press Enter. Commands:
  /yes              confirm what CartMate asked (e.g. placing the order)
  /no               cancel it
  /like [which]     like an item ("/like the second one"; default: the last one shown)
  /dislike [which]  dislike an item
  /image PATH       search by a picture (PNG or JPEG file; the path is relative to where you are)
  /help             this text
  /quit             leave (Ctrl-D works too)
)";

// Splits "/like the second one" into the command and its argument.
std::pair<std::string, std::string> split_command(const std::string& line) {
  auto space = line.find(' ');
  if (space == std::string::npos)
    return {line, {}};
  auto arg = line.substr(space + 1);
  arg.erase(0, arg.find_first_not_of(' '));
  return {line.substr(0, space), arg};
}

}  // namespace

int chat_command(const cli_options& opts, const config::node_config& cfg) {
  auto node = start_agent_node(cfg, true);
  if (!node)
    return 1;
  std::string user = opts.flags.count("user") ? opts.flags.at("user") : std::string{"shopper"};
  std::string session = "chat-" + runtime::new_trace_id().substr(0, 8);
  std::cout << "CartMate chat (session " << session << "). Agents:\n";
  print_agent_status(*node, std::cout);
  std::cout << chat_help << std::flush;
  uint64_t turn_id = 1;
  std::string line;
  for (;;) {
    std::cout << "you> " << std::flush;
    if (!std::getline(std::cin, line))
      break;
    line.erase(0, line.find_first_not_of(" \t"));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
      line.pop_back();
    if (line.empty())
      continue;
    replay::script_turn turn;
    turn.text = line;
    if (line[0] == '/') {
      auto [cmd, arg] = split_command(line);
      if (cmd == "/quit" || cmd == "/exit")
        break;
      if (cmd == "/help") {
        std::cout << chat_help;
        continue;
      }
      if (cmd == "/yes") {
        turn.input = protocol::turn_input::confirm;
        turn.text = "yes";
      } else if (cmd == "/no") {
        turn.input = protocol::turn_input::cancel;
        turn.text = "no";
      } else if (cmd == "/image") {
        if (arg.empty()) {
          std::cout << "usage: /image PATH (a PNG or JPEG file)\n";
          continue;
        }
        // Relative to the working directory: resolve against a file that would live there.
        auto bytes = replay::read_image_file(arg, "./chat");
        if (!bytes) {
          std::cout << protocol::describe(bytes.error()) << "\n";
          continue;
        }
        turn.input = protocol::turn_input::image;
        turn.image_path = arg;
        turn.image = std::move(*bytes);
        turn.text = "[image " + arg + "]";
      } else if (cmd == "/like" || cmd == "/dislike") {
        turn.input = cmd == "/like" ? protocol::turn_input::like : protocol::turn_input::dislike;
        turn.product_ref = arg.empty() ? std::string{"it"} : arg;
        turn.text = cmd.substr(1) + " " + turn.product_ref;
      } else {
        std::cout << "unknown command " << cmd << " (try /help)\n";
        continue;
      }
    }
    replay::conversation_script script;
    script.name = "chat";
    script.file = "(terminal)";
    script.user = user;
    script.turns.push_back(std::move(turn));
    replay::replay_options options;
    options.turn_deadline = cfg.resilience.turn_deadline;
    options.session = session;
    options.first_turn_id = turn_id++;
    options.check = false;
    options.header = false;
    options.style.echo_user = false;
    options.style.show_meta = opts.flags.count("verbose") > 0;
    options.style.max_products = 10;
    options.on_output = [](const std::string& block) { std::cout << block << std::flush; };
    replay::run_replay(node->system(), node->directory(), std::move(script), options);
  }
  std::cout << "\nbye\n";
  node->stop();
  return 0;
}

}  // namespace cartmate::cli
