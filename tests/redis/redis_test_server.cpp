// redis_test_server.cpp — fork/exec of redis-server with bounded waits and a raw-socket PING.
#include "tests/redis/redis_test_server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

namespace cartmate::testing {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

/// A port nobody listens on right now (the kernel's pick for port 0).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0
      && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

/// True when a server on 127.0.0.1:port answers PING with +PONG within a second.
bool answers_ping(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const char ping[] = "PING\r\n";
    if (::send(fd, ping, sizeof(ping) - 1, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof(ping) - 1)) {
      char buf[16] = {};
      auto n = ::recv(fd, buf, sizeof(buf) - 1, 0);
      ok = n >= 5 && std::strncmp(buf, "+PONG", 5) == 0;
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::string redis_test_server::find_binary() {
  if (const char* env = std::getenv("CARTMATE_REDIS_SERVER"); env != nullptr && *env != '\0')
    return executable(env) ? std::string{env} : std::string{};
  const char* path = std::getenv("PATH");
  std::stringstream dirs{path != nullptr && *path != '\0' ? path : "/usr/local/bin:/usr/bin:/bin"};
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && executable(dir + "/redis-server"))
      return dir + "/redis-server";
  for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"})
    if (executable(p))
      return p;
  return {};
}

std::string redis_test_server::missing_binary_message() {
  return "redis-server not found on PATH or in $CARTMATE_REDIS_SERVER; install it with "
         "scripts/setup.sh (Debian package redis-server)";
}

redis_test_server::~redis_test_server() {
  teardown();
}

bool redis_test_server::fail(const std::string& what) {
  last_error_ = what;
  if (!log_.empty())
    last_error_ += "\n--- server log ---\n" + log_tail();
  return false;
}

std::string redis_test_server::log_tail() const {
  std::ifstream in{log_};
  std::stringstream all;
  all << in.rdbuf();
  auto text = all.str();
  constexpr size_t keep = 2000;
  return text.size() > keep ? text.substr(text.size() - keep) : text;
}

bool redis_test_server::setup() {
  binary_ = find_binary();
  if (binary_.empty())
    return fail(missing_binary_message());
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string{tmp != nullptr && *tmp != '\0' ? tmp : "/tmp"}
                        + "/cartmate-redis-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    return fail("cannot create a temporary directory: " + std::string{std::strerror(errno)});
  root_ = pattern;
  log_ = root_ + "/redis.log";
  // The port is free when picked but could be taken before the server binds it: try again.
  for (int attempt = 0; attempt < 3 && !running(); ++attempt) {
    port_ = free_port();
    if (port_ != 0)
      start();
  }
  if (!running()) {
    auto keep = last_error_.empty() ? std::string{"cannot start redis-server"} : last_error_;
    teardown();
    last_error_ = keep;
    return false;
  }
  return true;
}

bool redis_test_server::start() {
  if (running())
    return true;
  std::vector<std::string> args{binary_,      "--port",       std::to_string(port_),
                                "--bind",     "127.0.0.1",    "--save",
                                "",           "--appendonly", "no",
                                "--daemonize", "no",          "--dir",
                                root_,        "--logfile",    log_};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0)
    return fail("fork failed: " + std::string{std::strerror(errno)});
  if (pid == 0) {
    // A test process that crashes must not leave a server behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(1);
    // Never the test's own stdout: ctest waits for that pipe to close.
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
    }
    ::setpgid(0, 0);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  if (!wait_ready()) {
    auto keep = last_error_;
    stop();
    last_error_ = keep;
    return false;
  }
  return true;
}

bool redis_test_server::wait_ready() {
  auto give_up = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return fail("redis-server exited at start on port " + std::to_string(port_));
    }
    if (answers_ping(port_))
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return fail("redis-server did not answer PING within 15 s on port " + std::to_string(port_));
}

bool redis_test_server::stop() {
  if (!running())
    return true;
  ::kill(pid_, SIGTERM);
  auto give_up = std::chrono::steady_clock::now() + 10s;
  int status = 0;
  for (;;) {
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR))
      break;
    if (std::chrono::steady_clock::now() > give_up) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  pid_ = -1;
  return true;
}

void redis_test_server::teardown() {
  stop();
  if (!root_.empty()) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    root_.clear();
  }
}

redis_test_server* shared_redis_server(std::string* why) {
  static std::unique_ptr<redis_test_server> server;
  static std::string failure;
  if (!server && failure.empty()) {
    auto fresh = std::make_unique<redis_test_server>();
    if (fresh->setup())
      server = std::move(fresh);
    else
      failure = fresh->last_error();
  }
  if (!server && why != nullptr)
    *why = failure;
  return server.get();
}

std::string unique_prefix() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + ":";
}

}  // namespace cartmate::testing
