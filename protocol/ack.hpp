// ack.hpp — the answer to a request whose only result is "done".
#pragma once

#include <string>

#include <caf/meta/type_name.hpp>

namespace cartmate::protocol {

struct ack {
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ack& x) {
  return f(caf::meta::type_name("ack"), x.detail);
}

}  // namespace cartmate::protocol
