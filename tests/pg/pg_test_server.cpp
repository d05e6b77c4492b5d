// pg_test_server.cpp — fork/exec of initdb, pg_ctl and createdb with bounded waits.
#include "tests/pg/pg_test_server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

namespace cartmate::testing {

namespace {

namespace fs = std::filesystem;

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

std::string runuser_path() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"})
    if (executable(p))
      return p;
  return "runuser";
}

}  // namespace

std::string pg_test_server::find_bin_dir() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("CARTMATE_PG_BIN"); env != nullptr && *env != '\0')
    candidates.emplace_back(env);
  candidates.emplace_back("/usr/lib/postgresql/15/bin");
  for (const auto& dir : candidates)
    if (executable(dir + "/initdb") && executable(dir + "/pg_ctl") && executable(dir + "/createdb"))
      return dir;
  return {};
}

std::string pg_test_server::missing_binaries_message() {
  return "PostgreSQL 15 server binaries (initdb, pg_ctl, createdb) not found in "
         "/usr/lib/postgresql/15/bin or $CARTMATE_PG_BIN; install them with scripts/setup.sh "
         "(Debian package postgresql-15)";
}

pg_test_server::~pg_test_server() {
  teardown();
}

bool pg_test_server::fail(const std::string& what) {
  last_error_ = what;
  if (!command_log_.empty())
    last_error_ += "\n--- commands ---\n" + tail_of(command_log_);
  if (!server_log_.empty())
    last_error_ += "\n--- server log ---\n" + tail_of(server_log_);
  return false;
}

std::string pg_test_server::tail_of(const std::string& file) const {
  std::ifstream in{file};
  std::stringstream all;
  all << in.rdbuf();
  auto text = all.str();
  constexpr size_t keep = 2000;
  return text.size() > keep ? text.substr(text.size() - keep) : text;
}

int pg_test_server::run(std::vector<std::string> args, std::chrono::seconds limit,
                        bool as_server_user) {
  if (as_server_user && ::geteuid() == 0)
    args.insert(args.begin(), {runuser_path(), "-u", "postgres", "--"});
  {
    std::ofstream log{command_log_, std::ios::app};
    log << "$";
    for (const auto& a : args)
      log << ' ' << a;
    log << '\n';
  }
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    // Child: the server that pg_ctl spawns inherits these, so never the test's own stdout
    // (ctest would wait for that pipe to close until the server exits).
    int null_fd = ::open("/dev/null", O_RDONLY);
    int log_fd = ::open(command_log_.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (null_fd >= 0)
      ::dup2(null_fd, 0);
    if (log_fd >= 0) {
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
    }
    ::setpgid(0, 0);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (done < 0 && errno != EINTR)
      return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      std::ofstream{command_log_, std::ios::app} << "(killed after " << limit.count() << " s)\n";
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

bool pg_test_server::setup(const std::string& dbname) {
  bin_ = find_bin_dir();
  if (bin_.empty())
    return fail(missing_binaries_message());
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string{tmp != nullptr && *tmp != '\0' ? tmp : "/tmp"}
                        + "/cartmate-pg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    return fail("cannot create a temporary directory: " + std::string{std::strerror(errno)});
  root_ = pattern;
  data_dir_ = root_ + "/data";
  server_log_ = root_ + "/server.log";
  command_log_ = root_ + "/commands.log";
  if (::geteuid() == 0) {
    // initdb and postgres refuse to run as root: the directory must belong to postgres.
    auto* pw = ::getpwnam("postgres");
    if (pw == nullptr) {
      teardown();
      return fail("running as root but there is no postgres user to run the server as");
    }
    if (::chown(root_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      teardown();
      return fail("cannot hand " + root_ + " to postgres: " + std::strerror(errno));
    }
  }
  std::ofstream{command_log_, std::ios::app}.flush();
  if (::geteuid() == 0)
    if (auto* pw = ::getpwnam("postgres"))
      (void) ::chown(command_log_.c_str(), pw->pw_uid, pw->pw_gid);
  if (run({bin_ + "/initdb", "-D", data_dir_, "-U", "postgres", "-A", "trust", "-E", "UTF8",
           "--locale=C", "--no-sync", "--no-instructions"},
          std::chrono::seconds{120}, true) != 0) {
    auto ok = fail("initdb failed");
    auto keep = last_error_;
    teardown();
    last_error_ = keep;
    return ok;
  }
  // The port is free when picked but could be taken before the server binds it: try again.
  for (int attempt = 0; attempt < 3 && !running_; ++attempt) {
    port_ = free_port();
    if (port_ != 0)
      start();
  }
  if (!running_ || !create_database(dbname)) {
    auto keep = last_error_.empty() ? std::string{"cannot start PostgreSQL"} : last_error_;
    teardown();
    last_error_ = keep;
    return false;
  }
  return true;
}

bool pg_test_server::start() {
  if (running_)
    return true;
  std::string opts = "-p " + std::to_string(port_) + " -k " + root_
                     + " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                       " -c full_page_writes=off -c max_connections=60";
  if (run({bin_ + "/pg_ctl", "-D", data_dir_, "-l", server_log_, "-w", "-t", "30", "-o", opts,
           "start"},
          std::chrono::seconds{45}, true) != 0)
    return fail("pg_ctl start failed on port " + std::to_string(port_));
  running_ = true;
  return true;
}

bool pg_test_server::stop() {
  if (!running_)
    return true;
  if (run({bin_ + "/pg_ctl", "-D", data_dir_, "-m", "fast", "-w", "-t", "30", "stop"},
          std::chrono::seconds{45}, true) != 0) {
    // A fast stop that hangs is forced, so a failing test never leaves a server behind.
    run({bin_ + "/pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "-t", "15", "stop"},
        std::chrono::seconds{20}, true);
    running_ = false;
    return fail("pg_ctl stop failed");
  }
  running_ = false;
  return true;
}

bool pg_test_server::create_database(const std::string& dbname) {
  if (run({bin_ + "/createdb", "-h", "127.0.0.1", "-p", std::to_string(port_), "-U", "postgres",
           dbname},
          std::chrono::seconds{30}, true) != 0)
    return fail("createdb " + dbname + " failed");
  return true;
}

std::string pg_test_server::conninfo(const std::string& dbname) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + dbname
         + " connect_timeout=3";
}

void pg_test_server::teardown() {
  if (running_)
    stop();
  if (!root_.empty()) {
    std::error_code ec;
    fs::remove_all(root_, ec);
    root_.clear();
  }
}

pg_test_server* shared_pg_server(std::string* why) {
  static std::unique_ptr<pg_test_server> server;
  static std::string failure;
  if (!server && failure.empty()) {
    auto fresh = std::make_unique<pg_test_server>();
    if (fresh->setup("cartmate"))
      server = std::move(fresh);
    else
      failure = fresh->last_error();
  }
  if (!server && why != nullptr)
    *why = failure;
  return server.get();
}

std::string fresh_database(std::string* why) {
  static std::atomic<int> counter{0};
  auto* server = shared_pg_server(why);
  if (server == nullptr)
    return {};
  auto name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  if (!server->create_database(name)) {
    if (why != nullptr)
      *why = server->last_error();
    return {};
  }
  return server->conninfo(name);
}

}  // namespace cartmate::testing
