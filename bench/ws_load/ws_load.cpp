// ws_load.cpp — WebSocket load generator for `cartmate serve`: replays conversations over N
// concurrent sessions and reports turns/s, turn latency percentiles and server memory.
// Threading: one io_context per --threads thread, each owning its sessions; results are merged
// after the threads join, so no session state is shared.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;

constexpr const char* usage = R"(usage: ws_load --port=N [options]
  --host=127.0.0.1   --path=/ws
  --sessions=1000    concurrent WebSocket sessions
  --duration=10      seconds measured (after --warmup=2 seconds)
  --rate=0           target turns/s over all sessions (0: closed loop, each session sends its
                     next turn as soon as the previous final arrives)
  --threads=1        client threads (each runs its own io_context)
  --script=FILE      replay script (JSON Lines: {"user": ...} or {"input": "confirm"|"cancel"});
                     repeatable; default: a built-in search/add/cart/checkout conversation
  --idle             only open the sessions, hold them --duration seconds, report server memory
  --pid=PID          the server's pid: report its RSS (memory per session)
  --token=TOKEN      sent in hello (for an auth-on server)
  --connect-batch=100  sessions opening at once during the ramp
)";

struct options {
  std::string host = "127.0.0.1";
  std::string port;
  std::string path = "/ws";
  int sessions = 1000;
  double duration_s = 10;
  double warmup_s = 2;
  double rate = 0;
  int threads = 1;
  std::vector<std::string> scripts;
  bool idle = false;
  long pid = 0;
  std::string token;
  int connect_batch = 100;
};

// The frames of one conversation, sent in order and then from the start again.
using conversation = std::vector<std::string>;

conversation builtin_conversation() {
  auto msg = [](const char* text) { return json{{"type", "message"}, {"text", text}}.dump(); };
  return {msg("show me kurtas for women"),
          msg("add the second one to my cart"),
          msg("find black running shoes under 3000"),
          msg("cheaper"),
          msg("add the cheapest to my cart"),
          msg("show my cart"),
          msg("checkout"),
          json{{"type", "confirm"}}.dump()};
}

bool load_script(const std::string& file, std::vector<conversation>& out) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << "ws_load: cannot open " << file << "\n";
    return false;
  }
  conversation c;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    auto j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      std::cerr << "ws_load: " << file << ": not a JSON object: " << line << "\n";
      return false;
    }
    auto input = j.value("input", std::string{"message"});
    if (input == "message" && j.contains("user") && j["user"].is_string())
      c.push_back(json{{"type", "message"}, {"text", j["user"]}}.dump());
    else if (input == "confirm" || input == "cancel")
      c.push_back(json{{"type", input}}.dump());
    // Headers, likes (which need product ids) and images are not replayed over WebSocket.
  }
  if (c.empty()) {
    std::cerr << "ws_load: " << file << ": no turns to replay\n";
    return false;
  }
  out.push_back(std::move(c));
  return true;
}

// utime + stime of a process in seconds, from /proc/PID/stat (fields 14 and 15).
double cpu_seconds(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos)
    return -1;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14)
      utime = std::atof(field.c_str());
    else if (i == 15)
      stime = std::atof(field.c_str());
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

long rss_kib(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::atol(line.c_str() + 6);
  return -1;
}

// What one thread saw; merged at the end.
struct tally {
  std::vector<int64_t> latency_us;   // turns finished inside the measured window
  uint64_t turns = 0;                // same, counted
  uint64_t turns_total = 0;          // including warm-up
  uint64_t frames_in = 0;
  std::map<std::string, uint64_t> errors;   // error frames by code
  uint64_t failed_sessions = 0;
  std::vector<std::string> failures;        // first few reasons
  int welcomed = 0;
};

// The measured window, set by the main thread once every session is open.
struct shared_clock {
  std::atomic<clock_type::rep> from{clock_type::time_point::max().time_since_epoch().count()};
  std::atomic<clock_type::rep> to{clock_type::time_point::max().time_since_epoch().count()};

  static clock_type::time_point at(const std::atomic<clock_type::rep>& x) {
    return clock_type::time_point(clock_type::duration(x.load(std::memory_order_relaxed)));
  }
  clock_type::time_point measure_from() const { return at(from); }
  clock_type::time_point measure_to() const { return at(to); }
  void set(clock_type::time_point f, clock_type::time_point t) {
    from.store(f.time_since_epoch().count());
    to.store(t.time_since_epoch().count());
  }
};

