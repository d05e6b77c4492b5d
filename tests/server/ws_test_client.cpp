// ws_test_client.cpp — blocking Beast client with socket receive timeouts.
// Threading: one client per thread.
#include "ws_test_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace cartmate::testing {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Bounded blocking reads: a server that never answers fails the test after this long.
constexpr int receive_timeout_s = 20;

bool connect_to(tcp::socket& socket, uint16_t port) {
  beast::error_code ec;
  socket.connect(tcp::endpoint{net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec)
    return false;
  timeval tv{receive_timeout_s, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return true;
}

}  // namespace

http_reply http_request(uint16_t port, const std::string& target, const std::string& method) {
  net::io_context ioc;
  tcp::socket socket{ioc};
  http_reply reply;
  if (!connect_to(socket, port))
    return reply;
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.keep_alive(false);
  beast::error_code ec;
  bhttp::write(socket, req, ec);
  if (ec)
    return reply;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(method == "HEAD");
  bhttp::read(socket, buffer, parser, ec);
  if (ec && ec != bhttp::error::end_of_stream)
    return reply;
  auto res = parser.release();
  reply.status = static_cast<int>(res.result_int());
  reply.content_type = std::string{res[bhttp::field::content_type]};
  reply.body = std::move(res.body());
  return reply;
}

int raw_http_status(uint16_t port, const std::string& raw) {
  net::io_context ioc;
  tcp::socket socket{ioc};
  if (!connect_to(socket, port))
    return 0;
  beast::error_code ec;
  net::write(socket, net::buffer(raw), ec);
  // The server may answer before reading everything we sent; the answer still arrives.
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  bhttp::read(socket, buffer, parser, ec);
  if (!parser.is_header_done())
    return 0;
  return static_cast<int>(parser.get().result_int());
}

struct ws_client::impl {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  bool ok = false;
};

ws_client::ws_client(uint16_t port, const std::string& target) : impl_(std::make_unique<impl>()) {
  if (!connect_to(impl_->ws.next_layer(), port))
    return;
  beast::error_code ec;
  impl_->ws.read_message_max(64 * 1024 * 1024);
  impl_->ws.handshake("127.0.0.1:" + std::to_string(port), target, ec);
  impl_->ok = !ec;
}

ws_client::~ws_client() {
  if (impl_->ok && !closed_) {
    beast::error_code ec;
    impl_->ws.next_layer().close(ec);
  }
}

bool ws_client::connected() const {
  return impl_->ok;
}

void ws_client::send(const std::string& text) {
  beast::error_code ec;
  impl_->ws.text(true);
  impl_->ws.write(net::buffer(text), ec);
}

void ws_client::send_binary(const std::string& bytes) {
  beast::error_code ec;
  impl_->ws.binary(true);
  impl_->ws.write(net::buffer(bytes), ec);
  impl_->ws.text(true);
}

std::optional<nlohmann::json> ws_client::next() {
  if (!impl_->ok || closed_)
    return std::nullopt;
  beast::flat_buffer buffer;
  beast::error_code ec;
  impl_->ws.read(buffer, ec);
  if (ec) {
    closed_ = true;
    end_reason_ = ec.message();
    // Beast records a received close frame even when the TCP teardown after it fails.
    close_code_ = static_cast<uint16_t>(impl_->ws.reason().code);
    return std::nullopt;
  }
  auto parsed = nlohmann::json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
  if (parsed.is_discarded())
    return nlohmann::json{{"type", "<not json>"}};
  return parsed;
}

std::optional<nlohmann::json> ws_client::next_of_type(const std::string& type,
                                                      std::vector<nlohmann::json>* seen) {
  // Bounded: a turn produces a handful of frames; a runaway stream is a failure, not a hang.
  for (int i = 0; i < 1000; ++i) {
    auto frame = next();
    if (!frame)
      return std::nullopt;
    if (seen)
      seen->push_back(*frame);
    if (frame->value("type", "") == type)
      return frame;
  }
  return std::nullopt;
}

}  // namespace cartmate::testing
