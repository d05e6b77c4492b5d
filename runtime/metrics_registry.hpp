// metrics_registry.hpp — counters, gauges and latency histograms, rendered in Prometheus text format.
// Threading: every metric and the registry are safe for concurrent use from any thread or actor.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cartmate::runtime {

/// Label pairs of one series, e.g. {{"agent", "cart"}, {"outcome", "ok"}}.
/// Order does not matter: the registry sorts them by name, so {a,b} and {b,a} name one series.
using labels = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing count. Lock-free.
class counter {
public:
  void inc(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<uint64_t> value_{0};
};

/// A value that goes up and down (queue depth, open sessions). Lock-free.
class gauge {
public:
  void set(double x) noexcept { value_.store(x, std::memory_order_relaxed); }
  void add(double x) noexcept;
  void sub(double x) noexcept { add(-x); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

/// A distribution of observed values (latencies, sizes) with approximate quantiles.
///
/// Log-linear buckets: each power of two in [2^-32, 2^40) (about 2.3e-10 to 1.1e12) is split
/// into 32 equal sub-buckets, and a quantile is reported as the midpoint of the bucket that holds
/// the exact nearest-rank quantile. The reported value is therefore within a relative error of
/// `max_relative_error` (1/64, about 1.6%) of the exact nearest-rank quantile of the observed
/// values, for values inside that range. Values below 2^-32 (zero and negatives included)
/// fall in an underflow bucket reported as 0; values at or above 2^40 (and +inf) fall in an
/// overflow bucket reported as 2^40; NaN is ignored. sum() always adds the exact values.
///
/// observe() is lock-free (three relaxed atomic adds); memory is fixed (about 18 KiB).
class histogram {
public:
  static constexpr int sub_bucket_bits = 5;
  static constexpr int sub_buckets = 1 << sub_bucket_bits;
  static constexpr int min_exponent = -32;
  static constexpr int max_exponent = 40;
  static constexpr size_t bucket_count =
    static_cast<size_t>(max_exponent - min_exponent) * sub_buckets + 2;
  static constexpr double max_relative_error = 1.0 / (2 * sub_buckets);

  void observe(double x) noexcept;

  /// Number of observations (NaN excluded).
  uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

  /// Exact sum of the observations.
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

  /// Approximate q-quantile (q in [0, 1], clamped), NaN when nothing was observed.
  /// Concurrent observe() calls may or may not be included.
  double quantile(double q) const noexcept;

private:
  std::array<std::atomic<uint64_t>, bucket_count> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

/// Named families of metrics; each family has one type and one help text, and one series per
/// label set. The registry owns every metric: returned references stay valid for its lifetime.
///
/// Lookups take a mutex and compare strings, so callers fetch their metrics once (at actor or
/// component start) and keep the references; hot paths only touch the atomics.
///
/// Programming errors throw std::logic_error at registration, so they show up in the first test
/// that registers the metric: a name already registered with another type, an invalid metric or
/// label name (Prometheus syntax; names starting with "__" are reserved), a label name given
/// twice, or a histogram label named "quantile". A second registration with a different help
/// text keeps the first one.
class metrics_registry {
public:
  metrics_registry();
  ~metrics_registry();
  metrics_registry(const metrics_registry&) = delete;
  metrics_registry& operator=(const metrics_registry&) = delete;

  counter& counter_for(std::string_view name, std::string_view help, labels lbls = {});
  gauge& gauge_for(std::string_view name, std::string_view help, labels lbls = {});
  histogram& histogram_for(std::string_view name, std::string_view help, labels lbls = {});

  /// Prometheus text exposition format (version 0.0.4), families sorted by name, series by
  /// labels. Histograms are exposed as the `summary` type (quantile="0.5", "0.95", "0.99" plus
  /// _sum and _count) rather than Prometheus `histogram`: our buckets are fine-grained and
  /// internal, and a scrape of three precomputed quantiles is what the dashboards use.
  std::string render_prometheus() const;

  // Snapshot accessors, mainly for tests; absent series (or another type) read as 0 / nullptr.
  uint64_t counter_value(std::string_view name, const labels& lbls = {}) const;
  double gauge_value(std::string_view name, const labels& lbls = {}) const;
  uint64_t histogram_count(std::string_view name, const labels& lbls = {}) const;
  const histogram* find_histogram(std::string_view name, const labels& lbls = {}) const;

private:
  struct family;

  template <class Metric>
  Metric& series_for(std::string_view name, std::string_view help, labels lbls);

  template <class Metric>
  const Metric* find_series(std::string_view name, const labels& lbls) const;

  mutable std::mutex mtx_;
  std::map<std::string, std::unique_ptr<family>, std::less<>> families_;
};

/// Escapes a label value for the exposition format: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

}  // namespace cartmate::runtime
