// server_test.cpp — the real HTTP/WebSocket server on 127.0.0.1 (port 0) driven by a Beast
// client: HTTP routes and bad requests; a conversation through the real agents; frame,
// message, queue, auth and rate limits; resume; the shutdown drain. Queue and drain tests use
// a scripted orchestrator that holds each turn until the test releases it, so nothing
// depends on timing.
// Threading: the server runs its io thread and the node its CAF workers; the test thread
// drives the blocking client.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/agent_factories.hpp"
#include "actors/session/front_end.hpp"
#include "actors/session/session_hub.hpp"
#include "adapters/auth/token.hpp"
#include "adapters/http/server.hpp"
#include "config/config_loader.hpp"
#include "config/node_config.hpp"
#include "protocol/errors.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "runtime/node.hpp"
#include "ws_test_client.hpp"

namespace cartmate::testing {
namespace {

using json = nlohmann::json;

config::node_config make_config(std::vector<std::string> overrides) {
  std::vector<std::string> all{"catalog.path=" CARTMATE_SOURCE_DIR "/examples/catalog/demo_catalog.jsonl",
                               "server.port=0", "log.level=warn", "server.drain_ms=3000"};
  all.insert(all.end(), overrides.begin(), overrides.end());
  auto settings = config::load_settings("", all);
  EXPECT_TRUE(settings) << protocol::describe(settings.error());
  auto cfg = config::make_node_config(*settings);
  EXPECT_TRUE(cfg) << protocol::describe(cfg.error());
  return *cfg;
}

// Bounded poll for state another thread changes (not a timing assertion: it only waits).
template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return pred();
}

// One node with the real agents for the whole suite: loading the catalog is the slow part.
class server_test : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    node_ = new runtime::node(make_config({}));
    auto specs = actors::make_agent_specs(*node_);
    ASSERT_TRUE(specs) << protocol::describe(specs.error());
    ASSERT_FALSE(node_->start(std::move(*specs)));
    ASSERT_TRUE(eventually([] {
      return node_->directory().lookup(protocol::agent_kind::orchestrator)
             && node_->directory().lookup(protocol::agent_kind::product_discovery)
             && node_->directory().lookup(protocol::agent_kind::cart);
    }));
  }

  static void TearDownTestSuite() {
    node_->stop();
    delete node_;
    node_ = nullptr;
  }

 protected:
  void serve(std::vector<std::string> overrides = {}) {
    cfg_ = make_config(std::move(overrides));
    front_ = std::make_unique<session::front_end>(*node_, cfg_);
    auto port = front_->start();
    ASSERT_TRUE(port) << protocol::describe(port.error());
    port_ = *port;
  }

  void TearDown() override {
    if (front_) {
      front_->shutdown();
      EXPECT_EQ(front_->hub().live_sessions(), 0u);   // shutdown ends every session actor
    }
  }

  static runtime::node* node_;
  config::node_config cfg_;
  std::unique_ptr<session::front_end> front_;
  uint16_t port_ = 0;
};

runtime::node* server_test::node_ = nullptr;

// -- HTTP --------------------------------------------------------------------------------------

