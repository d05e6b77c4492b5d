// fixture_http_server.cpp — Beast implementation of the fixture server. Every session runs on
// the single io thread, so sessions need no strand; the route table and the request log are
// shared with the test thread under one mutex.
#include "tests/support/fixture_http_server.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <list>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace cartmate::testing {

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string path_of(const std::string& target) {
  return target.substr(0, target.find('?'));
}

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

struct fixture_http_server::impl {
  net::io_context io;   // first member: destroyed last, after every socket and timer
  tcp::acceptor acceptor{io};
  uint16_t port = 0;
  std::thread thread;
  bool stopped = false;   // guarded by mutex

  mutable std::mutex mutex;
  std::map<std::string, fixture_route> routes;
  std::map<std::string, std::pair<std::vector<fixture_route>, size_t>> sequences;   // next index
  std::vector<recorded_request> log;

  struct session;
  std::list<std::weak_ptr<session>> sessions;   // io thread only

  // Looks up the route of `path` and records the request, under the lock.
  std::optional<fixture_route> record(recorded_request req) {
    std::lock_guard<std::mutex> guard{mutex};
    if (auto seq = sequences.find(req.path); seq != sequences.end()) {
      log.push_back(std::move(req));
      auto& [answers, next] = seq->second;
      if (answers.empty())
        return std::nullopt;
      size_t i = std::min(next, answers.size() - 1);
      ++next;
      return answers[i];
    }
    auto it = routes.find(req.path);
    log.push_back(std::move(req));
    if (it == routes.end())
      return std::nullopt;
    return it->second;
  }

  void accept();
  void close_all();
};

struct fixture_http_server::impl::session : std::enable_shared_from_this<session> {
  impl* server;
  tcp::socket socket;
  net::steady_timer timer;
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> req;
  std::shared_ptr<bhttp::response<bhttp::string_body>> res;
  std::string raw;
  std::vector<std::string> pieces;   // a chunked answer still to write, front first
  std::chrono::milliseconds pause{0};

  session(impl* s, tcp::socket sock)
    : server(s), socket(std::move(sock)), timer(socket.get_executor()) {
    // nop
  }

  void read() {
    req = {};
    auto self = shared_from_this();
    bhttp::async_read(socket, buffer, req, [self](beast::error_code ec, size_t) {
      if (ec)
        return self->close();
      self->on_request();
    });
  }

  void on_request() {
    recorded_request r;
    r.method = std::string{req.method_string()};
    r.target = std::string{req.target()};
    r.path = path_of(r.target);
    r.body = req.body();
    for (const auto& field : req)
      r.headers[lowered(std::string{field.name_string()})] = std::string{field.value()};
    auto route = server->record(std::move(r));
    if (!route) {
      fixture_route missing;
      missing.status = 404;
      missing.body = R"({"error":"no such fixture"})";
      route = std::move(missing);
    }
    if (route->delay.count() > 0) {
      auto self = shared_from_this();
      timer.expires_after(route->delay);
      timer.async_wait([self, route = std::move(*route)](beast::error_code ec) {
        if (ec)
          return self->close();   // cancelled by stop()
        self->answer(route);
      });
      return;
    }
    answer(*route);
  }

  void answer(const fixture_route& route) {
    auto self = shared_from_this();
    if (route.raw) {
      raw = *route.raw;
      net::async_write(socket, net::buffer(raw), [self](beast::error_code, size_t) {
        self->close();
      });
      return;
    }
    if (!route.chunks.empty())
      return answer_chunked(route);
    res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(req.version());
    res->result(static_cast<unsigned>(route.status));
    res->set(bhttp::field::server, "cartmate-fixture");
    res->set(bhttp::field::content_type, route.content_type);
    for (const auto& [name, value] : route.headers)
      res->set(name, value);
    res->keep_alive(req.keep_alive());
    res->body() = route.body;
    res->prepare_payload();
    bhttp::async_write(socket, *res, [self](beast::error_code ec, size_t) {
      if (ec || !self->res->keep_alive())
        return self->close();
      self->read();
    });
  }

