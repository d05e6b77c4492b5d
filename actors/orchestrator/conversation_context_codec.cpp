// conversation_context_codec.cpp — the context's JSON layout; products and filters reuse the
// protocol's codecs so the blob and the wire agree on their shapes.
#include "actors/orchestrator/conversation_context_codec.hpp"

#include <cstdint>
#include <limits>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"
#include "protocol/json_codec.hpp"

namespace cartmate::orchestrator {

namespace {

using nlohmann::json;

const char* kind_name(list_kind k) {
  switch (k) {
    case list_kind::none: return "none";
    case list_kind::search_results: return "search_results";
    case list_kind::cart: return "cart";
  }
  return "none";
}

json encode_stored(const protocol::product& p) {
  auto out = protocol::encode(p);
  out["description"] = "";
  return out;
}

json encode_products(const std::vector<protocol::product>& xs) {
  auto out = json::array();
  for (const auto& p : xs)
    out.push_back(encode_stored(p));
  return out;
}

/// Reads fields of one JSON object; the first problem wins and every later read fails.
class reader {
 public:
  const std::string& problem() const { return problem_; }

  bool fail(const std::string& at, const std::string& what) {
    if (problem_.empty())
      problem_ = "field '" + at + "': " + what;
    return false;
  }

  const json* find(const json& obj, const char* name, const std::string& at) {
    if (!problem_.empty())
      return nullptr;
    auto i = obj.find(name);
    if (i == obj.end()) {
      fail(at, "missing");
      return nullptr;
    }
    return &*i;
  }

  bool string(const json& obj, const char* name, std::string& out) {
    auto* j = find(obj, name, name);
    if (j == nullptr)
      return false;
    if (!j->is_string())
      return fail(name, std::string{"expected string, got "} + j->type_name());
    out = j->get<std::string>();
    return true;
  }

  template <class UInt>
  bool unsigned_int(const json& obj, const char* name, UInt& out,
                    const std::string& at_prefix = {}) {
    auto at = at_prefix + name;
    auto* j = find(obj, name, at);
    if (j == nullptr)
      return false;
    if (!j->is_number_unsigned())
      return fail(at, std::string{"expected unsigned integer, got "} + j->type_name());
    auto v = j->get<uint64_t>();
    if (v > std::numeric_limits<UInt>::max())
      return fail(at, "out of range");
    out = static_cast<UInt>(v);
    return true;
  }

  bool boolean(const json& obj, const char* name, bool& out, const std::string& at_prefix) {
    auto at = at_prefix + name;
    auto* j = find(obj, name, at);
    if (j == nullptr)
      return false;
    if (!j->is_boolean())
      return fail(at, std::string{"expected boolean, got "} + j->type_name());
    out = j->get<bool>();
    return true;
  }

  bool product(const json& j, const std::string& at, protocol::product& out) {
    if (!problem_.empty())
      return false;
    auto p = protocol::decode_product(j);
    if (!p)
      return fail(at, protocol::describe(p.error()));
    out = std::move(*p);
    return true;
  }

  bool products(const json& obj, const char* name, std::vector<protocol::product>& out) {
    auto* j = find(obj, name, name);
    if (j == nullptr)
      return false;
    if (!j->is_array())
      return fail(name, std::string{"expected array, got "} + j->type_name());
    out.clear();
    out.reserve(j->size());
    for (size_t i = 0; i < j->size(); ++i) {
      protocol::product p;
      if (!product((*j)[i], std::string{name} + "[" + std::to_string(i) + "]", p))
        return false;
      out.push_back(std::move(p));
    }
    return true;
  }