TEST_F(server_test, health_readiness_metrics_and_the_page) {
  serve();
  auto health = http_request(port_, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");

  auto ready = http_request(port_, "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  auto body = json::parse(ready.body);
  EXPECT_TRUE(body.at("ready").get<bool>());
  EXPECT_EQ(body.at("agents").at("orchestrator"), "available");
  EXPECT_EQ(body.at("agents").at("cart"), "available");
  EXPECT_TRUE(body.at("missing").empty());

  ws_client ws{port_};
  ASSERT_TRUE(ws.connected());
  ws.send(json{{"type", "ping"}, {"id", 1}});
  ASSERT_TRUE(ws.next_of_type("pong"));
  auto metrics = http_request(port_, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.content_type.find("text/plain"), std::string::npos);
  EXPECT_NE(metrics.body.find("cartmate_ws_connections 1"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("cartmate_ws_frames_in_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("cartmate_http_requests_total{route=\"/healthz\",status=\"200\"}"),
            std::string::npos);

  auto page = http_request(port_, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.content_type.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("<html"), std::string::npos);

  auto head = http_request(port_, "/healthz", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(server_test, unknown_paths_bad_methods_and_bad_requests_get_4xx_and_the_server_lives) {
  serve({"limits.max_http_request_bytes=2048"});
  EXPECT_EQ(http_request(port_, "/nope").status, 404);
  EXPECT_EQ(http_request(port_, "/healthz/extra").status, 404);
  EXPECT_EQ(http_request(port_, "/healthz", "POST").status, 405);
  EXPECT_EQ(raw_http_status(port_, "THIS IS NOT HTTP\r\n\r\n"), 400);
  EXPECT_EQ(raw_http_status(port_, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a')
                                     + "\r\n\r\n"),
            431);
  EXPECT_EQ(raw_http_status(port_, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
                                     + std::string(4096, 'b')),
            413);
  EXPECT_EQ(raw_http_status(port_, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nonsense\r\n\r\n"), 400);
  EXPECT_EQ(http_request(port_, "/healthz").status, 200);   // still serving
}

// -- a conversation through the real agents ----------------------------------------------------

TEST_F(server_test, a_message_streams_events_and_ends_with_final) {
  serve();
  ws_client ws{port_};
  ASSERT_TRUE(ws.connected());
  ws.send(json{{"type", "message"}, {"text", "show me kurtas"}});
  auto welcome = ws.next();   // no hello: the message says it implicitly
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->at("type"), "welcome");
  EXPECT_EQ(welcome->at("tenant"), "demo");
  EXPECT_EQ(welcome->at("user").get<std::string>().rfind("anon-", 0), 0u);
  EXPECT_EQ(welcome->at("session_id").get<std::string>().size(), 32u);
  EXPECT_FALSE(welcome->at("resumed").get<bool>());
  EXPECT_EQ(welcome->at("limits").at("max_message_bytes"), 2000);

  std::vector<json> frames;
  auto final = ws.next_of_type("final", &frames);
  ASSERT_TRUE(final) << "connection ended; close code " << ws.close_code();
  auto has = [&](const std::string& type) {
    return std::any_of(frames.begin(), frames.end(), [&](const json& f) { return f.at("type") == type; });
  };
  EXPECT_TRUE(has("thinking"));
  EXPECT_TRUE(has("delegation"));
  ASSERT_TRUE(has("products"));
  auto products = std::find_if(frames.begin(), frames.end(), [](const json& f) { return f.at("type") == "products"; });
  ASSERT_FALSE(products->at("products").empty());
  EXPECT_TRUE(products->at("products")[0].contains("price"));
  EXPECT_EQ(products->at("turn_id"), final->at("turn_id"));
  EXPECT_FALSE(final->at("text").get<std::string>().empty());
  EXPECT_FALSE(final->at("degraded").get<bool>());
}

TEST_F(server_test, a_reconnect_with_the_session_id_resumes_user_and_context) {
  serve();
  std::string session_id, user;
  {
    ws_client ws{port_};
    ws.send(json{{"type", "hello"}});
    auto welcome = ws.next_of_type("welcome");
    ASSERT_TRUE(welcome);
    session_id = welcome->at("session_id");
    user = welcome->at("user");
    ws.send(json{{"type", "message"}, {"text", "show me kurtas"}});
    ASSERT_TRUE(ws.next_of_type("final"));
    ws.send(json{{"type", "message"}, {"text", "add the first one to my cart"}});
    std::vector<json> frames;
    ASSERT_TRUE(ws.next_of_type("final", &frames));
    ASSERT_TRUE(std::any_of(frames.begin(), frames.end(), [](const json& f) { return f.at("type") == "cart"; }));
  }
  // The server learns of the close asynchronously; the session becomes resumable then.
  ws_client again{port_};
  json resumed;
  ASSERT_TRUE(eventually([&] {
    ws_client probe{port_};
    probe.send(json{{"type", "hello"}, {"session_id", session_id}});
    auto w = probe.next_of_type("welcome");
    if (w && w->at("resumed").get<bool>()) {
      resumed = *w;
      // Keep using this connection's view: show the cart it resumed.
      probe.send(json{{"type", "message"}, {"text", "show my cart"}});
      std::vector<json> frames;
      probe.next_of_type("final", &frames);
      auto cart = std::find_if(frames.begin(), frames.end(), [](const json& f) { return f.at("type") == "cart"; });
      if (cart != frames.end())
        resumed["cart_items"] = cart->at("cart").at("item_count");
      return true;
    }
    return false;
  }));
  EXPECT_EQ(resumed.at("session_id"), session_id);
  EXPECT_EQ(resumed.at("user"), user);
  ASSERT_TRUE(resumed.contains("cart_items"));
  EXPECT_EQ(resumed.at("cart_items"), 1);

  // A made-up or someone else's id starts a new session.
  again.send(json{{"type", "hello"}, {"session_id", "00000000000000000000000000000000"}});
  auto fresh = again.next_of_type("welcome");
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->at("resumed").get<bool>());
  EXPECT_NE(fresh->at("session_id"), session_id);
  EXPECT_NE(fresh->at("user"), user);
}

TEST_F(server_test, a_resume_while_the_old_connection_is_open_hands_the_session_over) {
  serve();
  ws_client first{port_};
  first.send(json{{"type", "hello"}});
  auto welcome = first.next_of_type("welcome");
  ASSERT_TRUE(welcome);
  std::string session_id = welcome->at("session_id");
  first.send(json{{"type", "message"}, {"text", "show me kurtas"}});
  ASSERT_TRUE(first.next_of_type("final"));

  // The first connection is still open: the second one takes the session over at once.
  ws_client second{port_};
  second.send(json{{"type", "hello"}, {"session_id", session_id}});
  auto resumed = second.next_of_type("welcome");
  ASSERT_TRUE(resumed);
  EXPECT_TRUE(resumed->at("resumed").get<bool>());
  EXPECT_EQ(resumed->at("session_id"), session_id);
  EXPECT_EQ(resumed->at("user"), welcome->at("user"));

  auto notice = first.next_of_type("error");
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->at("code"), "superseded");
  EXPECT_FALSE(first.next());   // then the close
  EXPECT_EQ(first.close_code(), 4000);

  // The context moved with the session: "the first one" still means the kurta shown before.
  second.send(json{{"type", "message"}, {"text", "add the first one to my cart"}});
  std::vector<json> frames;
  ASSERT_TRUE(second.next_of_type("final", &frames));
  EXPECT_TRUE(std::any_of(frames.begin(), frames.end(), [](const json& f) { return f.at("type") == "cart"; }));

  // The superseded connection's close must not release the session the second one holds: once
  // its actor has ended, a third hello still finds the session held and takes it from `second`.
  ASSERT_TRUE(eventually([&] { return front_->hub().live_sessions() == 1; }));
  ws_client third{port_};
  third.send(json{{"type", "hello"}, {"session_id", session_id}});
  auto stolen = third.next_of_type("welcome");
  ASSERT_TRUE(stolen);
  EXPECT_TRUE(stolen->at("resumed").get<bool>()) << "a live session is handed over again";
  auto second_notice = second.next_of_type("error");
  ASSERT_TRUE(second_notice);
  EXPECT_EQ(second_notice->at("code"), "superseded");
}

// -- frames and limits -------------------------------------------------------------------------

TEST_F(server_test, bad_frames_get_an_error_and_the_connection_stays_usable) {
  serve();
  ws_client ws{port_};
  ASSERT_TRUE(ws.connected());
  for (std::string bad : {"{not json", "[1,2]", "{\"no_type\":1}", "{\"type\":\"dance\"}",
                          "{\"type\":\"message\"}", "{\"type\":\"message\",\"text\":7}",
                          "{\"type\":\"like\"}"}) {
    ws.send(bad);
    auto frame = ws.next();
    if (frame && frame->at("type") == "welcome")   // the first parsable frame says hello
      frame = ws.next();
    ASSERT_TRUE(frame) << bad;
    EXPECT_EQ(frame->at("type"), "error") << bad;
    EXPECT_EQ(frame->at("code"), "bad_frame") << bad;
    EXPECT_FALSE(frame->at("message").get<std::string>().empty());
  }
  ws.send_binary("\x01\x02");
  auto binary = ws.next();
  ASSERT_TRUE(binary);
  EXPECT_EQ(binary->at("code"), "bad_frame");
  ws.send(json{{"type", "hello"}});   // too late for hello
  auto late = ws.next();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->at("code"), "bad_frame");
  ws.send(json{{"type", "ping"}, {"id", {{"nested", "x"}}}});
  auto pong = ws.next();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->at("type"), "pong");
  EXPECT_EQ(pong->at("id"), (json{{"nested", "x"}}));
  EXPECT_FALSE(ws.closed());
}

TEST_F(server_test, a_frame_over_the_limit_closes_with_1009) {
  serve({"limits.max_frame_bytes=1024"});
  ws_client ws{port_};
  ASSERT_TRUE(ws.connected());
  ws.send(json{{"type", "ping"}, {"id", std::string(900, 'x')}});   // under the limit
  ASSERT_TRUE(ws.next_of_type("pong"));
  ws.send(json{{"type", "ping"}, {"id", std::string(2000, 'x')}});
  EXPECT_FALSE(ws.next_of_type("pong"));
  EXPECT_TRUE(ws.closed());
  EXPECT_EQ(ws.close_code(), 1009) << ws.end_reason();
}

std::string file_base64(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::string bytes{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  auto url = auth::base64url_encode(bytes);   // to standard base64 with padding, as browsers send
  for (auto& c : url)
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (url.size() % 4 != 0)
    url += '=';
  return url;
}

TEST_F(server_test, an_image_frame_searches_by_its_colour_and_may_exceed_the_frame_limit) {
  serve({"limits.max_frame_bytes=1024"});
  auto data = file_base64(CARTMATE_SOURCE_DIR "/tests/fixtures/images/solid_navy.png");
  ASSERT_FALSE(data.empty());
  ws_client ws{port_};
  ws.send(json{{"type", "image"}, {"data", "data:image/png;base64," + data}});
  std::vector<json> frames;
  auto final = ws.next_of_type("final", &frames);
  ASSERT_TRUE(final) << "connection ended; close code " << ws.close_code();
  EXPECT_FALSE(final->at("degraded").get<bool>()) << final->dump();
  auto products = std::find_if(frames.begin(), frames.end(), [](const json& f) { return f.at("type") == "products"; });
  ASSERT_NE(products, frames.end()) << final->dump();
  for (const auto& p : products->at("products"))
    EXPECT_EQ(p.at("colour"), "Navy") << p.dump();
}

TEST_F(server_test, bad_or_oversized_image_frames_get_errors_and_the_session_stays) {
  serve({"limits.max_image_bytes=2048"});
  ws_client ws{port_};
  ws.send(json{{"type", "image"}, {"data", "not base64 at all!"}});
  auto bad = ws.next_of_type("error");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->at("code"), "bad_image");
  ws.send(json{{"type", "image"}, {"data", std::string(4000, 'A')}});   // 3,000 bytes decoded
  auto big = ws.next_of_type("error");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->at("code"), "image_too_large");
  ws.send(json{{"type", "image"}, {"data", file_base64(CARTMATE_SOURCE_DIR "/tests/fixtures/images/truncated.png")}});
  auto refused = ws.next_of_type("final");
  ASSERT_TRUE(refused);
  EXPECT_FALSE(ws.closed());
  ws.send(json{{"type", "ping"}, {"id", 1}});
  EXPECT_TRUE(ws.next_of_type("pong"));
}

int post_prices(uint16_t port, const std::string& token, const json& body) {
  auto text = body.dump();
  return raw_http_status(port, "POST /admin/prices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 + (token.empty() ? std::string{} : "Authorization: Bearer " + token + "\r\n")
                                 + "Content-Length: " + std::to_string(text.size()) + "\r\nConnection: close\r\n\r\n"
                                 + text);
}

TEST_F(server_test, a_price_drop_notifies_live_and_again_on_reconnect_until_acknowledged) {
  serve({"auth.secret=admin-test-secret"});
  auto exp = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()).count() + 300;
  auto admin = auth::issue_token("admin-test-secret", {"ops", "admin", exp});
  auto shopper = auth::issue_token("admin-test-secret", {"ops", "someone", exp});

  auto first = std::make_unique<ws_client>(port_);
  first->send(json{{"type", "hello"}});
  auto welcome = first->next_of_type("welcome");
  ASSERT_TRUE(welcome);
  std::vector<json> frames;
  first->send(json{{"type", "message"}, {"text", "show me analogue watches for men"}});
  ASSERT_TRUE(first->next_of_type("final", &frames));
  auto products = std::find_if(frames.begin(), frames.end(), [](const json& f) { return f.at("type") == "products"; });
  ASSERT_NE(products, frames.end());
  std::string product_id = products->at("products")[0].at("id");
  first->send(json{{"type", "message"}, {"text", "alert me when the first one drops below 100"}});
  auto created = first->next_of_type("final");
  ASSERT_TRUE(created);
  ASSERT_FALSE(created->at("degraded").get<bool>()) << created->dump();

  // Only an admin token may change prices; bad bodies are refused and change nothing.
  json drop{{"updates", json::array({json{{"product_id", product_id}, {"price", 50.0}}})}};
  EXPECT_EQ(post_prices(port_, "", drop), 401);
  EXPECT_EQ(post_prices(port_, shopper, drop), 403);
  EXPECT_EQ(post_prices(port_, admin, json{{"updates", json::array({json{{"price", 5}}})}}), 400);
  EXPECT_EQ(post_prices(port_, admin, drop), 202);

  auto live = first->next_of_type("notification");
  ASSERT_TRUE(live) << "no live notification; close code " << first->close_code();
  std::string id = live->at("notification_id");
  EXPECT_EQ(live->at("product_id"), product_id);
  first.reset();   // gone without acknowledging

  // Not acknowledged: the next connection of the session gets it again, once.
  auto second = std::make_unique<ws_client>(port_);
  second->send(json{{"type", "hello"}, {"session_id", welcome->at("session_id")}});
  auto again = second->next_of_type("notification");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->at("notification_id"), id);
  second->send(json{{"type", "ack"}, {"notification_id", id}});
  second->send(json{{"type", "ack"}, {"notification_id", "no-such-notification"}});
  auto unknown = second->next_of_type("error");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->at("code"), "bad_frame");
  second.reset();

  // Acknowledged: a later connection is not told again (its pending fetch is answered before
  // the turn it sends, which goes through the same agents and ends after it).
  ws_client third{port_};
  third.send(json{{"type", "hello"}, {"session_id", welcome->at("session_id")}});
  ASSERT_TRUE(third.next_of_type("welcome"));
  third.send(json{{"type", "message"}, {"text", "show my alerts"}});
  std::vector<json> later;
  ASSERT_TRUE(third.next_of_type("final", &later));
  EXPECT_TRUE(std::none_of(later.begin(), later.end(), [](const json& f) { return f.at("type") == "notification"; }));
}

