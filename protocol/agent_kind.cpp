// agent_kind.cpp — names of agent kinds as they appear in configuration and logs.
#include "protocol/agent_kind.hpp"

namespace cartmate::protocol {

std::string_view to_string(agent_kind kind) {
  switch (kind) {
    case agent_kind::orchestrator: return "orchestrator";
    case agent_kind::style_profiler: return "style_profiler";
    case agent_kind::product_discovery: return "product_discovery";
    case agent_kind::cart: return "cart";
    case agent_kind::price_comparison: return "price_comparison";
    case agent_kind::alerts: return "alerts";
  }
  return "unknown";
}

std::optional<agent_kind> agent_kind_from_string(std::string_view name) {
  for (auto kind : all_agent_kinds)
    if (to_string(kind) == name)
      return kind;
  return std::nullopt;
}

}  // namespace cartmate::protocol