 private:
  std::string problem_;
};

bool read_kind(reader& r, const json& obj, list_kind& out) {
  std::string name;
  if (!r.string(obj, "shown_kind", name))
    return false;
  for (auto k : {list_kind::none, list_kind::search_results, list_kind::cart})
    if (name == kind_name(k)) {
      out = k;
      return true;
    }
  return r.fail("shown_kind", "unknown list kind '" + name + "'");
}

bool read_search(reader& r, const json& obj, search_state& out) {
  auto* s = r.find(obj, "search", "search");
  if (s == nullptr)
    return false;
  if (!s->is_object())
    return r.fail("search", std::string{"expected object, got "} + s->type_name());
  if (!r.boolean(*s, "active", out.active, "search.")
      || !r.unsigned_int(*s, "offset", out.offset, "search.")
      || !r.unsigned_int(*s, "total", out.total, "search."))
    return false;
  auto* q = r.find(*s, "query", "search.query");
  if (q == nullptr)
    return false;
  if (!q->is_string())
    return r.fail("search.query", std::string{"expected string, got "} + q->type_name());
  out.query = q->get<std::string>();
  auto* f = r.find(*s, "filters", "search.filters");
  if (f == nullptr)
    return false;
  auto filters = protocol::decode_search_filters(*f);
  if (!filters)
    return r.fail("search.filters", protocol::describe(filters.error()));
  out.filters = std::move(*filters);
  return true;
}

bool read_seen(reader& r, const json& obj, conversation_context& ctx) {
  std::vector<protocol::product> seen;
  if (!r.products(obj, "seen", seen))
    return false;
  // Only the newest max_seen are kept, as remember_products would have done.
  size_t skip = seen.size() > max_seen ? seen.size() - max_seen : 0;
  for (size_t i = skip; i < seen.size(); ++i) {
    auto& p = seen[i];
    if (p.id.empty())
      return r.fail("seen[" + std::to_string(i) + "].id", "empty");
    auto id = p.id;
    if (!ctx.seen.emplace(id, std::move(p)).second)
      return r.fail("seen[" + std::to_string(i) + "].id", "'" + id + "' occurs twice");
    ctx.seen_order.push_back(std::move(id));
  }
  return true;
}

}  // namespace

std::string encode_context(const conversation_context& ctx) {
  json seen = json::array();
  for (const auto& id : ctx.seen_order)
    if (auto i = ctx.seen.find(id); i != ctx.seen.end())
      seen.push_back(encode_stored(i->second));
  json out{{"v", context_format_version},
           {"turns", ctx.turns},
           {"last_turn_id", ctx.last_turn_id},
           {"currency", ctx.currency},
           {"shown_kind", kind_name(ctx.shown_kind)},
           {"shown", encode_products(ctx.shown)},
           {"focused", ctx.focused ? encode_stored(*ctx.focused) : json(nullptr)},
           {"search",
            json{{"active", ctx.search.active},
                 {"query", ctx.search.query},
                 {"filters", protocol::encode(ctx.search.filters)},
                 {"offset", ctx.search.offset},
                 {"total", ctx.search.total}}},
           {"pending_checkout_id", ctx.pending_checkout_id},
           {"confirm_uncertain", ctx.confirm_uncertain},
           {"seen", std::move(seen)}};
  return protocol::dump_json(out);
}

caf::expected<conversation_context> decode_context(std::string_view blob) {
  auto parsed = protocol::parse_json(blob);
  if (!parsed)
    return protocol::make_error(protocol::errc::invalid_argument,
                                "session context: " + protocol::describe(parsed.error()));
  const auto& j = *parsed;
  auto refuse = [](const std::string& why) {
    return protocol::make_error(protocol::errc::invalid_argument, "session context: " + why);
  };
  if (!j.is_object())
    return refuse(std::string{"expected an object, got "} + j.type_name());
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_unsigned()
      || v->get<uint64_t>() != static_cast<uint64_t>(context_format_version))
    return refuse("unknown format version " + (v == j.end() ? std::string{"(none)"} : v->dump()));
  conversation_context ctx;
  reader r;
  bool ok = r.unsigned_int(j, "turns", ctx.turns) && r.unsigned_int(j, "last_turn_id", ctx.last_turn_id)
            && r.string(j, "currency", ctx.currency) && read_kind(r, j, ctx.shown_kind)
            && r.products(j, "shown", ctx.shown) && read_search(r, j, ctx.search)
            && r.string(j, "pending_checkout_id", ctx.pending_checkout_id) && read_seen(r, j, ctx);
  if (ok) {
    // Absent in contexts stored before it existed: nothing uncertain then.
    if (auto u = j.find("confirm_uncertain"); u != j.end() && u->is_boolean())
      ctx.confirm_uncertain = u->get<bool>();
    if (auto* f = r.find(j, "focused", "focused"); f != nullptr && !f->is_null()) {
      protocol::product p;
      if (r.product(*f, "focused", p))
        ctx.focused = std::move(p);
    }
  }
  if (!r.problem().empty())
    return refuse(r.problem());
  return ctx;
}

}  // namespace cartmate::orchestrator
