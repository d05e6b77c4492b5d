// pricing_settings.cpp — the `pricing` section, leniently defaulted; see the header.
#include "adapters/pricing/pricing_settings.hpp"

#include <nlohmann/json.hpp>

#include "config/section_reader.hpp"

namespace cartmate::pricing {

using nlohmann::json;

caf::expected<pricing_settings> read_pricing_settings(const json& settings) {
  pricing_settings out;
  config::section_reader section{settings, "pricing"};
  int64_t ttl = out.cache_ttl.count();
  int64_t budget = out.answer_budget.count();
  int64_t timeout = out.fetch_timeout.count();
  int64_t body = static_cast<int64_t>(out.max_body_bytes);
  for (auto err : {section.text("retailers_file", out.retailers_file),
                   section.text("offers_file", out.offers_file),
                   section.integer_at_least("cache_ttl_ms", 0, ttl),
                   section.integer_at_least("answer_budget_ms", 1, budget),
                   section.integer_at_least("fetch_timeout_ms", 1, timeout),
                   section.integer_at_least("max_body_bytes", 1, body)})
    if (err)
      return err;
  out.cache_ttl = std::chrono::milliseconds{ttl};
  out.answer_budget = std::chrono::milliseconds{budget};
  out.fetch_timeout = std::chrono::milliseconds{timeout};
  out.max_body_bytes = static_cast<size_t>(body);
  return out;
}

}  // namespace cartmate::pricing
