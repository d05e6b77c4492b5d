// server.cpp — Boost.Beast listener, HTTP routes and WebSocket sessions behind server.hpp.
// Threading: every connection runs on its own strand of the server's io_context; frame_sink
// calls from other threads are posted onto that strand through the post gate. The only shared
// state is the live session table (mutex), the post gate (shared_mutex) and the counters.
// Lifetime: a ws_session is owned only by the handlers queued in the io_context (and, briefly,
// by the server's own threads), never by the application: destroying it needs the io_context's
// services, so it must not outlive the io_context nor die on a thread that races its shutdown.
#include "adapters/http/server.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "adapters/http/send_queue.hpp"
#include "protocol/errors.hpp"
#include "runtime/metrics_registry.hpp"

namespace cartmate::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using steady = std::chrono::steady_clock;

// Beast waits this long for the peer's close frame (and for the upgrade response to go out).
constexpr std::chrono::seconds close_handshake_timeout{5};

}  // namespace

struct server_metrics {
  runtime::gauge* open = nullptr;
  runtime::counter* accepted = nullptr;
  runtime::counter* refused = nullptr;
  runtime::counter* frames_in = nullptr;
  runtime::counter* frames_out = nullptr;
  runtime::counter* dropped_overflow = nullptr;
  runtime::counter* dropped_idle = nullptr;
  runtime::counter* dropped_too_big = nullptr;
};

class ws_session;

// Whether application threads may still post onto the io_context. stop() closes it before the
// io threads end, so no sink call can race the io_context's shutdown or reach it afterwards.
// Shared with every sink, which the application may keep past the server.
struct post_gate {
  std::shared_mutex mutex;
  bool open = true;   // guarded by mutex
};

// Members in destruction-safe order: the io_context is declared first so it is destroyed last,
// after the acceptor; destroying it destroys pending handlers (and the sessions they own),
// whose destructors touch nothing of impl.
struct detail::server_impl {
  net::io_context ioc;
  server_options options;
  session_factory factory;
  std::map<std::string, route_handler> routes;
  std::map<std::string, post_handler> post_routes;
  runtime::metrics_registry* registry;
  std::unique_ptr<runtime::metrics_registry> own_registry;   // when none was given
  server_metrics metrics;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  net::steady_timer accept_retry{acceptor.get_executor()};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  std::atomic<size_t> sessions{0};
  std::mutex live_mutex;
  std::unordered_map<const ws_session*, std::weak_ptr<ws_session>> live;
  std::shared_ptr<post_gate> gate = std::make_shared<post_gate>();
  bool started = false;
  bool stopped = false;

  server_impl(server_options opts, session_factory f, std::map<std::string, route_handler> r,
       runtime::metrics_registry* m)
    : options(std::move(opts)), factory(std::move(f)), routes(std::move(r)), registry(m) {
    if (registry == nullptr) {
      own_registry = std::make_unique<runtime::metrics_registry>();
      registry = own_registry.get();
    }
    auto& reg = *registry;
    metrics.open = &reg.gauge_for("cartmate_ws_connections", "Open WebSocket sessions");
    metrics.accepted = &reg.counter_for("cartmate_ws_connections_total", "WebSocket sessions accepted");
    metrics.refused = &reg.counter_for("cartmate_ws_connections_refused_total",
                                       "WebSocket upgrades refused", {{"reason", "max_connections"}});
    metrics.frames_in = &reg.counter_for("cartmate_ws_frames_in_total", "WebSocket frames received");
    metrics.frames_out = &reg.counter_for("cartmate_ws_frames_out_total", "WebSocket frames sent");
    const char* dropped_help = "WebSocket connections closed by a limit";
    metrics.dropped_overflow = &reg.counter_for("cartmate_ws_dropped_total", dropped_help,
                                                {{"reason", "send_queue_overflow"}});
    metrics.dropped_idle = &reg.counter_for("cartmate_ws_dropped_total", dropped_help,
                                            {{"reason", "idle_timeout"}});
    metrics.dropped_too_big = &reg.counter_for("cartmate_ws_dropped_total", dropped_help,
                                               {{"reason", "frame_too_big"}});
  }