// The error code of an error frame; frames are small, so a parse costs little next to the
// server's work, and only errors are parsed.
std::string error_code(std::string_view frame) {
  auto j = json::parse(frame, nullptr, false);
  if (j.is_object() && j.contains("code") && j["code"].is_string())
    return j["code"].get<std::string>();
  return "?";
}

class session : public std::enable_shared_from_this<session> {
public:
  session(asio::io_context& io, const options& opt, const conversation& conv, tally& t,
          const shared_clock& clk, double phase)
    : ws_(io.get_executor()), timer_(ws_.get_executor()), opt_(opt), conv_(conv), t_(t),
      clk_(clk), phase_(phase) {
    // nop
  }

  void start(const tcp::resolver::results_type& endpoints, std::function<void()> on_ready) {
    on_ready_ = std::move(on_ready);
    auto self = shared_from_this();
    beast::get_lowest_layer(ws_).async_connect(endpoints,
      [self](beast::error_code ec, const tcp::endpoint&) {
        if (ec)
          return self->fail("connect", ec);
        beast::get_lowest_layer(self->ws_).socket().set_option(tcp::no_delay(true));
        self->ws_.async_handshake(self->opt_.host + ":" + self->opt_.port, self->opt_.path,
                                  [self](beast::error_code ec) { self->on_handshake(ec); });
      });
  }

  void stop() {
    stopping_ = true;
    timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

private:
  void on_handshake(beast::error_code ec) {
    if (ec)
      return fail("handshake", ec);
    ws_.text(true);
    json hello{{"type", "hello"}};
    if (!opt_.token.empty())
      hello["token"] = opt_.token;
    out_ = hello.dump();
    auto self = shared_from_this();
    ws_.async_write(asio::buffer(out_), [self](beast::error_code ec, size_t) {
      if (ec)
        return self->fail("hello", ec);
      self->read();
    });
  }

  void read() {
    auto self = shared_from_this();
    ws_.async_read(buf_, [self](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec)
      return fail("read", ec);
    ++t_.frames_in;
    auto data = buf_.cdata();
    std::string_view frame(static_cast<const char*>(data.data()), data.size());
    bool turn_over = false;
    if (frame.find("\"type\":\"final\"") != std::string_view::npos) {
      turn_over = true;
    } else if (frame.find("\"type\":\"error\"") != std::string_view::npos) {
      ++t_.errors[error_code(frame)];
      // Errors with a turn id precede that turn's final; those without end the turn unserved.
      turn_over = frame.find("\"turn_id\"") == std::string_view::npos;
    } else if (frame.find("\"type\":\"welcome\"") != std::string_view::npos) {
      ++t_.welcomed;
      if (on_ready_)
        std::exchange(on_ready_, nullptr)();
      if (!opt_.idle)
        schedule_next(clock_type::now());
    }
    buf_.consume(buf_.size());
    if (turn_over && in_turn_)
      on_turn_over();
    if (!stopping_)
      read();
  }

  void on_turn_over() {
    in_turn_ = false;
    auto now = clock_type::now();
    ++t_.turns_total;
    if (sent_at_ >= clk_.measure_from() && now <= clk_.measure_to()) {
      ++t_.turns;
      t_.latency_us.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at_).count());
    }
    schedule_next(now);
  }

  // Closed loop: send at once. Open loop (--rate): this session's turns are due every
  // sessions/rate seconds from its phase; a late one is sent at once and its latency counts
  // from when it was due, so a slow server cannot hide its backlog (coordinated omission).
  void schedule_next(clock_type::time_point now) {
    if (stopping_ || now > clk_.measure_to())
      return;
    if (opt_.rate <= 0)
      return send_turn(now);
    auto interval = std::chrono::duration<double>(opt_.sessions / opt_.rate);
    if (next_due_ == clock_type::time_point{})
      next_due_ = now + std::chrono::duration_cast<clock_type::duration>(interval * phase_);
    else
      next_due_ += std::chrono::duration_cast<clock_type::duration>(interval);
    if (next_due_ <= now)
      return send_turn(next_due_);
    timer_.expires_at(next_due_);
    auto self = shared_from_this();
    timer_.async_wait([self](beast::error_code ec) {
      if (!ec && !self->stopping_)
        self->send_turn(self->next_due_);
    });
  }

