// retry_after.hpp — how long an HTTP Retry-After header asks a client to wait (RFC 9110 10.2.3):
// delay-seconds ("2"; a fraction such as "0.5" is accepted too, as some model servers send it)
// or an HTTP-date. Pure function; shared by every client that honours 429 and 503 answers.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace cartmate::http {

/// The wait `value` asks for, relative to `now` for a date (a past date: zero); nothing when the
/// value is empty, negative, longer than a day or unreadable.
std::optional<std::chrono::milliseconds>
parse_retry_after(std::string_view value,
                  std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace cartmate::http
