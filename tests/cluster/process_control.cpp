// process_control.cpp — fork/exec with log files, polling waits with deadlines, SIGKILL clean-up.
// Threading: one test thread owns its processes.
#include "tests/cluster/process_control.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace cartmate::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr auto poll_step = 50ms;

std::string read_file(const std::string& path, size_t from = 0) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return {};
  in.seekg(static_cast<std::streamoff>(from));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

int decode_status(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

scratch_dir::scratch_dir() {
  auto base = fs::temp_directory_path() / "cartmate-cluster-XXXXXX";
  std::string pattern = base.string();
  if (::mkdtemp(pattern.data()) != nullptr)
    path_ = pattern;
}

scratch_dir::~scratch_dir() {
  if (keep_ || path_.empty())
    return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

child_process::child_process(std::string name, std::vector<std::string> argv, std::string cwd,
                             std::string log_stem)
    : name_(std::move(name)),
      argv_(std::move(argv)),
      cwd_(std::move(cwd)),
      out_path_(log_stem + ".out"),
      err_path_(log_stem + ".err") {
  // nop
}

child_process::~child_process() {
  kill_hard();
}

bool child_process::start() {
  if (argv_.empty()) {
    why_ = "no command";
    return false;
  }
  int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0 || err < 0) {
    why_ = "cannot open the log files " + out_path_ + ": " + std::strerror(errno);
    if (out >= 0)
      ::close(out);
    if (err >= 0)
      ::close(err);
    return false;
  }
  std::vector<char*> args;
  for (auto& a : argv_)
    args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here on.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(127);
    ::setpgid(0, 0);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0)
      ::dup2(null, STDIN_FILENO);
    if (!cwd_.empty() && ::chdir(cwd_.c_str()) != 0)
      ::_exit(126);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  if (pid < 0) {
    why_ = std::string{"fork failed: "} + std::strerror(errno);
    return false;
  }
  pid_ = pid;
  exit_status_.reset();
  return true;
}

bool child_process::running() {
  if (pid_ <= 0)
    return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0)
    return true;
  exit_status_ = r == pid_ ? decode_status(status) : -1;
  pid_ = -1;
  return false;
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds limit) {
  auto deadline = steady::now() + limit;
  while (running()) {
    if (steady::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(poll_step);
  }
  return exit_status_;
}

void child_process::kill_hard() {
  if (!running())
    return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  if (::waitpid(pid_, &status, 0) == pid_)
    exit_status_ = decode_status(status);
  pid_ = -1;
}

int child_process::stop(std::chrono::milliseconds grace) {
  if (!running())
    return exit_status_.value_or(-1);
  ::kill(pid_, SIGTERM);
  if (auto code = wait_exit(grace))
    return *code;
  kill_hard();
  return -1;
}

std::optional<std::string> child_process::wait_for_stdout(const std::string& pattern,
                                                          std::chrono::milliseconds limit,
                                                          size_t from) {
  const std::regex re{pattern};
  auto deadline = steady::now() + limit;
  for (;;) {
    // Read before checking for the exit, so output written just before it still counts.
    bool alive = running();
    auto text = read_file(out_path_, from);
    std::smatch m;
    if (std::regex_search(text, m, re))
      return m.size() > 1 ? m[1].str() : m[0].str();
    if (!alive) {
      why_ = name_ + " exited (status " + std::to_string(exit_status_.value_or(-1))
             + ") before printing /" + pattern + "/";
      return std::nullopt;
    }
    if (steady::now() >= deadline) {
      why_ = name_ + " printed no /" + pattern + "/ within "
             + std::to_string(limit.count()) + " ms";
      return std::nullopt;
    }
    std::this_thread::sleep_for(poll_step);
  }
}

std::string child_process::stdout_text() const {
  return read_file(out_path_);
}

std::string child_process::stderr_text() const {
  return read_file(err_path_);
}

size_t child_process::stdout_size() const {
  std::error_code ec;
  auto n = fs::file_size(out_path_, ec);
  return ec ? 0 : static_cast<size_t>(n);
}

std::string child_process::logs(size_t tail_bytes) const {
  return "----- " + name_ + " stdout (" + out_path_ + ")\n" + tail(stdout_text(), tail_bytes)
         + "\n----- " + name_ + " stderr (" + err_path_ + ")\n" + tail(stderr_text(), tail_bytes)
         + "\n";
}

command_result run_command(const std::vector<std::string>& argv, const std::string& cwd,
                           const std::string& log_stem, std::chrono::milliseconds limit) {
  // A fresh log per run: remove what an earlier run under this stem left.
  std::error_code ec;
  fs::remove(log_stem + ".out", ec);
  fs::remove(log_stem + ".err", ec);
  child_process child{argv.empty() ? "?" : argv.front(), argv, cwd, log_stem};
  command_result result;
  if (!child.start()) {
    result.err = child.why();
    return result;
  }
  auto code = child.wait_exit(limit);
  if (!code) {
    child.kill_hard();
    result.timed_out = true;
  } else {
    result.exit_code = *code;
  }
  result.out = child.stdout_text();
  result.err = child.stderr_text();
  return result;
}

std::string cartmate_binary() {
  if (const char* env = std::getenv("CARTMATE_BIN"); env != nullptr && *env != '\0')
    return env;
  return CARTMATE_BIN;
}

std::string source_dir() {
  return CARTMATE_SOURCE_DIR;
}

cartmate_node::cartmate_node(std::string name, std::string config,
                             std::vector<std::string> overrides, const std::string& log_dir)
    : name_(std::move(name)),
      config_(std::move(config)),
      overrides_(std::move(overrides)),
      log_dir_(log_dir) {
  // nop
}

bool cartmate_node::start(uint16_t cluster_port, std::chrono::milliseconds limit) {
  std::vector<std::string> argv{cartmate_binary(), "serve", "--config", config_,
                                "--node.name=" + name_,
                                "--cluster.port=" + std::to_string(cluster_port),
                                "--server.port=0"};
  for (auto& o : overrides_)
    argv.push_back("--" + o);
  process_.reset();
  auto& p = process_.emplace(name_, argv, source_dir(), log_dir_ + "/" + name_);
  // The log is appended to across restarts: only this run's lines count.
  const size_t from = p.stdout_size();
  if (!p.start()) {
    why_ = p.why();
    return false;
  }
  auto cluster = p.wait_for_stdout(R"(cluster port 127\.0\.0\.1:(\d+))", limit, from);
  auto http = cluster ? p.wait_for_stdout(R"(listening on http://127\.0\.0\.1:(\d+))", limit, from)
                      : std::nullopt;
  if (!cluster || !http) {
    why_ = p.why();
    return false;
  }
  cluster_port_ = static_cast<uint16_t>(std::stoi(*cluster));
  http_port_ = static_cast<uint16_t>(std::stoi(*http));
  return true;
}

std::string comma_joined(const std::vector<std::string>& items) {
  std::string out;
  for (auto& i : items)
    out += (out.empty() ? "" : ",") + i;
  return out;
}

}  // namespace cartmate::testing