  void send_turn(clock_type::time_point due) {
    in_turn_ = true;
    sent_at_ = due;
    out_ = conv_[next_ % conv_.size()];
    ++next_;
    auto self = shared_from_this();
    ws_.async_write(asio::buffer(out_), [self](beast::error_code ec, size_t) {
      if (ec)
        self->fail("write", ec);
    });
  }

  void fail(const char* what, beast::error_code ec) {
    if (stopping_)
      return;
    stopping_ = true;
    ++t_.failed_sessions;
    if (t_.failures.size() < 5) {
      std::string reason = std::string{what} + ": " + ec.message();
      if (ec == websocket::error::closed)
        reason += " (close code " + std::to_string(ws_.reason().code) + " "
                  + std::string{ws_.reason().reason.c_str()} + ")";
      t_.failures.push_back(std::move(reason));
    }
    if (on_ready_)
      std::exchange(on_ready_, nullptr)();
  }

  websocket::stream<beast::tcp_stream> ws_;
  asio::steady_timer timer_;
  beast::flat_buffer buf_;
  std::string out_;
  const options& opt_;
  const conversation& conv_;
  tally& t_;
  const shared_clock& clk_;
  double phase_;
  std::function<void()> on_ready_;
  size_t next_ = 0;
  bool in_turn_ = false;
  bool stopping_ = false;
  clock_type::time_point sent_at_{};
  clock_type::time_point next_due_{};
};

bool parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](std::string_view key) -> const char* {
      if (a.size() > key.size() + 2 && a.substr(0, key.size() + 3) == std::string("--") + std::string(key) + "=")
        return argv[i] + key.size() + 3;
      return nullptr;
    };
    if (auto v = value("host")) o.host = v;
    else if (auto v = value("port")) o.port = v;
    else if (auto v = value("path")) o.path = v;
    else if (auto v = value("sessions")) o.sessions = std::atoi(v);
    else if (auto v = value("duration")) o.duration_s = std::atof(v);
    else if (auto v = value("warmup")) o.warmup_s = std::atof(v);
    else if (auto v = value("rate")) o.rate = std::atof(v);
    else if (auto v = value("threads")) o.threads = std::max(1, std::atoi(v));
    else if (auto v = value("script")) o.scripts.emplace_back(v);
    else if (auto v = value("pid")) o.pid = std::atol(v);
    else if (auto v = value("token")) o.token = v;
    else if (auto v = value("connect-batch")) o.connect_batch = std::max(1, std::atoi(v));
    else if (a == "--idle") o.idle = true;
    else {
      std::cerr << "ws_load: unknown argument " << a << "\n" << usage;
      return false;
    }
  }
  if (o.port.empty() || o.sessions <= 0) {
    std::cerr << usage;
    return false;
  }
  return true;
}

