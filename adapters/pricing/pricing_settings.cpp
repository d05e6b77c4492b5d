// pricing_settings.cpp — the `pricing` section, leniently defaulted; see the header.
#include "adapters/pricing/pricing_settings.hpp"

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::pricing {

namespace {

using nlohmann::json;
using protocol::errc;
using protocol::make_error;

caf::error read_string(const json& section, const char* key, std::string& out) {
  auto it = section.find(key);
  if (it == section.end())
    return {};
  if (!it->is_string())
    return make_error(errc::invalid_argument, std::string{"pricing."} + key + " must be a string");
  out = it->get<std::string>();
  return {};
}

caf::error read_positive(const json& section, const char* key, int64_t& out, bool zero_ok) {
  auto it = section.find(key);
  if (it == section.end())
    return {};
  if (!it->is_number_integer() || it->get<int64_t>() < (zero_ok ? 0 : 1))
    return make_error(errc::invalid_argument, std::string{"pricing."} + key + " must be an integer "
                                                + (zero_ok ? "of 0 or more" : "of 1 or more"));
  out = it->get<int64_t>();
  return {};
}

}  // namespace

caf::expected<pricing_settings> read_pricing_settings(const json& settings) {
  pricing_settings out;
  if (!settings.is_object())
    return out;
  auto section = settings.find("pricing");
  if (section == settings.end())
    return out;
  if (!section->is_object())
    return make_error(errc::invalid_argument, "pricing must be a section (an object)");
  int64_t ttl = out.cache_ttl.count();
  int64_t budget = out.answer_budget.count();
  int64_t timeout = out.fetch_timeout.count();
  int64_t body = static_cast<int64_t>(out.max_body_bytes);
  for (auto err : {read_string(*section, "retailers_file", out.retailers_file),
                   read_string(*section, "offers_file", out.offers_file),
                   read_positive(*section, "cache_ttl_ms", ttl, true),
                   read_positive(*section, "answer_budget_ms", budget, false),
                   read_positive(*section, "fetch_timeout_ms", timeout, false),
                   read_positive(*section, "max_body_bytes", body, false)})
    if (err)
      return err;
  out.cache_ttl = std::chrono::milliseconds{ttl};
  out.answer_budget = std::chrono::milliseconds{budget};
  out.fetch_timeout = std::chrono::milliseconds{timeout};
  out.max_body_bytes = static_cast<size_t>(body);
  return out;
}

}  // namespace cartmate::pricing
