// session_actor.cpp — frames in, turns to the orchestrator, events out as frames.
// Threading: one CAF actor; its state is touched only by its own handlers.
#include "actors/session/session_actor.hpp"

#include <chrono>
#include <deque>
#include <unordered_set>
#include <optional>
#include <string_view>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/sec.hpp>
#include <caf/stateful_actor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/store_call.hpp"
#include "actors/session/session_hub.hpp"
#include "adapters/auth/token.hpp"
#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"
#include "protocol/alert_messages.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "runtime/logging.hpp"

namespace cartmate::session {
namespace {

using actors::call_store;

using json = nlohmann::json;

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

struct session_state {
  std::shared_ptr<session_hub> hub;
  std::weak_ptr<http::frame_sink> sink;
  identity who;
  bool said_hello = false;
  bool closing = false;     // a close was requested; frames from the client are ignored
  bool draining = false;
  bool turn_running = false;
  uint64_t turn_seq = 0;            // which turn a late answer or a down message is about
  caf::actor_addr turn_orchestrator;  // who runs the current turn (monitored: it may be remote)
  std::deque<protocol::user_turn> queue;
  // Turns waiting for the rate limiter, in arrival order; the front one's decision is being
  // made (on Redis it runs elsewhere and comes back as a message), so turns never reorder.
  std::deque<protocol::user_turn> undecided;
  // Notification ids already shown: the outbox fetch at hello and the live bus may overlap.
  std::unordered_set<std::string> shown_notifications;