TEST_F(server_test, a_long_message_gets_text_too_long) {
  serve({"limits.max_message_bytes=10"});
  ws_client ws{port_};
  ws.send(json{{"type", "hello"}});
  ASSERT_TRUE(ws.next_of_type("welcome"));
  ws.send(json{{"type", "message"}, {"text", "show me all the kurtas"}});
  auto error = ws.next();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->at("code"), "text_too_long");
  ws.send(json{{"type", "ping"}});
  EXPECT_TRUE(ws.next_of_type("pong"));
}

TEST_F(server_test, the_rate_limit_refuses_with_retry_after) {
  serve({"rate_limit.turns_per_second=0.01", "rate_limit.burst=1"});
  ws_client ws{port_};
  ws.send(json{{"type", "message"}, {"text", "show me kurtas"}});
  ASSERT_TRUE(ws.next_of_type("final"));
  ws.send(json{{"type", "message"}, {"text", "show me kurtas"}});
  auto error = ws.next();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->at("code"), "rate_limited");
  ASSERT_TRUE(error->contains("retry_after_ms"));
  auto retry = error->at("retry_after_ms").get<int64_t>();
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 100000);
  // Pings are not turns: never limited.
  ws.send(json{{"type", "ping"}, {"id", 3}});
  EXPECT_TRUE(ws.next_of_type("pong"));
}