  void count_http(const std::string& route, int status) {
    registry->counter_for("cartmate_http_requests_total", "HTTP requests by route and status",
                          {{"route", route}, {"status", std::to_string(status)}})
      .inc();
  }

  void do_accept();
};

// -- WebSocket session -------------------------------------------------------------------------

// The frame_sink the application gets: a handle that never owns the connection. Each call
// locks the session and moves that reference into the handler it posts, under the gate, so
// the session is only ever released by the io_context (on an io thread, or when it is
// destroyed); once the gate is closed calls do nothing.
class ws_sink final : public frame_sink {
 public:
  ws_sink(std::weak_ptr<ws_session> session, std::shared_ptr<post_gate> gate)
    : session_(std::move(session)), gate_(std::move(gate)) {
    // nop
  }

  void send_text(std::string frame) override;
  void close(uint16_t code, std::string reason) override;

 private:
  template <class Fn>
  void post_if_open(Fn fn);

  std::weak_ptr<ws_session> session_;
  std::shared_ptr<post_gate> gate_;
};

class ws_session : public std::enable_shared_from_this<ws_session> {
 public:
  ws_session(detail::server_impl* srv, beast::tcp_stream&& stream)
    : srv_(srv),
      ws_(std::move(stream)),
      idle_timer_(ws_.get_executor()),
      queue_(srv->options.send_queue_frames) {
    // nop
  }

  ~ws_session() {
    // The server stopped with this session still open: the application hears of it anyway.
    if (handler_ && !finished_)
      handler_->on_closed();
  }