  static inline const char* name = "ws_session";
};

using session_actor = caf::stateful_actor<session_state>;

void send_frame(session_actor* self, const json& frame) {
  if (auto sink = self->state.sink.lock())
    sink->send_text(protocol::dump_json(frame));
}

void send_error(session_actor* self, const std::string& code, const std::string& message,
                std::optional<int64_t> retry_after_ms = std::nullopt) {
  json frame{{"type", "error"}, {"code", code}, {"message", message}};
  if (retry_after_ms)
    frame["retry_after_ms"] = *retry_after_ms;
  self->state.hub->count_error(code);
  send_frame(self, frame);
}

void close_connection(session_actor* self, uint16_t code, const std::string& reason) {
  auto& st = self->state;
  if (st.closing)
    return;
  st.closing = true;
  st.queue.clear();
  st.undecided.clear();
  if (auto sink = st.sink.lock())
    sink->close(code, reason);
}

void start_next_turn(session_actor* self);

void end_turn(session_actor* self) {
  auto& st = self->state;
  if (!st.turn_running)
    return;
  st.turn_running = false;
  st.hub->turn_ended();
  if (st.draining)
    return close_connection(self, http::close_code::going_away, "server shutting down");
  start_next_turn(self);
}

std::string failure_code(const caf::error& err) {
  if (auto code = protocol::errc_of(err))
    return std::string{protocol::to_string(*code)};
  if (err == caf::sec::request_timeout)
    return "timeout";
  return "unavailable";
}

// The orchestrator did not end the turn itself: end it here so the client's turn loop does.
void fail_turn(session_actor* self, const caf::error& err) {
  auto code = failure_code(err);
  spdlog::warn("turn of session {} failed: {}", self->state.who.session_id, protocol::describe(err));
  self->state.hub->count_error("turn_failed");
  send_frame(self, protocol::encode(protocol::orchestrator_event{
                     protocol::error_event{0, code, "the assistant could not finish this turn: "
                                                      + protocol::describe(err)}}));
  send_frame(self, protocol::encode(protocol::orchestrator_event{protocol::final_event{
                     0, "Sorry, I could not finish that request (" + code + "). Please try again.",
                     false, true}}));
  end_turn(self);
}

void start_next_turn(session_actor* self) {
  auto& st = self->state;
  if (st.turn_running || st.queue.empty() || st.closing)
    return;
  auto turn = std::move(st.queue.front());
  st.queue.pop_front();
  st.turn_running = true;
  st.hub->turn_started();
  const auto& settings = st.hub->settings();
  turn.env.tenant = st.who.tenant;
  turn.env.user = st.who.user;
  turn.env.session = st.who.session_id;
  turn.env.trace_id = runtime::new_trace_id();
  turn.env.deadline_ms = wall_clock_ms() + settings.turn_deadline.count();
  runtime::trace_scope scope{turn.env.trace_id};
  auto orchestrator = st.hub->directory().lookup(protocol::agent_kind::orchestrator, st.who.user);
  if (!orchestrator)
    return fail_turn(self, orchestrator.error());
  auto seq = ++st.turn_seq;
  // An orchestrator on another node that dies leaves its request unanswered until the timeout
  // (CAF 0.17 fails nothing early): the down message ends the turn at once instead.
  if (st.turn_orchestrator != orchestrator->address()) {
    st.turn_orchestrator = orchestrator->address();
    self->monitor(*orchestrator);
  }
  self->request(*orchestrator, settings.turn_deadline + settings.reply_margin, std::move(turn))
    .then(
      [self, seq](protocol::turn_summary&) {
        if (seq == self->state.turn_seq)
          end_turn(self);
      },
      [self, seq](caf::error& err) {
        if (seq == self->state.turn_seq)
          fail_turn(self, err);
      });
}

void on_down(session_actor* self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (msg.source != st.turn_orchestrator)
    return;
  st.turn_orchestrator = caf::actor_addr{};
  if (st.turn_running)
    fail_turn(self, protocol::make_error(protocol::errc::unavailable,
                                         "the orchestrator went down during the turn"));
}

void decide_next(session_actor* self);

void on_decision(session_actor* self, runtime::rate_limiter::decision decision) {
  auto& st = self->state;
  if (st.undecided.empty())   // the session closed or drained meanwhile
    return;
  auto turn = std::move(st.undecided.front());
  st.undecided.pop_front();
  if (st.closing || st.draining)
    return;
  if (!decision.allowed)
    send_error(self, "rate_limited", "too many turns for tenant " + st.who.tenant,
               decision.retry_after.count());
  else
    st.queue.push_back(std::move(turn));
  start_next_turn(self);
  decide_next(self);
}

// Asks the limiter about the oldest undecided turn; inline limiters answer at once.
void decide_next(session_actor* self) {
  auto& st = self->state;
  while (!st.undecided.empty()) {
    auto before = st.undecided.size();
    auto hub = st.hub;
    call_store(self, hub->limiter_executor(),
               [hub, tenant = st.who.tenant] { return hub->decide_turn(tenant); },
               [self](runtime::rate_limiter::decision d) { on_decision(self, d); });
    if (st.undecided.size() == before)   // the decision is on its way back as a message
      return;
  }
}

void submit(session_actor* self, protocol::user_turn turn) {
  auto& st = self->state;
  if (st.draining)
    return send_error(self, "shutting_down", "the server is shutting down; reconnect shortly");
  auto max_queued = st.hub->settings().limits.max_queued_turns;
  auto waiting = st.queue.size() + st.undecided.size();
  if ((st.turn_running || !st.undecided.empty()) && waiting >= max_queued)
    return send_error(self, "queue_full",
                      std::to_string(waiting) + " turns are already queued; wait for a final frame");
  st.undecided.push_back(std::move(turn));
  if (st.undecided.size() == 1)
    decide_next(self);
}

const std::string* string_field(const json& frame, const char* key) {
  auto i = frame.find(key);
  if (i == frame.end() || !i->is_string())
    return nullptr;
  return i->get_ptr<const std::string*>();
}

void fetch_pending_notifications(session_actor* self);

void say_hello(session_actor* self, const json& frame) {
  auto& st = self->state;
  static const std::string none;
  const auto* token = string_field(frame, "token");
  const auto* session_id = string_field(frame, "session_id");
  auto who = st.hub->hello(token ? *token : none, session_id ? *session_id : none, self->id());
  if (!who) {
    send_error(self, "unauthorized", protocol::describe(who.error()));
    return close_connection(self, http::close_code::policy_violation, "unauthorized");
  }
  st.who = std::move(*who);
  st.said_hello = true;
  st.hub->attach_user(st.who.tenant, st.who.user, self->id());
  spdlog::debug("session {} {} (tenant {}, user {})", st.who.session_id,
               st.who.resumed ? "resumed" : "opened", st.who.tenant, st.who.user);
  send_frame(self, json{{"type", "welcome"},
                        {"session_id", st.who.session_id},
                        {"tenant", st.who.tenant},
                        {"user", st.who.user},
                        {"resumed", st.who.resumed},
                        {"limits", st.hub->limits_json()}});
  fetch_pending_notifications(self);
}

// An image frame's data: standard base64 (what browsers produce), optionally as a data URL.
caf::expected<std::string> decode_image_data(std::string_view data) {
  if (data.rfind("data:", 0) == 0) {
    auto comma = data.find(',');
    if (comma == std::string_view::npos || data.substr(0, comma).find(";base64") == std::string_view::npos)
      return protocol::make_error(protocol::errc::invalid_argument, "a data URL must be base64 encoded");
    data.remove_prefix(comma + 1);
  }
  while (!data.empty() && data.back() == '=')
    data.remove_suffix(1);
  std::string url{data};
  for (auto& c : url) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return auth::base64url_decode(url);
}

// Shown once per session however often it arrives; the client acknowledges it with an ack frame.
void show_notification(session_actor* self, const protocol::notification_event& n) {
  auto& st = self->state;
  if (!st.said_hello || st.closing || n.notification_id.empty())
    return;
  if (!st.shown_notifications.insert(n.notification_id).second)
    return;
  if (st.shown_notifications.size() > 4096)   // bounded; a repeat after that is harmless
    st.shown_notifications.clear();
  send_frame(self, protocol::encode(protocol::orchestrator_event{n}));
}

protocol::envelope session_envelope(session_actor* self) {
  protocol::envelope env;
  env.tenant = self->state.who.tenant;
  env.user = self->state.who.user;
  env.session = self->state.who.session_id;
  env.trace_id = runtime::new_trace_id();
  env.deadline_ms = wall_clock_ms() + self->state.hub->settings().turn_deadline.count();
  return env;
}

// Notifications that fired while the user was away (or were shown but never acknowledged).
void fetch_pending_notifications(session_actor* self) {
  auto alerts = self->state.hub->directory().lookup(protocol::agent_kind::alerts, self->state.who.user);
  if (!alerts)
    return;   // no alerts agent reachable: nothing to fetch now; the outbox keeps them
  self->request(*alerts, self->state.hub->settings().turn_deadline,
                protocol::notification_pending{session_envelope(self)})
    .then(
      [self](protocol::notification_list& list) {
        for (const auto& n : list.notifications)
          show_notification(self, n);
      },
      [self](caf::error& err) {
        spdlog::info("pending notifications of session {} not fetched: {}",
                     self->state.who.session_id, protocol::describe(err));
      });
}

void acknowledge_notification(session_actor* self, const std::string& id) {
  auto alerts = self->state.hub->directory().lookup(protocol::agent_kind::alerts, self->state.who.user);
  if (!alerts)
    return send_error(self, "unavailable", "alerts are unavailable; acknowledge again later");
  protocol::notification_ack ack;
  ack.env = session_envelope(self);
  ack.notification_id = id;
  self->request(*alerts, self->state.hub->settings().turn_deadline, std::move(ack))
    .then([](protocol::ack&) {},
          [self, id](caf::error& err) {
            if (protocol::errc_of(err) == protocol::errc::not_found)
              send_error(self, "bad_frame", "no notification '" + id.substr(0, 64) + "' to acknowledge");
          });
}

protocol::user_turn make_turn(protocol::turn_input input) {
  protocol::user_turn turn;
  turn.input = input;
  return turn;
}

void on_frame(session_actor* self, std::string data, bool is_text) {
  auto& st = self->state;
  if (st.closing)
    return;
  const bool auth = st.hub->settings().auth.enabled;
  auto refuse_unauthenticated = [&](const std::string& why) {
    send_error(self, "unauthorized", why);
    close_connection(self, http::close_code::policy_violation, "unauthorized");
  };
  if (!is_text) {
    if (auth && !st.said_hello)
      return refuse_unauthenticated("the first frame must be a hello with a token");
    return send_error(self, "bad_frame", "binary frames are not supported; send JSON text frames");
  }
  auto parsed = protocol::parse_json(data);
  const std::string* type = nullptr;
  std::string problem;
  if (!parsed)
    problem = "frame is not valid JSON: " + protocol::describe(parsed.error());
  else if (!parsed->is_object())
    problem = "a frame must be a JSON object";
  else if (type = string_field(*parsed, "type"); type == nullptr)
    problem = "a frame needs a string field 'type'";
  // Only image frames may use the room the server leaves for images.
  if (data.size() > st.hub->settings().limits.max_frame_bytes && (type == nullptr || *type != "image"))
    return close_connection(self, http::close_code::too_big, "frame too large");
  if (!problem.empty()) {
    if (auth && !st.said_hello)
      return refuse_unauthenticated("the first frame must be a hello with a token");
    return send_error(self, "bad_frame", problem);
  }
  const auto& frame = *parsed;
  if (!st.said_hello) {
    if (*type == "hello")
      return say_hello(self, frame);
    if (auth)
      return refuse_unauthenticated("the first frame must be a hello with a token");
    say_hello(self, json::object());   // auth off: any first frame implicitly says hello
    if (st.closing)
      return;
  }
  if (*type == "ping") {
    auto id = frame.find("id");
    return send_frame(self, json{{"type", "pong"}, {"id", id == frame.end() ? json(nullptr) : *id}});
  }
  if (*type == "message") {
    const auto* text = string_field(frame, "text");
    if (text == nullptr)
      return send_error(self, "bad_frame", "a message needs a string field 'text'");
    if (text->empty())
      return send_error(self, "bad_frame", "message text is empty");
    auto limit = st.hub->settings().limits.max_message_bytes;
    if (text->size() > limit)
      return send_error(self, "text_too_long",
                        "message text is " + std::to_string(text->size()) + " bytes; the limit is "
                          + std::to_string(limit));
    auto turn = make_turn(protocol::turn_input::message);
    turn.text = *text;
    return submit(self, std::move(turn));
  }
  if (*type == "confirm")
    return submit(self, make_turn(protocol::turn_input::confirm));
  if (*type == "cancel")
    return submit(self, make_turn(protocol::turn_input::cancel));
  if (*type == "like" || *type == "dislike") {
    const auto* product = string_field(frame, "product_id");
    if (product == nullptr || product->empty() || product->size() > 256)
      return send_error(self, "bad_frame", "a " + *type + " needs a string field 'product_id'");
    auto turn = make_turn(*type == "like" ? protocol::turn_input::like : protocol::turn_input::dislike);
    turn.product_ref = *product;
    return submit(self, std::move(turn));
  }
  if (*type == "ack") {
    const auto* id = string_field(frame, "notification_id");
    if (id == nullptr || id->empty() || id->size() > 256)
      return send_error(self, "bad_frame", "an ack needs a string field 'notification_id'");
    return acknowledge_notification(self, *id);
  }
  if (*type == "image") {
    const auto* payload = string_field(frame, "data");
    if (payload == nullptr || payload->empty())
      return send_error(self, "bad_frame", "an image needs a string field 'data' (base64 PNG or JPEG)");
    auto bytes = decode_image_data(*payload);
    if (!bytes)
      return send_error(self, "bad_image", "image data is not base64: " + protocol::describe(bytes.error()));
    auto limit = st.hub->settings().limits.max_image_bytes;
    if (bytes->size() > limit)
      return send_error(self, "image_too_large", "the image is " + std::to_string(bytes->size())
                                                   + " bytes; the limit is " + std::to_string(limit));
    auto turn = make_turn(protocol::turn_input::image);
    turn.image.assign(bytes->begin(), bytes->end());
    return submit(self, std::move(turn));
  }
  if (*type == "hello")
    return send_error(self, "bad_frame", "hello must be the first frame, and only once");
  send_error(self, "bad_frame", "unknown frame type '" + type->substr(0, 64) + "'");
}

caf::behavior session(session_actor* self, std::shared_ptr<session_hub> hub,
                      std::weak_ptr<http::frame_sink> sink) {
  self->state.hub = std::move(hub);
  self->state.sink = std::move(sink);
  self->attach_functor([hub = self->state.hub, id = self->id()] { hub->forget(id); });
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  auto event = [self](auto& ev) {
    send_frame(self, protocol::encode(protocol::orchestrator_event{std::move(ev)}));
  };
  return {
    [self](frame_atom, std::string& data, bool is_text) { on_frame(self, std::move(data), is_text); },
    [self](closed_atom) {
      auto& st = self->state;
      if (st.turn_running) {
        st.turn_running = false;
        st.hub->turn_ended();
      }
      if (st.said_hello)
        st.hub->release(st.who.session_id, self->id());
      self->quit();
    },
    [self](superseded_atom) {
      // The running turn finishes in the orchestrator; its events have nowhere to go here.
      send_error(self, "superseded", "this session was resumed on another connection");
      close_connection(self, http::close_code::superseded, "session resumed elsewhere");
    },
    [self](drain_atom) {
      auto& st = self->state;
      st.draining = true;
      st.queue.clear();
      st.undecided.clear();
      if (!st.turn_running)
        close_connection(self, http::close_code::going_away, "server shutting down");
    },
    [event](protocol::thinking_event& e) { event(e); },
    [event](protocol::delegation_event& e) { event(e); },
    [event](protocol::products_event& e) { event(e); },
    [event](protocol::cart_event& e) { event(e); },
    [event](protocol::partial_event& e) { event(e); },
    [event](protocol::final_event& e) { event(e); },
    [self](protocol::notification_event& e) { show_notification(self, e); },
    [event](protocol::error_event& e) { event(e); },
    [event](protocol::comparison_event& e) { event(e); },
    actors::store_continuation_handler(),
  };
}

}  // namespace

caf::actor spawn_session_actor(caf::actor_system& sys, std::shared_ptr<session_hub> hub,
                               std::weak_ptr<http::frame_sink> sink) {
  return sys.spawn(session, std::move(hub), std::move(sink));
}

}  // namespace cartmate::session