TEST_F(server_test, max_connections_refuses_with_1013) {
  serve({"limits.max_connections=1"});
  ws_client first{port_};
  first.send(json{{"type", "hello"}});
  ASSERT_TRUE(first.next_of_type("welcome"));
  ws_client second{port_};
  ASSERT_TRUE(second.connected());
  EXPECT_FALSE(second.next());
  EXPECT_EQ(second.close_code(), 1013);
  first.send(json{{"type", "ping"}});
  EXPECT_TRUE(first.next_of_type("pong"));
}

TEST_F(server_test, an_idle_connection_is_closed_with_1000) {
  serve({"limits.idle_timeout_ms=200"});
  ws_client ws{port_};
  ws.send(json{{"type", "hello"}});
  ASSERT_TRUE(ws.next_of_type("welcome"));
  EXPECT_FALSE(ws.next());   // nothing more until the idle close
  EXPECT_EQ(ws.close_code(), 1000);
}

TEST_F(server_test, a_client_that_does_not_read_is_dropped_when_its_send_queue_overflows) {
  serve({"limits.send_queue_frames=4"});
  auto& dropped = node_->metrics().counter_for("cartmate_ws_dropped_total", "",
                                               {{"reason", "send_queue_overflow"}});
  auto before = dropped.value();
  ws_client ws{port_};
  ASSERT_TRUE(ws.connected());
  // Big pongs, never read: once the socket buffers are full the server's queue fills up.
  auto ping = json{{"type", "ping"}, {"id", std::string(60000, 'x')}}.dump();
  for (int i = 0; i < 600 && dropped.value() == before; ++i)
    ws.send(ping);
  EXPECT_TRUE(eventually([&] { return dropped.value() == before + 1; }));
  // Reading now gets what the socket held, then the end: dropped, not closed politely.
  int frames = 0;
  while (ws.next() && frames < 100000)
    ++frames;
  EXPECT_TRUE(ws.closed());
  EXPECT_LT(frames, 600);
  EXPECT_TRUE(eventually([&] { return front_->server().open_sessions() == 0; }));
}