  void run(bhttp::request<bhttp::string_body> req) {
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = close_handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();   // our own idle timer decides
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(bhttp::field::server, "cartmate"); }));
    ws_.read_message_max(srv_->options.max_frame_bytes);
    ws_.async_accept(req, beast::bind_front_handler(&ws_session::on_accept, shared_from_this()));
  }

  // Any thread while the io_context lives: `self` is this session, handed to the strand.
  static void post_text(std::shared_ptr<ws_session> self, std::string frame) {
    auto ex = self->ws_.get_executor();
    net::post(ex, [self = std::move(self), f = std::move(frame)]() mutable {
      self->enqueue(std::move(f));
    });
  }

  static void post_close(std::shared_ptr<ws_session> self, uint16_t code, std::string reason) {
    auto ex = self->ws_.get_executor();
    net::post(ex, [self = std::move(self), code, r = std::move(reason)]() mutable {
      self->begin_close(code, std::move(r));
    });
  }

  // Strand only: a close that cannot wait (server stop).
  void hard_close() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
    finish();
  }

  auto executor() { return ws_.get_executor(); }

 private:
  void on_accept(beast::error_code ec) {
    if (ec)
      return;   // the handshake failed: nothing was opened
    auto& m = srv_->metrics;
    if (srv_->sessions.fetch_add(1) >= srv_->options.max_connections) {
      srv_->sessions.fetch_sub(1);
      m.refused->inc();
      closing_ = true;
      ws_.async_close(websocket::close_reason{static_cast<websocket::close_code>(close_code::try_again_later), "too many connections"},
                      [self = shared_from_this()](beast::error_code) { self->release_socket(); });
      return;
    }
    counted_ = true;
    m.accepted->inc();
    m.open->add(1);
    {
      std::lock_guard<std::mutex> guard{srv_->live_mutex};
      srv_->live.emplace(this, weak_from_this());
    }
    sink_ = std::make_shared<ws_sink>(weak_from_this(), srv_->gate);
    handler_ = srv_->factory(sink_);
    touch();
    arm_idle_timer(idle_deadline_);
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&ws_session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec) {
      if (ec == websocket::error::message_too_big)
        srv_->metrics.dropped_too_big->inc();   // Beast has sent close 1009
      finish();
      return;
    }
    srv_->metrics.frames_in->inc();
    touch();
    auto data = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (handler_ && !finished_)
      handler_->on_frame(std::move(data), ws_.got_text());
    if (!finished_)
      do_read();
  }

  void enqueue(std::string frame) {
    if (finished_ || closing_)
      return;
    if (!queue_.push(std::move(frame))) {
      // A reader this slow would make us hold its frames without bound: drop it. A write is
      // in flight (else the queue would be empty), so no close frame can go out now.
      srv_->metrics.dropped_overflow->inc();
      spdlog::warn("websocket client too slow ({} frames unsent): dropping the connection",
                   queue_.limit());
      closing_ = true;
      if (writing_)
        hard_close();
      else
        do_close(close_code::policy_violation, "send queue overflow");
      return;
    }
    if (!writing_)
      do_write();
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()),
                    beast::bind_front_handler(&ws_session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    writing_ = false;
    if (ec || finished_) {
      finish();
      return;
    }
    srv_->metrics.frames_out->inc();
    touch();
    queue_.pop();
    if (!queue_.empty())
      do_write();
    else if (closing_)
      do_close(close_code_, close_reason_);
  }

  void begin_close(uint16_t code, std::string reason) {
    if (finished_ || closing_)
      return;
    closing_ = true;
    close_code_ = code;
    close_reason_ = std::move(reason);
    if (!writing_ && queue_.empty())
      do_close(close_code_, close_reason_);
    // else on_write closes once the queue is sent
  }

  void do_close(uint16_t code, const std::string& reason) {
    ws_.async_close(websocket::close_reason{static_cast<websocket::close_code>(code), reason},
                    [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  void touch() { idle_deadline_ = steady::now() + srv_->options.idle_timeout; }

  // One timer per session, re-armed only when it fires early: frames just move the deadline.
  void arm_idle_timer(steady::time_point at) {
    idle_timer_.expires_at(at);
    idle_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec == net::error::operation_aborted || self->finished_)
        return;
      if (steady::now() < self->idle_deadline_)
        return self->arm_idle_timer(self->idle_deadline_);
      self->srv_->metrics.dropped_idle->inc();
      if (self->writing_)
        self->hard_close();   // a write stuck for the whole idle timeout
      else
        self->begin_close(close_code::normal, "idle timeout");
    });
  }

  void release_socket() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  void finish() {
    if (finished_)
      return;
    finished_ = true;
    idle_timer_.cancel();
    queue_.clear();
    release_socket();
    if (counted_) {
      srv_->sessions.fetch_sub(1);
      srv_->metrics.open->sub(1);
      std::lock_guard<std::mutex> guard{srv_->live_mutex};
      srv_->live.erase(this);
    }
    if (handler_) {
      auto h = std::move(handler_);
      h->on_closed();
    }
  }

  detail::server_impl* srv_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  net::steady_timer idle_timer_;
  steady::time_point idle_deadline_;
  send_queue queue_;
  std::shared_ptr<ws_sink> sink_;   // the application holds it weakly (see ws_sink)
  std::unique_ptr<frame_handler> handler_;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  bool counted_ = false;
  uint16_t close_code_ = close_code::normal;
  std::string close_reason_;
};

template <class Fn>
void ws_sink::post_if_open(Fn fn) {
  std::shared_lock<std::shared_mutex> guard{gate_->mutex};
  if (!gate_->open)
    return;
  if (auto session = session_.lock())
    fn(std::move(session));   // fn moves it into the posted handler: never released here
}

void ws_sink::send_text(std::string frame) {
  post_if_open([&](std::shared_ptr<ws_session> s) {
    ws_session::post_text(std::move(s), std::move(frame));
  });
}

void ws_sink::close(uint16_t code, std::string reason) {
  post_if_open([&](std::shared_ptr<ws_session> s) {
    ws_session::post_close(std::move(s), code, std::move(reason));
  });
}

// -- HTTP connection ---------------------------------------------------------------------------

