// retry_after.cpp — Retry-After values: seconds or an IMF-fixdate.
#include "adapters/http/retry_after.hpp"

#include <cstdlib>
#include <ctime>
#include <string>

namespace cartmate::http {

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  using std::chrono::milliseconds;
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ')
    value.remove_suffix(1);
  if (value.empty())
    return std::nullopt;
  std::string text{value};
  if (value.find_first_not_of("0123456789.") == std::string_view::npos) {
    char* end = nullptr;
    double seconds = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(seconds >= 0.0) || seconds > 86400.0)
      return std::nullopt;
    return milliseconds{static_cast<int64_t>(seconds * 1000.0 + 0.5)};
  }
  std::tm tm{};
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr)
    return std::nullopt;
  auto wait = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::from_time_t(timegm(&tm))
                                                       - now);
  if (wait > std::chrono::hours{24})
    return std::nullopt;
  return wait.count() > 0 ? wait : milliseconds{0};
}

}  // namespace cartmate::http
