// retry_after_test.cpp — Retry-After values: seconds (whole or fractional), HTTP-dates relative to
// now, and what is refused.
#include "adapters/http/retry_after.hpp"

#include <gtest/gtest.h>

namespace cartmate::http {
namespace {

using std::chrono::milliseconds;

TEST(retry_after, seconds_whole_or_fractional) {
  EXPECT_EQ(parse_retry_after("2"), milliseconds{2000});
  EXPECT_EQ(parse_retry_after(" 0 "), milliseconds{0});
  EXPECT_EQ(parse_retry_after("0.25"), milliseconds{250});
}

TEST(retry_after, dates_count_from_now_and_past_ones_mean_now) {
  auto now = std::chrono::system_clock::from_time_t(1445412470);   // 2015-10-21 07:27:50 UTC
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), milliseconds{10000});
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), milliseconds{0});
}

TEST(retry_after, garbage_negative_and_absurd_values_are_refused) {
  auto now = std::chrono::system_clock::from_time_t(1445412470);
  EXPECT_FALSE(parse_retry_after(""));
  EXPECT_FALSE(parse_retry_after("soon"));
  EXPECT_FALSE(parse_retry_after("-1"));
  EXPECT_FALSE(parse_retry_after("1.2.3"));
  EXPECT_FALSE(parse_retry_after("999999"));                                  // over a day
  EXPECT_FALSE(parse_retry_after("Thu, 22 Oct 2015 08:00:00 GMT", now));      // over a day ahead
}

}  // namespace
}  // namespace cartmate::http
