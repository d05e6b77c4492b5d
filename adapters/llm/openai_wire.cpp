// openai_wire.cpp — JSON in and out of the chat-completions format; see the header. nlohmann
// throws only from at()/get() on the wrong type, which the checks below rule out; parse() runs
// without exceptions.
#include "adapters/llm/openai_wire.hpp"

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::llm {

namespace {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

caf::error malformed(const std::string& what) {
  return make_error(errc::agent_error, "malformed model answer: " + what);
}

std::string shortened(std::string_view s, size_t n = 200) {
  if (s.size() <= n)
    return std::string{s};
  return std::string{s.substr(0, n)} + "...";
}

// Arguments arrive as a JSON string; a few servers send the object itself.
std::string arguments_text(const json& args) {
  if (args.is_string())
    return args.get<std::string>();
  if (args.is_null())
    return "{}";
  return args.dump();
}

}  // namespace

caf::expected<std::string> chat_request_body(const std::string& model, const chat_request& req,
                                             bool stream) {
  json body = json::object();
  body["model"] = model;
  json messages = json::array();
  for (const auto& m : req.messages)
    messages.push_back({{"role", m.role}, {"content", m.content}});
  body["messages"] = std::move(messages);
  if (req.temperature)
    body["temperature"] = *req.temperature;
  if (!req.tools_json.empty()) {
    auto tools = json::parse(req.tools_json, nullptr, false);
    if (tools.is_discarded() || !tools.is_array())
      return make_error(errc::invalid_argument, "the tools are not a JSON array");
    body["tools"] = std::move(tools);
    if (!req.tool_choice.empty())
      body["tool_choice"] = req.tool_choice;
  }
  if (stream)
    body["stream"] = true;
  return body.dump();
}

caf::expected<chat_reply> parse_chat_completion(std::string_view body) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded())
    return malformed("not JSON: " + shortened(body));
  if (!doc.is_object())
    return malformed("not a JSON object");
  if (auto err = doc.find("error"); err != doc.end() && !err->is_null())
    return make_error(errc::agent_error, "model error: " + error_summary(body));
  auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty())
    return malformed("no choices");
  const auto& choice = (*choices)[0];
  if (!choice.is_object() || !choice.contains("message") || !choice["message"].is_object())
    return malformed("the first choice has no message");
  const auto& msg = choice["message"];
  chat_reply out;
  if (auto c = msg.find("content"); c != msg.end() && c->is_string())
    out.content = c->get<std::string>();
  if (auto f = choice.find("finish_reason"); f != choice.end() && f->is_string())
    out.finish_reason = f->get<std::string>();
  if (auto calls = msg.find("tool_calls"); calls != msg.end() && !calls->is_null()) {
    if (!calls->is_array())
      return malformed("tool_calls is not an array");
    for (const auto& c : *calls) {
      if (!c.is_object() || !c.contains("function") || !c["function"].is_object())
        return malformed("a tool call without a function");
      const auto& f = c["function"];
      if (!f.contains("name") || !f["name"].is_string())
        return malformed("a tool call without a function name");
      tool_call tc;
      if (c.contains("id") && c["id"].is_string())
        tc.id = c["id"].get<std::string>();
      tc.name = f["name"].get<std::string>();
      tc.arguments = arguments_text(f.contains("arguments") ? f["arguments"] : json{});
      out.tool_calls.push_back(std::move(tc));
    }
  }
  return out;
}

std::string error_summary(std::string_view body) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_object()) {
    auto err = doc.find("error");
    if (err != doc.end()) {
      if (err->is_string())
        return err->get<std::string>();
      if (err->is_object() && err->contains("message") && (*err)["message"].is_string())
        return (*err)["message"].get<std::string>();
    }
  }
  return shortened(body, 120);
}

caf::expected<std::vector<std::string>> chat_stream_decoder::feed(std::string_view bytes) {
  std::vector<std::string> deltas;
  for (const auto& ev : parser_.feed(bytes))
    if (auto err = take(ev, deltas))
      return err;
  return deltas;
}

caf::error chat_stream_decoder::take(const sse_event& ev, std::vector<std::string>& deltas) {
  if (done_)
    return {};   // nothing counts after [DONE]
  if (ev.data == "[DONE]") {
    done_ = true;
    return {};
  }
  auto doc = json::parse(ev.data, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return malformed("a stream event is not a JSON object: " + shortened(ev.data));
  if (auto err = doc.find("error"); err != doc.end() && !err->is_null())
    return make_error(errc::agent_error, "model error in the stream: " + error_summary(ev.data));
  ++chunks_;
  auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty())
    return {};   // e.g. a final usage chunk
  const auto& choice = (*choices)[0];
  if (!choice.is_object())
    return malformed("a stream choice is not an object");
  if (auto f = choice.find("finish_reason"); f != choice.end() && f->is_string())
    reply_.finish_reason = f->get<std::string>();
  auto delta = choice.find("delta");
  if (delta == choice.end() || !delta->is_object())
    return {};
  if (auto c = delta->find("content"); c != delta->end() && c->is_string()) {
    auto piece = c->get<std::string>();
    if (!piece.empty()) {
      reply_.content += piece;
      deltas.push_back(std::move(piece));
    }
  }
  if (auto calls = delta->find("tool_calls"); calls != delta->end() && calls->is_array()) {
    for (const auto& c : *calls) {
      if (!c.is_object())
        return malformed("a streamed tool call is not an object");
      int index = c.contains("index") && c["index"].is_number_integer() ? c["index"].get<int>()
                                                                        : 0;
      auto& tc = tools_[index];
      if (c.contains("id") && c["id"].is_string())
        tc.id = c["id"].get<std::string>();
      if (c.contains("function") && c["function"].is_object()) {
        const auto& f = c["function"];
        if (f.contains("name") && f["name"].is_string())
          tc.name += f["name"].get<std::string>();
        if (f.contains("arguments") && f["arguments"].is_string())
          tc.arguments += f["arguments"].get<std::string>();
      }
    }
  }
  return {};
}

caf::expected<chat_reply> chat_stream_decoder::finish() {
  std::vector<std::string> ignored;
  for (const auto& ev : parser_.finish())
    if (auto err = take(ev, ignored))
      return err;
  if (chunks_ == 0)
    return malformed("the stream held no chunk");
  auto out = reply_;
  for (auto& [index, tc] : tools_) {
    if (tc.name.empty())
      return malformed("a streamed tool call without a function name");
    out.tool_calls.push_back(tc);
  }
  return out;
}

}  // namespace cartmate::llm