class http_connection : public std::enable_shared_from_this<http_connection> {
 public:
  http_connection(detail::server_impl* srv, tcp::socket&& socket) : srv_(srv), stream_(std::move(socket)) {
    // nop
  }

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&http_connection::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(srv_->options.max_http_request_bytes));
    parser_->body_limit(srv_->options.max_http_request_bytes);
    stream_.expires_after(srv_->options.http_read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&http_connection::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout
        || ec == net::error::connection_reset || ec == net::error::eof) {
      return close();
    }
    if (ec) {
      int status = 400;
      if (ec == bhttp::error::header_limit)
        status = 431;
      else if (ec == bhttp::error::body_limit)
        status = 413;
      else if (ec == net::error::operation_aborted)
        return close();
      return respond(11, false, "other", {status, "text/plain; charset=utf-8",
                                           std::string{bhttp::obsolete_reason(
                                             static_cast<bhttp::status>(status))} + "\n"},
                     false);
    }
    auto req = parser_->release();
    if (websocket::is_upgrade(req) && !srv_->options.accept_websockets)
      return respond(req.version(), false, "websocket_refused",
                     {404, "text/plain; charset=utf-8",
                      "this node serves no shoppers (node.gateway=false); connect to a gateway\n"},
                     false);
    if (websocket::is_upgrade(req)) {
      stream_.expires_never();
      std::make_shared<ws_session>(srv_, std::move(stream_))->run(std::move(req));
      return;
    }
    route(req);
  }

  void route(const bhttp::request<bhttp::string_body>& req) {
    auto target = std::string{req.target()};
    auto path = target.substr(0, target.find('?'));
    bool head = req.method() == bhttp::verb::head;
    if (auto p = srv_->post_routes.find(path); p != srv_->post_routes.end()) {
      if (req.method() != bhttp::verb::post)
        return respond(req.version(), req.keep_alive(), path,
                       {405, "text/plain; charset=utf-8", "method not allowed: POST only\n"}, false);
      http_response answer;
      try {
        auto auth = req[bhttp::field::authorization];
        answer = p->second(post_request{req.body(), std::string_view{auth.data(), auth.size()}});
      } catch (const std::exception& e) {   // a route must never take the server down
        spdlog::error("HTTP route {} failed: {}", path, e.what());
        answer = {500, "text/plain; charset=utf-8", "internal error\n"};
      }
      return respond(req.version(), req.keep_alive(), path, std::move(answer), false);
    }
    auto i = srv_->routes.find(path);
    if (i == srv_->routes.end())
      return respond(req.version(), req.keep_alive(), "other",
                     {404, "text/plain; charset=utf-8", "not found\n"}, head);
    if (req.method() != bhttp::verb::get && !head)
      return respond(req.version(), req.keep_alive(), path,
                     {405, "text/plain; charset=utf-8", "method not allowed\n"}, false);
    http_response answer;
    try {
      answer = i->second();
    } catch (const std::exception& e) {   // a route must never take the server down
      spdlog::error("HTTP route {} failed: {}", path, e.what());
      answer = {500, "text/plain; charset=utf-8", "internal error\n"};
    }
    respond(req.version(), req.keep_alive(), path, std::move(answer), head);
  }

  void respond(unsigned version, bool keep_alive, const std::string& route, http_response answer,
               bool head) {
    srv_->count_http(route, answer.status);
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(answer.status), version);
    res->set(bhttp::field::server, "cartmate");
    res->set(bhttp::field::content_type, answer.content_type);
    if (answer.status == 405)
      res->set(bhttp::field::allow, "GET, HEAD");
    res->keep_alive(keep_alive);
    if (head) {
      res->content_length(answer.body.size());
    } else {
      res->body() = std::move(answer.body);
      res->prepare_payload();
    }
    res_ = res;
    stream_.expires_after(srv_->options.http_read_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || res->need_eof())
        return self->close();
      self->do_read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  detail::server_impl* srv_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> res_;
};

// -- listener ----------------------------------------------------------------------------------