// -- auth --------------------------------------------------------------------------------------

TEST_F(server_test, auth_refuses_missing_bad_and_expired_tokens_with_1008) {
  serve({"auth.enabled=true", "auth.secret=test-secret"});
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  auto refused = [&](const json& first_frame) {
    ws_client ws{port_};
    ws.send(first_frame);
    auto error = ws.next();
    EXPECT_TRUE(error) << first_frame;
    if (error) {
      EXPECT_EQ(error->at("code"), "unauthorized") << first_frame;
    }
    EXPECT_FALSE(ws.next());
    EXPECT_EQ(ws.close_code(), 1008) << first_frame;
  };
  refused(json{{"type", "message"}, {"text", "hi"}});
  refused(json{{"type", "hello"}});
  refused(json{{"type", "hello"}, {"token", "garbage"}});
  refused(json{{"type", "hello"}, {"token", auth::issue_token("other-secret", {"acme", "alice", now_s + 60})}});
  refused(json{{"type", "hello"}, {"token", auth::issue_token("test-secret", {"acme", "alice", now_s - 1})}});

  ws_client ok{port_};
  ok.send(json{{"type", "hello"}, {"token", auth::issue_token("test-secret", {"acme", "alice", now_s + 60})}});
  auto welcome = ok.next();
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->at("type"), "welcome");
  EXPECT_EQ(welcome->at("tenant"), "acme");
  EXPECT_EQ(welcome->at("user"), "alice");
}