  // Writes the head, then one HTTP chunk per piece with a pause between them, by hand: the
  // point is that each piece leaves in its own write, so the client reads across boundaries.
  void answer_chunked(const fixture_route& route) {
    std::ostringstream head;
    head << "HTTP/1.1 " << route.status << " "
         << bhttp::obsolete_reason(static_cast<bhttp::status>(route.status)) << "\r\n"
         << "Server: cartmate-fixture\r\nContent-Type: " << route.content_type << "\r\n";
    for (const auto& [name, value] : route.headers)
      head << name << ": " << value << "\r\n";
    head << "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    raw = head.str();
    pieces.clear();
    for (const auto& c : route.chunks) {
      if (c.empty())
        continue;   // an empty chunk would end the body early
      std::ostringstream framed;
      framed << std::hex << c.size() << "\r\n" << c << "\r\n";
      pieces.push_back(framed.str());
    }
    pieces.push_back("0\r\n\r\n");
    pause = route.chunk_pause;
    auto self = shared_from_this();
    net::async_write(socket, net::buffer(raw), [self](beast::error_code ec, size_t) {
      if (ec)
        return self->close();
      self->write_next_piece();
    });
  }

  void write_next_piece() {
    if (pieces.empty())
      return close();
    raw = std::move(pieces.front());
    pieces.erase(pieces.begin());
    auto self = shared_from_this();
    net::async_write(socket, net::buffer(raw), [self](beast::error_code ec, size_t) {
      if (ec)
        return self->close();
      if (self->pieces.empty())
        return self->close();
      self->timer.expires_after(self->pause);
      self->timer.async_wait([self](beast::error_code wait_ec) {
        if (wait_ec)
          return self->close();   // cancelled by stop()
        self->write_next_piece();
      });
    });
  }

  void close() {
    beast::error_code ignored;
    timer.cancel();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
};

void fixture_http_server::impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket sock) {
    if (ec)
      return;   // the acceptor was closed by stop()
    auto s = std::make_shared<session>(this, std::move(sock));
    sessions.remove_if([](const std::weak_ptr<session>& w) { return w.expired(); });
    sessions.push_back(s);
    s->read();
    accept();
  });
}

void fixture_http_server::impl::close_all() {
  beast::error_code ignored;
  acceptor.close(ignored);
  for (auto& w : sessions)
    if (auto s = w.lock())
      s->close();
  sessions.clear();
}

fixture_http_server::fixture_http_server() : impl_(std::make_unique<impl>()) {
  auto& d = *impl_;
  tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
  d.acceptor.open(ep.protocol());
  d.acceptor.set_option(net::socket_base::reuse_address(true));
  d.acceptor.bind(ep);
  d.acceptor.listen();
  d.port = d.acceptor.local_endpoint().port();
  d.accept();
  // run() returns once stop() has closed the acceptor and every connection.
  d.thread = std::thread{[&d] { d.io.run(); }};
}

fixture_http_server::~fixture_http_server() {
  stop();
}

uint16_t fixture_http_server::port() const {
  return impl_->port;
}

std::string fixture_http_server::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port);
}

void fixture_http_server::route(const std::string& path, fixture_route route) {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  impl_->sequences.erase(path);
  impl_->routes[path] = std::move(route);
}

void fixture_http_server::route_sequence(const std::string& path,
                                         std::vector<fixture_route> sequence) {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  impl_->routes.erase(path);
  impl_->sequences[path] = {std::move(sequence), 0};
}

bool fixture_http_server::route_file(const std::string& path, const std::string& file, int status,
                                     std::chrono::milliseconds delay) {
  auto text = read_text_file(file);
  if (!text)
    return false;
  fixture_route r;
  r.status = status;
  r.body = std::move(*text);
  r.delay = delay;
  route(path, std::move(r));
  return true;
}

int fixture_http_server::hits(const std::string& path) const {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  return static_cast<int>(std::count_if(impl_->log.begin(), impl_->log.end(),
                                        [&](const recorded_request& r) { return r.path == path; }));
}

int fixture_http_server::total_hits() const {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  return static_cast<int>(impl_->log.size());
}

std::vector<recorded_request> fixture_http_server::requests() const {
  std::lock_guard<std::mutex> guard{impl_->mutex};
  return impl_->log;
}

void fixture_http_server::stop() {
  {
    std::lock_guard<std::mutex> guard{impl_->mutex};
    if (impl_->stopped)
      return;
    impl_->stopped = true;
  }
  auto* d = impl_.get();
  net::post(d->io, [d] { d->close_all(); });
  if (d->thread.joinable())
    d->thread.join();
}

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cartmate::testing
