// metrics_registry_test.cpp — counters, gauges, histogram quantiles and Prometheus rendering.
// Threading: the concurrency tests start plain std::threads against one registry.
#include "runtime/metrics_registry.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace cartmate::runtime {
namespace {

constexpr int thread_count = 8;

// Runs fn(t) on thread_count threads released together, so that their updates overlap.
template <class Fn>
void run_threads(Fn fn) {
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t)
    threads.emplace_back([&, t] {
      while (!go.load())
        std::this_thread::yield();
      fn(t);
    });
  go = true;
  for (auto& th : threads)
    th.join();
}

// Exact nearest-rank quantile of `sorted`, the definition histogram::quantile approximates.
double exact_quantile(const std::vector<double>& sorted, double q) {
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

TEST(metrics_registry, concurrent_counter_increments_sum_up) {
  metrics_registry reg;
  constexpr uint64_t per_thread = 100000;
  run_threads([&](int t) {
    // Half the threads look the counter up themselves: they must all get the same object.
    auto& c = reg.counter_for("cartmate_requests_total", "Requests.", {{"agent", "cart"}});
    for (uint64_t i = 0; i < per_thread; ++i)
      c.inc(t % 2 == 0 ? 1 : 2);
  });
  auto expected = per_thread * (thread_count / 2) * 1 + per_thread * (thread_count / 2) * 2;
  EXPECT_EQ(reg.counter_value("cartmate_requests_total", {{"agent", "cart"}}), expected);
}

TEST(metrics_registry, concurrent_gauge_adds_are_not_lost) {
  metrics_registry reg;
  auto& g = reg.gauge_for("cartmate_sessions", "Open sessions.");
  constexpr int per_thread = 200000;
  run_threads([&](int) {
    for (int i = 0; i < per_thread; ++i) {
      g.add(1.0);
      if (i % 2 == 0)
        g.sub(0.5); // halves and integers below 2^53: every partial sum is exact
    }
  });
  EXPECT_EQ(g.value(), thread_count * (per_thread - per_thread / 2 * 0.5));
}

TEST(metrics_registry, concurrent_histogram_observations_are_not_lost) {
  metrics_registry reg;
  auto& h = reg.histogram_for("cartmate_turn_seconds", "Turn latency.");
  constexpr int per_thread = 100000;
  run_threads([&](int t) {
    for (int i = 0; i < per_thread; ++i)
      h.observe(t % 2 == 0 ? 0.5 : 2.0); // exactly representable: the sum is exact in any order
  });
  EXPECT_EQ(h.count(), uint64_t{thread_count} * per_thread);
  EXPECT_EQ(h.sum(), thread_count / 2 * per_thread * 2.5);
  // Half the observations are 0.5, half 2.0: the median is in 0.5's bucket, p95 in 2.0's.
  EXPECT_NEAR(h.quantile(0.5), 0.5, 0.5 * histogram::max_relative_error);
  EXPECT_NEAR(h.quantile(0.95), 2.0, 2.0 * histogram::max_relative_error);
}

TEST(metrics_registry, same_name_and_labels_give_the_same_object_whatever_the_label_order) {
  metrics_registry reg;
  auto& a = reg.counter_for("x_total", "X.", {{"a", "1"}, {"b", "2"}});
  auto& b = reg.counter_for("x_total", "other help is ignored", {{"b", "2"}, {"a", "1"}});
  auto& other = reg.counter_for("x_total", "X.", {{"a", "1"}, {"b", "3"}});
  auto& unlabelled = reg.counter_for("x_total", "X.");
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
  EXPECT_NE(&a, &unlabelled);
  a.inc(5);
  EXPECT_EQ(reg.counter_value("x_total", {{"b", "2"}, {"a", "1"}}), 5u);
  EXPECT_EQ(reg.counter_value("x_total", {{"a", "1"}, {"b", "3"}}), 0u);
  EXPECT_EQ(reg.counter_value("absent_total"), 0u);
  auto& h = reg.histogram_for("h", "H.");
  EXPECT_EQ(reg.find_histogram("h"), &h);
  EXPECT_EQ(reg.find_histogram("x_total"), nullptr);
}

TEST(metrics_registry, programming_errors_throw_at_registration) {
  metrics_registry reg;
  reg.counter_for("cartmate_x_total", "X.");
  EXPECT_THROW(reg.gauge_for("cartmate_x_total", "X."), std::logic_error);
  EXPECT_THROW(reg.histogram_for("cartmate_x_total", "X."), std::logic_error);
  EXPECT_THROW(reg.counter_for("", "X."), std::logic_error);
  EXPECT_THROW(reg.counter_for("9lives", "X."), std::logic_error);
  EXPECT_THROW(reg.counter_for("has-dash", "X."), std::logic_error);
  EXPECT_THROW(reg.counter_for("ok_total", "X.", {{"bad-label", "v"}}), std::logic_error);
  EXPECT_THROW(reg.counter_for("ok_total", "X.", {{"__reserved", "v"}}), std::logic_error);
  EXPECT_THROW(reg.counter_for("ok_total", "X.", {{"a", "1"}, {"a", "2"}}), std::logic_error);
  EXPECT_THROW(reg.histogram_for("lat_seconds", "L.", {{"quantile", "x"}}), std::logic_error);
  reg.histogram_for("lat_seconds", "L.");
  EXPECT_THROW(reg.counter_for("lat_seconds_count", "C."), std::logic_error);
  EXPECT_THROW(reg.gauge_for("lat_seconds_sum", "S."), std::logic_error);
  reg.gauge_for("queue_count", "Q.");
  EXPECT_THROW(reg.histogram_for("queue", "Q."), std::logic_error);
  // Failed registrations leave nothing behind.
  EXPECT_EQ(reg.render_prometheus().find("ok_total"), std::string::npos);
  // Valid names with colons and underscores are fine.
  EXPECT_NO_THROW(reg.counter_for("cartmate:rule_total", "R.", {{"_private", "v"}}));
}

TEST(histogram, quantiles_of_a_uniform_grid_are_within_the_documented_error) {
  histogram h;
  std::vector<double> values;
  for (int i = 1; i <= 10000; ++i)
    values.push_back(i * 0.001); // 1 ms .. 10 s
  for (auto v : values)
    h.observe(v);
  for (double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    auto exact = exact_quantile(values, q);
    EXPECT_LE(std::abs(h.quantile(q) - exact) / exact, histogram::max_relative_error)
      << "q=" << q << " exact=" << exact << " got=" << h.quantile(q);
  }
}

TEST(histogram, quantiles_of_a_lognormal_sample_are_within_the_documented_error) {
  std::mt19937_64 rng{42};
  std::lognormal_distribution<double> dist{-3.0, 1.5}; // latencies around 50 ms, long tail
  histogram h;
  std::vector<double> values;
  for (int i = 0; i < 50000; ++i) {
    values.push_back(dist(rng));
    h.observe(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.001, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    auto exact = exact_quantile(values, q);
    EXPECT_LE(std::abs(h.quantile(q) - exact) / exact, histogram::max_relative_error)
      << "q=" << q << " exact=" << exact << " got=" << h.quantile(q);
  }
  double total = 0;
  for (auto v : values)
    total += v;
  EXPECT_NEAR(h.sum(), total, total * 1e-9);
}

TEST(histogram, empty_out_of_range_and_nan_observations) {
  histogram h;
  EXPECT_TRUE(std::isnan(h.quantile(0.5)));
  h.observe(std::nan(""));
  EXPECT_EQ(h.count(), 0u);
  EXPECT_TRUE(std::isnan(h.quantile(0.5)));
  h.observe(0.0);
  h.observe(-1.0);
  h.observe(1e15);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.quantile(0.0), 0.0);
  EXPECT_EQ(h.quantile(0.5), 0.0);
  EXPECT_EQ(h.quantile(1.0), std::ldexp(1.0, histogram::max_exponent));
  EXPECT_DOUBLE_EQ(h.sum(), 1e15 - 1.0);
}

TEST(metrics_registry, renders_each_metric_type_in_prometheus_text_format) {
  metrics_registry reg;
  reg.counter_for("cartmate_requests_total", "Requests handled.", {{"agent", "cart"}}).inc(3);
  reg.counter_for("cartmate_requests_total", "Requests handled.", {{"agent", "alert"}}).inc();
  reg.gauge_for("cartmate_sessions", "Open sessions.").set(2.5);
  auto& h = reg.histogram_for("cartmate_turn_seconds", "Turn latency.", {{"kind", "search"}});
  // Powers of two sit at the bottom of their bucket; the midpoint is 1 + 1/64 of the value.
  h.observe(1.0);
  h.observe(2.0);
  h.observe(4.0);
  reg.histogram_for("cartmate_turn_seconds", "Turn latency.", {{"kind", "cart"}});
  const std::string expected = "# HELP cartmate_requests_total Requests handled.\n"
                               "# TYPE cartmate_requests_total counter\n"
                               "cartmate_requests_total{agent=\"alert\"} 1\n"
                               "cartmate_requests_total{agent=\"cart\"} 3\n"
                               "# HELP cartmate_sessions Open sessions.\n"
                               "# TYPE cartmate_sessions gauge\n"
                               "cartmate_sessions 2.5\n"
                               "# HELP cartmate_turn_seconds Turn latency.\n"
                               "# TYPE cartmate_turn_seconds summary\n"
                               "cartmate_turn_seconds{kind=\"cart\",quantile=\"0.5\"} NaN\n"
                               "cartmate_turn_seconds{kind=\"cart\",quantile=\"0.95\"} NaN\n"
                               "cartmate_turn_seconds{kind=\"cart\",quantile=\"0.99\"} NaN\n"
                               "cartmate_turn_seconds_sum{kind=\"cart\"} 0\n"
                               "cartmate_turn_seconds_count{kind=\"cart\"} 0\n"
                               "cartmate_turn_seconds{kind=\"search\",quantile=\"0.5\"} 2.03125\n"
                               "cartmate_turn_seconds{kind=\"search\",quantile=\"0.95\"} 4.0625\n"
                               "cartmate_turn_seconds{kind=\"search\",quantile=\"0.99\"} 4.0625\n"
                               "cartmate_turn_seconds_sum{kind=\"search\"} 7\n"
                               "cartmate_turn_seconds_count{kind=\"search\"} 3\n";
  EXPECT_EQ(reg.render_prometheus(), expected);
}

TEST(metrics_registry, escapes_label_values_and_help_text) {
  EXPECT_EQ(escape_label_value("plain"), "plain");
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  metrics_registry reg;
  reg.counter_for("odd_total", "Line one\nback\\slash \"quoted\"",
                  {{"query", "red \"shoes\"\n\\size 9"}, {"empty", ""}})
    .inc(7);
  reg.gauge_for("special", "").set(-std::numeric_limits<double>::infinity());
  const std::string expected = "# HELP odd_total Line one\\nback\\\\slash \"quoted\"\n"
                               "# TYPE odd_total counter\n"
                               "odd_total{empty=\"\",query=\"red \\\"shoes\\\"\\n\\\\size 9\"} 7\n"
                               "# TYPE special gauge\n"
                               "special -Inf\n";
  EXPECT_EQ(reg.render_prometheus(), expected);
}

} // namespace
} // namespace cartmate::runtime