TEST_F(server_test, users_never_see_each_others_carts) {
  serve({"auth.enabled=true", "auth.secret=test-secret"});
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  auto cart_after = [&](const std::string& tenant, const std::string& user,
                        const std::vector<std::string>& messages) {
    ws_client ws{port_};
    ws.send(json{{"type", "hello"}, {"token", auth::issue_token("test-secret", {tenant, user, now_s + 60})}});
    EXPECT_TRUE(ws.next_of_type("welcome"));
    json last_cart;
    for (const auto& text : messages) {
      ws.send(json{{"type", "message"}, {"text", text}});
      std::vector<json> frames;
      EXPECT_TRUE(ws.next_of_type("final", &frames)) << text;
      for (auto& f : frames)
        if (f.at("type") == "cart")
          last_cart = f.at("cart");
    }
    return last_cart;
  };
  auto alice = cart_after("acme", "alice", {"show me kurtas", "add the first one to my cart"});
  ASSERT_FALSE(alice.is_null());
  EXPECT_EQ(alice.at("item_count"), 1);
  // Same user name in another tenant, and another user in the same tenant: empty carts.
  for (auto [tenant, user] : {std::pair{"globex", "alice"}, std::pair{"acme", "bob"}}) {
    auto other = cart_after(tenant, user, {"show my cart"});
    ASSERT_FALSE(other.is_null()) << tenant << "/" << user;
    EXPECT_EQ(other.at("item_count"), 0) << tenant << "/" << user;
    EXPECT_EQ(other.at("user"), user);
  }
  // And alice still has hers.
  auto again = cart_after("acme", "alice", {"show my cart"});
  ASSERT_FALSE(again.is_null());
  EXPECT_EQ(again.at("item_count"), 1);
}

