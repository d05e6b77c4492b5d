// send_queue_test.cpp — the per-connection send queue holds at most its limit, so a client
// that stops reading cannot grow the server's memory; it drains in order.
// Threading: single-threaded tests.
#include "adapters/http/send_queue.hpp"

#include <gtest/gtest.h>

namespace cartmate::http {
namespace {

TEST(send_queue, refuses_frames_beyond_the_limit) {
  send_queue q{3};
  EXPECT_TRUE(q.push("a"));
  EXPECT_TRUE(q.push("bb"));
  EXPECT_TRUE(q.push("ccc"));
  EXPECT_FALSE(q.push("dddd"));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.bytes(), 6u);
}

TEST(send_queue, drains_in_order_and_makes_room_again) {
  send_queue q{2};
  ASSERT_TRUE(q.push("first"));
  ASSERT_TRUE(q.push("second"));
  EXPECT_EQ(q.front(), "first");
  q.pop();
  EXPECT_TRUE(q.push("third"));
  EXPECT_EQ(q.front(), "second");
  q.pop();
  EXPECT_EQ(q.front(), "third");
  q.pop();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(send_queue, clear_empties_and_a_zero_limit_still_holds_one) {
  send_queue q{0};
  EXPECT_EQ(q.limit(), 1u);
  EXPECT_TRUE(q.push("x"));
  EXPECT_FALSE(q.push("y"));
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.push("z"));
}

}  // namespace
}  // namespace cartmate::http