void detail::server_impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor.is_open() || ec == net::error::operation_aborted)
      return;
    if (ec) {
      // Out of descriptors, most likely: back off a little instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds{50});
      accept_retry.async_wait([this](beast::error_code e) {
        if (!e)
          do_accept();
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<http_connection>(this, std::move(socket))->run();
    do_accept();
  });
}

server::server(server_options options, session_factory factory,
               std::map<std::string, route_handler> routes, runtime::metrics_registry* metrics)
  : impl_(std::make_unique<detail::server_impl>(std::move(options), std::move(factory), std::move(routes), metrics)) {
  // nop
}

void server::add_post_route(std::string path, post_handler handler) {
  impl_->post_routes.emplace(std::move(path), std::move(handler));
}

server::~server() {
  stop();
}

caf::expected<uint16_t> server::start() {
  auto& d = *impl_;
  if (d.started)
    return protocol::make_error(protocol::errc::invalid_argument, "server already started");
  beast::error_code ec;
  auto address = net::ip::make_address(d.options.address, ec);
  if (ec)
    return protocol::make_error(protocol::errc::invalid_argument,
                                "server.address '" + d.options.address + "' is not an IP address");
  tcp::endpoint endpoint{address, d.options.port};
  auto fail = [&](const char* what) {
    return protocol::make_error(protocol::errc::unavailable,
                                std::string{"cannot "} + what + " " + d.options.address + ":"
                                  + std::to_string(d.options.port) + ": " + ec.message());
  };
  d.acceptor.open(endpoint.protocol(), ec);
  if (ec)
    return fail("open a socket for");
  d.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  d.acceptor.bind(endpoint, ec);
  if (ec)
    return fail("bind");
  d.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail("listen on");
  auto port = d.acceptor.local_endpoint().port();
  d.started = true;
  d.do_accept();
  d.work.emplace(d.ioc.get_executor());
  auto n = std::max(1, d.options.io_threads);
  for (int i = 0; i < n; ++i)
    d.threads.emplace_back([&d] { d.ioc.run(); });
  return port;
}

void server::stop_accepting() {
  auto d = impl_.get();
  if (!d->started)
    return;
  net::post(d->acceptor.get_executor(), [d] {
    beast::error_code ignored;
    d->acceptor.close(ignored);
    d->accept_retry.cancel();
  });
}

namespace {

template <class Fn>
void for_each_live(detail::server_impl& d, Fn fn) {
  std::vector<std::shared_ptr<ws_session>> sessions;
  {
    std::lock_guard<std::mutex> guard{d.live_mutex};
    for (auto& [key, weak] : d.live)
      if (auto s = weak.lock())
        sessions.push_back(std::move(s));
  }
  for (auto& s : sessions)
    fn(std::move(s));   // into a posted handler: the io_context releases it, not this thread
}

}  // namespace

void server::close_all(uint16_t code, std::string reason) {
  for_each_live(*impl_, [&](std::shared_ptr<ws_session> s) {
    ws_session::post_close(std::move(s), code, reason);
  });
}

size_t server::open_sessions() const {
  return impl_->sessions.load();
}

void server::stop() {
  auto& d = *impl_;
  if (!d.started || d.stopped)
    return;
  d.stopped = true;
  {
    // From here on the application's sinks post nothing; the connections are dropped below.
    std::unique_lock<std::shared_mutex> guard{d.gate->mutex};
    d.gate->open = false;
  }
  stop_accepting();
  for_each_live(d, [](std::shared_ptr<ws_session> s) {
    auto ex = s->executor();
    net::post(ex, [s = std::move(s)] { s->hard_close(); });
  });
  d.work.reset();
  // HTTP keep-alive connections may sit in a read for a while: give the closes a moment to
  // run, then stop the loop; whatever is left is destroyed with the io_context.
  auto give_up = steady::now() + std::chrono::milliseconds{500};
  while (!d.ioc.stopped() && steady::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  d.ioc.stop();
  for (auto& t : d.threads)
    t.join();
  d.threads.clear();
}

}  // namespace cartmate::http