// -- queueing and the drain, with an orchestrator the test controls ----------------------------

using release_atom = caf::atom_constant<caf::atom("t_release")>;

struct held_turn {
  uint64_t id = 0;
  caf::response_promise promise;
  caf::actor requester;
  protocol::user_turn turn;
};

struct holding_state {
  std::vector<held_turn> held;
  uint64_t next_turn = 1;
};

// Answers each turn only when told to (release_atom), in arrival order; reports "thinking"
// with the turn's text at once, so the test sees which turn started.
caf::behavior holding_orchestrator(caf::stateful_actor<holding_state>* self) {
  return {
    [self](protocol::user_turn& turn) -> caf::result<protocol::turn_summary> {
      auto requester = caf::actor_cast<caf::actor>(self->current_sender());
      auto id = self->state.next_turn++;
      self->send(requester, protocol::thinking_event{id, "started: " + turn.text});
      auto promise = self->make_response_promise<protocol::turn_summary>();
      self->state.held.push_back({id, promise, requester, std::move(turn)});
      return promise;
    },
    [self](release_atom) {
      if (self->state.held.empty())
        return;
      auto h = std::move(self->state.held.front());
      self->state.held.erase(self->state.held.begin());
      auto id = h.id;
      self->send(h.requester, protocol::final_event{id, "done: " + h.turn.text, false, false});
      protocol::turn_summary summary;
      summary.turn_id = id;
      h.promise.deliver(summary);
    },
  };
}

class held_turns_test : public server_test {
 protected:
  void start_held(std::vector<std::string> overrides) {
    cfg_ = make_config(std::move(overrides));
    orchestrator_ = node_->system().spawn(holding_orchestrator);
    directory_.add(protocol::agent_kind::orchestrator, runtime::agent_replica{orchestrator_, "test", true});
    hub_ = std::make_shared<session::session_hub>(node_->system(), directory_, metrics_,
                                                  session::settings_from(cfg_));
    auto hub = hub_;
    server_ = std::make_unique<http::server>(
      session::server_options_from(cfg_),
      [hub](std::weak_ptr<http::frame_sink> sink) { return hub->open(std::move(sink)); },
      std::map<std::string, http::route_handler>{}, &metrics_);
    auto port = server_->start();
    ASSERT_TRUE(port);
    port_ = *port;
  }

