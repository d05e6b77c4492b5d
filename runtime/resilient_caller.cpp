// resilient_caller.cpp — the non-template parts of the resilient request.
#include "runtime/resilient_caller.hpp"

#include <caf/to_string.hpp>

namespace cartmate::runtime {

caf::error classify_attempt_error(const caf::error& err) {
  if (!err || err.category() != caf::atom("system"))
    return err;
  switch (static_cast<caf::sec>(err.code())) {
    case caf::sec::request_timeout:
      return protocol::make_error(protocol::errc::timeout, "agent did not answer in time");
    case caf::sec::request_receiver_down:
    case caf::sec::no_route_to_receiving_node:
    case caf::sec::connection_timeout:
    case caf::sec::cannot_connect_to_node:
      return protocol::make_error(protocol::errc::unavailable, caf::to_string(err));
    default:
      return protocol::make_error(protocol::errc::agent_error, caf::to_string(err));
  }
}

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void resilient_caller::on_down(caf::down_msg& msg) {
  monitored_.erase(msg.source);
  // Failing an attempt may start a retry that tracks new entries: take ours out first.
  std::vector<in_flight_entry> failed;
  for (size_t i = 0; i < in_flight_.size();) {
    if (in_flight_[i].target == msg.source) {
      failed.push_back(std::move(in_flight_[i]));
      in_flight_[i] = std::move(in_flight_.back());
      in_flight_.pop_back();
    } else {
      ++i;
    }
  }
  for (auto& entry : failed)
    entry.call->target_down(entry.token);
  if (other_down_)
    other_down_(msg);
}

}  // namespace cartmate::runtime
