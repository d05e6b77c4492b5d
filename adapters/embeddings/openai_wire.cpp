// openai_wire.cpp — building and checking /embeddings bodies; see the header.
#include "adapters/embeddings/openai_wire.hpp"

#include <cmath>
#include <ctime>

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::embeddings {

namespace {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

constexpr size_t quoted_body_bytes = 200;

caf::error malformed(const std::string& why) {
  return make_error(errc::agent_error, "malformed embeddings answer: " + why);
}

}  // namespace

std::string embeddings_request_body(const std::string& model,
                                    const std::vector<std::string>& texts) {
  json body;
  body["model"] = model;
  body["input"] = texts;
  body["encoding_format"] = "float";
  // Invalid UTF-8 in a product text must not make the whole batch unsendable.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

caf::expected<std::vector<std::vector<float>>>
parse_embeddings_response(std::string_view body, size_t count, size_t dim) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded())
    return malformed("not JSON: " + std::string{body.substr(0, quoted_body_bytes)});
  if (!doc.is_object())
    return malformed("not a JSON object");
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_array())
    return malformed("no \"data\" array");
  if (data->size() != count)
    return malformed(std::to_string(data->size()) + " vectors for " + std::to_string(count)
                     + " inputs");
  std::vector<std::vector<float>> out(count);
  std::vector<bool> seen(count, false);
  size_t want = dim;
  for (size_t pos = 0; pos < data->size(); ++pos) {
    const auto& item = (*data)[pos];
    if (!item.is_object())
      return malformed("data[" + std::to_string(pos) + "] is not an object");
    size_t index = pos;
    if (auto it = item.find("index"); it != item.end()) {
      if (!it->is_number_unsigned() || it->get<size_t>() >= count)
        return malformed("data[" + std::to_string(pos) + "].index is not within 0.."
                         + std::to_string(count - 1));
      index = it->get<size_t>();
    }
    if (seen[index])
      return malformed("index " + std::to_string(index) + " appears twice");
    seen[index] = true;
    auto emb = item.find("embedding");
    if (emb == item.end() || !emb->is_array() || emb->empty())
      return malformed("data[" + std::to_string(pos) + "] has no \"embedding\" array "
                       "(base64 answers are not read; the request asks for floats)");
    if (want == 0)
      want = emb->size();
    if (emb->size() != want)
      return make_error(errc::conflict,
                        "the model answered a " + std::to_string(emb->size())
                          + "-dimensional vector where " + std::to_string(want)
                          + " dimensions are expected"
                          + (dim != 0 ? " (embeddings.dimensions)" : " (the first vector's)")
                          + "; check embeddings.model and embeddings.dimensions");
    auto& v = out[index];
    v.reserve(want);
    for (const auto& x : *emb) {
      if (!x.is_number() || !std::isfinite(x.get<double>()))
        return malformed("data[" + std::to_string(pos) + "].embedding holds a non-number");
      v.push_back(x.get<float>());
    }
  }
  return out;
}

std::string error_message_of(std::string_view body) {
  auto doc = json::parse(body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object()) {
    auto err = doc.find("error");
    if (err != doc.end()) {
      if (err->is_string())
        return err->get<std::string>();
      if (err->is_object()) {
        auto msg = err->find("message");
        if (msg != err->end() && msg->is_string())
          return msg->get<std::string>();
      }
    }
  }
  return std::string{body.substr(0, quoted_body_bytes)};
}

}  // namespace cartmate::embeddings