  void TearDown() override {
    if (server_)
      server_->stop();
    if (hub_) {
      hub_->stop_all();
      // The actors use directory_ and metrics_ through the hub: they must end before those do.
      EXPECT_TRUE(eventually([this] { return hub_->live_sessions() == 0; }));
    }
    caf::anon_send_exit(orchestrator_, caf::exit_reason::user_shutdown);
    directory_.clear();
  }

  void release() { caf::anon_send(orchestrator_, release_atom::value); }

  runtime::agent_directory directory_;
  runtime::metrics_registry metrics_;
  caf::actor orchestrator_;
  std::shared_ptr<session::session_hub> hub_;
  std::unique_ptr<http::server> server_;
};

TEST_F(held_turns_test, turns_run_one_at_a_time_in_order_and_the_queue_is_bounded) {
  start_held({"limits.max_queued_turns=1"});
  ws_client ws{port_};
  ws.send(json{{"type", "hello"}});
  ASSERT_TRUE(ws.next_of_type("welcome"));
  ws.send(json{{"type", "message"}, {"text", "one"}});
  auto first = ws.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("text"), "started: one");
  ws.send(json{{"type", "message"}, {"text", "two"}});     // queued behind "one"
  ws.send(json{{"type", "message"}, {"text", "three"}});   // one queued already: refused
  auto full = ws.next();
  ASSERT_TRUE(full);
  EXPECT_EQ(full->at("code"), "queue_full");
  release();
  auto done_one = ws.next();
  ASSERT_TRUE(done_one);
  EXPECT_EQ(done_one->at("type"), "final");
  EXPECT_EQ(done_one->at("text"), "done: one");
  auto second = ws.next();   // only now does "two" start
  ASSERT_TRUE(second);
  EXPECT_EQ(second->at("text"), "started: two");
  release();
  auto done_two = ws.next();
  ASSERT_TRUE(done_two);
  EXPECT_EQ(done_two->at("text"), "done: two");
}

TEST_F(held_turns_test, the_drain_refuses_new_turns_and_closes_with_1001_after_the_running_one) {
  start_held({});
  ws_client busy{port_};
  busy.send(json{{"type", "message"}, {"text", "slow"}});
  ASSERT_TRUE(busy.next_of_type("thinking"));
  ws_client idle{port_};
  idle.send(json{{"type", "hello"}});
  ASSERT_TRUE(idle.next_of_type("welcome"));
  EXPECT_EQ(hub_->running_turns(), 1u);

  server_->stop_accepting();
  hub_->drain();
  EXPECT_FALSE(idle.next());   // nothing running: closed at once
  EXPECT_EQ(idle.close_code(), 1001);

  busy.send(json{{"type", "message"}, {"text", "another"}});
  auto refused = busy.next();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->at("code"), "shutting_down");
  release();
  auto final = busy.next();
  ASSERT_TRUE(final);
  EXPECT_EQ(final->at("text"), "done: slow");
  EXPECT_FALSE(busy.next());
  EXPECT_EQ(busy.close_code(), 1001);
  EXPECT_EQ(hub_->running_turns(), 0u);
  EXPECT_FALSE(ws_client{port_}.connected());   // no longer accepting
}

TEST_F(held_turns_test, an_unreachable_orchestrator_still_ends_the_turn) {
  start_held({});
  caf::anon_send_exit(orchestrator_, caf::exit_reason::user_shutdown);
  directory_.clear();
  ws_client ws{port_};
  ws.send(json{{"type", "message"}, {"text", "anyone there?"}});
  std::vector<json> frames;
  auto final = ws.next_of_type("final", &frames);
  ASSERT_TRUE(final);
  EXPECT_TRUE(final->at("degraded").get<bool>());
  EXPECT_TRUE(std::any_of(frames.begin(), frames.end(), [](const json& f) {
    return f.at("type") == "error" && f.at("code") == "unavailable";
  }));
}

}  // namespace
}  // namespace cartmate::testing
