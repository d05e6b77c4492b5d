// errors.cpp — construction and rendering of CartMate's CAF errors.
#include "protocol/errors.hpp"

#include <caf/message.hpp>
#include <caf/sec.hpp>
#include <caf/to_string.hpp>

namespace cartmate::protocol {

caf::error make_error(errc code, std::string detail) {
  if (detail.empty())
    return caf::error{static_cast<uint8_t>(code), error_category};
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(detail))};
}

std::optional<errc> errc_of(const caf::error& err) {
  if (!err || err.category() != error_category)
    return std::nullopt;
  return static_cast<errc>(err.code());
}

bool is_degradation(const caf::error& err) {
  if (!err)
    return false;  // CAF 0.17 dereferences null when asked the category of an empty error
  if (auto code = errc_of(err)) {
    switch (*code) {
      case errc::timeout:
      case errc::unavailable:
      case errc::breaker_open:
      case errc::agent_error:
        return true;
      default:
        return false;
    }
  }
  if (err.category() == caf::atom("system")) {
    auto code = static_cast<caf::sec>(err.code());
    return code == caf::sec::request_timeout || code == caf::sec::request_receiver_down
           || code == caf::sec::runtime_error || code == caf::sec::remote_linking_failed
           || code == caf::sec::no_route_to_receiving_node
           || code == caf::sec::connection_timeout || code == caf::sec::cannot_connect_to_node;
  }
  return false;
}

std::string_view to_string(errc code) {
  switch (code) {
    case errc::timeout: return "timeout";
    case errc::unavailable: return "unavailable";
    case errc::breaker_open: return "breaker_open";
    case errc::agent_error: return "agent_error";
    case errc::invalid_argument: return "invalid_argument";
    case errc::not_found: return "not_found";
    case errc::out_of_stock: return "out_of_stock";
    case errc::conflict: return "conflict";
    case errc::unsupported: return "unsupported";
  }
  return "unknown";
}

std::string describe(const caf::error& err) {
  if (!err)
    return "none";
  if (auto code = errc_of(err)) {
    std::string out{to_string(*code)};
    const auto& ctx = err.context();
    if (ctx.match_elements<std::string>())
      out += ": " + ctx.get_as<std::string>(0);
    return out;
  }
  return caf::to_string(err);
}

}  // namespace cartmate::protocol