// Enough descriptors for every session plus slack; the hard limit is the ceiling.
void raise_fd_limit(int sessions) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return;
  rlim_t want = static_cast<rlim_t>(sessions) + 64;
  if (lim.rlim_cur < want) {
    lim.rlim_cur = std::min(want, lim.rlim_max);
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

int64_t percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  if (!parse_args(argc, argv, opt))
    return 2;
  std::vector<conversation> convs;
  for (const auto& f : opt.scripts)
    if (!load_script(f, convs))
      return 2;
  if (convs.empty())
    convs.push_back(builtin_conversation());
  raise_fd_limit(opt.sessions);

  long rss_before = opt.pid > 0 ? rss_kib(opt.pid) : -1;

  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<tally> tallies(static_cast<size_t>(opt.threads));
  for (int i = 0; i < opt.threads; ++i)
    ios.push_back(std::make_unique<asio::io_context>(1));
  tcp::resolver resolver(*ios[0]);
  auto endpoints = resolver.resolve(opt.host, opt.port);

  // The clock starts once every session is open; until then nothing counts.
  shared_clock clk;

  std::vector<std::shared_ptr<session>> sessions;
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> phase(0.0, 1.0);
  std::atomic<int> ready{0};
  std::atomic<int> started{0};
  for (int i = 0; i < opt.sessions; ++i) {
    auto k = static_cast<size_t>(i % opt.threads);
    sessions.push_back(std::make_shared<session>(*ios[k], opt, convs[static_cast<size_t>(i) % convs.size()],
                                                 tallies[k], clk, phase(rng)));
  }
  // Ramp: at most --connect-batch handshakes in flight, so the accept backlog never overflows.
  std::function<void()> start_next;
  start_next = [&] {
    int i = started.fetch_add(1);
    if (i >= opt.sessions)
      return;
    sessions[static_cast<size_t>(i)]->start(endpoints, [&] {
      ready.fetch_add(1);
      start_next();
    });
  };
  // Sessions start their turns as soon as they are welcomed (the ramp warms the server up);
  // only turns sent inside the window count.
  auto t0 = clock_type::now();
  for (int i = 0; i < std::min(opt.connect_batch, opt.sessions); ++i)
    asio::post(*ios[static_cast<size_t>(i % opt.threads)], start_next);

  std::vector<std::thread> threads;
  for (auto& io : ios)
    threads.emplace_back([&io] {
      auto guard = asio::make_work_guard(*io);
      io->run();
    });

  while (ready.load() < opt.sessions)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto ramp_s = std::chrono::duration<double>(clock_type::now() - t0).count();
  auto now = clock_type::now();
  auto seconds = [](double s) {
    return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
  };
  auto from = now + seconds(opt.warmup_s);
  auto to = from + seconds(opt.duration_s);
  clk.set(from, to);
  std::this_thread::sleep_until(from);
  double server_cpu_from = opt.pid > 0 ? cpu_seconds(opt.pid) : -1;
  double client_cpu_from = own_cpu_seconds();
  std::this_thread::sleep_until(to);
  double server_cpu = opt.pid > 0 ? cpu_seconds(opt.pid) - server_cpu_from : -1;
  double client_cpu = own_cpu_seconds() - client_cpu_from;
  long rss_after = opt.pid > 0 ? rss_kib(opt.pid) : -1;
  // Let in-flight turns end (they are not counted), then stop.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  for (size_t i = 0; i < sessions.size(); ++i)
    asio::post(*ios[i % static_cast<size_t>(opt.threads)], [s = sessions[i]] { s->stop(); });
  for (auto& io : ios)
    io->stop();
  for (auto& th : threads)
    th.join();

  tally all;
  for (auto& t : tallies) {
    all.latency_us.insert(all.latency_us.end(), t.latency_us.begin(), t.latency_us.end());
    all.turns += t.turns;
    all.turns_total += t.turns_total;
    all.frames_in += t.frames_in;
    all.failed_sessions += t.failed_sessions;
    all.welcomed += t.welcomed;
    for (auto& [code, n] : t.errors)
      all.errors[code] += n;
    for (auto& f : t.failures)
      if (all.failures.size() < 5)
        all.failures.push_back(f);
  }
  std::sort(all.latency_us.begin(), all.latency_us.end());
  auto ms = [](int64_t us) { return static_cast<double>(us) / 1000.0; };

  json report;
  report["sessions"] = opt.sessions;
  report["welcomed"] = all.welcomed;
  report["failed_sessions"] = all.failed_sessions;
  report["ramp_s"] = ramp_s;
  report["mode"] = opt.idle ? "idle" : (opt.rate > 0 ? "open_loop" : "closed_loop");
  if (opt.rate > 0)
    report["target_turns_per_s"] = opt.rate;
  if (!opt.idle) {
    report["measured_s"] = opt.duration_s;
    report["turns"] = all.turns;
    report["turns_per_s"] = static_cast<double>(all.turns) / opt.duration_s;
    report["latency_ms"] = {{"p50", ms(percentile(all.latency_us, 50))},
                            {"p90", ms(percentile(all.latency_us, 90))},
                            {"p99", ms(percentile(all.latency_us, 99))},
                            {"max", ms(all.latency_us.empty() ? 0 : all.latency_us.back())}};
    report["frames_in"] = all.frames_in;
  }
  // Cores used during the window: who is the bottleneck on a shared 2-core machine.
  report["client_cores"] = client_cpu / opt.duration_s;
  if (opt.pid > 0)
    report["server_cores"] = server_cpu / opt.duration_s;
  report["errors"] = all.errors;
  if (!all.failures.empty())
    report["failures"] = all.failures;
  if (opt.pid > 0) {
    report["server_rss_kib_before"] = rss_before;
    report["server_rss_kib_after"] = rss_after;
    if (rss_before > 0 && rss_after > 0)
      report["server_kib_per_session"]
        = static_cast<double>(rss_after - rss_before) / static_cast<double>(opt.sessions);
  }
  std::cout << report.dump(2) << std::endl;
  return all.failed_sessions == 0 ? 0 : 1;
}
