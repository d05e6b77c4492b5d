// history_script.cpp — one ordered JSON object per line, keys in the order a reader expects
// (what the user did, then what must hold), checked against the parser's own name lists so the
// output always parses.
#include "actors/replay/history_script.hpp"

#include <ctime>

#include <nlohmann/json.hpp>

#include "actors/replay/replay_script.hpp"
#include "adapters/nlu/language_understanding.hpp"
#include "protocol/agent_kind.hpp"
#include "protocol/errors.hpp"

namespace cartmate::replay {

namespace {

using json = nlohmann::ordered_json;
using protocol::errc;
using protocol::make_error;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// "2024-05-01T10:15:30Z" for Unix milliseconds.
std::string utc_time(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// Splits `names` into those `known` accepts and the rest.
template <class Known>
std::vector<std::string> keep_known(const std::vector<std::string>& names, Known known,
                                    std::vector<std::string>& dropped) {
  std::vector<std::string> out;
  for (const auto& n : names)
    (known(n) ? out : dropped).push_back(n);
  return out;
}

json expectations_of(const stores::turn_record& t, std::vector<std::string>& dropped) {
  json expect = json::object();
  auto intents = keep_known(
    t.intents, [](const std::string& n) { return nlu::intent_from_string(n).has_value(); },
    dropped);
  if (!intents.empty())
    expect["intents"] = intents;
  auto agents = keep_known(
    t.agents, [](const std::string& n) { return protocol::agent_kind_from_string(n).has_value(); },
    dropped);
  if (!agents.empty())
    expect["agents"] = agents;
  if (!t.product_ids.empty())
    expect["products"] = json{{"min", t.product_ids.size()}};
  if (t.cart_items && *t.cart_items >= 0)
    expect["cart"] = json{{"items", *t.cart_items}};
  if (t.confirmation_asked)
    expect["confirmation_asked"] = true;
  if (!t.order_id.empty())
    expect["order_placed"] = true;
  expect["degraded"] = t.degraded;
  return expect;
}

std::string note_of(const stores::turn_record& t, const std::vector<std::string>& dropped,
                    size_t reply_chars) {
  std::string note = "turn " + std::to_string(t.seq) + " at " + utc_time(t.at_ms) + ", "
                     + std::to_string(t.latency_us / 1000) + " ms";
  if (t.degraded && !t.degraded_reasons.empty()) {
    note += ", degraded:";
    for (const auto& r : t.degraded_reasons)
      note += " " + r + ";";
    note.pop_back();
  }
  if (!t.order_id.empty())
    note += ", order " + t.order_id;
  if (!dropped.empty()) {
    note += ", not checked (unknown names):";
    for (const auto& d : dropped)
      note += " " + d;
  }
  if (reply_chars > 0 && !t.reply.empty()) {
    auto reply = t.reply.substr(0, reply_chars);
    // Never end inside a UTF-8 sequence: drop continuation bytes and their lead byte.
    if (reply.size() < t.reply.size()) {
      while (!reply.empty() && (static_cast<unsigned char>(reply.back()) & 0xC0) == 0x80)
        reply.pop_back();
      if (!reply.empty() && (static_cast<unsigned char>(reply.back()) & 0x80) != 0)
        reply.pop_back();
      reply += "...";
    }
    note += "; reply: " + reply;
  }
  return note;
}

/// Why the turn cannot be replayed, or "".
std::string unreplayable(const stores::turn_record& t) {
  using protocol::turn_input;
  if (t.input == turn_input::image)
    return "an image upload";
  if (t.input == turn_input::message && t.user_text.empty())
    return "a message without text";
  bool rates = t.input == turn_input::like || t.input == turn_input::dislike;
  if (rates && t.product_ref.empty() && t.user_text.empty())
    return "a rating without a product";
  return {};
}

/// One comment line: line breaks would end the comment early.
std::string comment(std::string text) {
  for (auto& ch : text)
    if (ch == '\n' || ch == '\r')
      ch = ' ';
  return "# " + text + "\n";
}

}  // namespace

caf::expected<std::string> history_to_script(const std::vector<stores::turn_record>& turns,
                                             const history_script_options& options) {
  if (turns.empty())
    return make_error(errc::invalid_argument, "no turns recorded for this session");
  const auto& first = turns.front();
  for (const auto& t : turns)
    if (t.tenant != first.tenant || t.session_id != first.session_id)
      return make_error(errc::invalid_argument,
                        "the turns belong to more than one session (" + first.session_id
                          + ", " + t.session_id + ")");
  json header;
  header["conversation"] = options.conversation.empty() ? "history-" + first.session_id
                                                        : options.conversation;
  header["tenant"] = first.tenant;
  header["user"] = first.user;
  header["description"] = "recorded session " + first.session_id + ": "
                          + std::to_string(turns.size()) + " turns from "
                          + utc_time(first.at_ms);
  std::string out = dump(header) + "\n";
  size_t replayable = 0;
  for (const auto& t : turns) {
    if (auto why = unreplayable(t); !why.empty()) {
      out += comment("turn " + std::to_string(t.seq) + " was " + why + " and is not replayed: "
                     + t.user_text);
      continue;
    }
    json line;
    if (!t.user_text.empty())
      line["user"] = t.user_text;
    if (t.input != protocol::turn_input::message)
      line["input"] = std::string{to_string(t.input)};
    if (!t.product_ref.empty()
        && (t.input == protocol::turn_input::like || t.input == protocol::turn_input::dislike))
      line["ref"] = t.product_ref;
    std::vector<std::string> dropped;
    line["expect"] = expectations_of(t, dropped);
    line["note"] = note_of(t, dropped, options.reply_in_note);
    out += dump(line) + "\n";
    ++replayable;
  }
  if (replayable == 0)
    return make_error(errc::invalid_argument,
                      "session " + first.session_id + " has no turn that can be replayed");
  return out;
}

}  // namespace cartmate::replay
