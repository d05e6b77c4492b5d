// metrics_registry.cpp — metric families, log-linear histogram buckets and Prometheus rendering.
// Threading: the registry's maps are guarded by one mutex; metric values are plain atomics.
#include "runtime/metrics_registry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

namespace cartmate::runtime {

// -- gauge and histogram ----------------------------------------------------------------------

void gauge::add(double x) noexcept {
  // std::atomic<double>::fetch_add is C++20; a CAS loop is the C++17 equivalent.
  double current = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(current, current + x, std::memory_order_relaxed)) {
    // nop: `current` was refreshed by the failed exchange
  }
}

namespace {

const double histogram_min_value = std::ldexp(1.0, histogram::min_exponent);
const double histogram_max_value = std::ldexp(1.0, histogram::max_exponent);

// Bucket 0 is the underflow bucket, the last one the overflow bucket; in between, the biased
// exponent and the top mantissa bits of the IEEE-754 double pick the bucket without a log().
size_t bucket_index(double x) noexcept {
  if (!(x >= histogram_min_value))
    return 0;
  if (x >= histogram_max_value)
    return histogram::bucket_count - 1;
  uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  auto exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  auto sub = (bits >> (52 - histogram::sub_bucket_bits)) & (histogram::sub_buckets - 1);
  return 1 + static_cast<size_t>(exponent - histogram::min_exponent) * histogram::sub_buckets
         + static_cast<size_t>(sub);
}

// The midpoint of a bucket, whose width is 1/sub_buckets of its octave's lower bound: hence the
// relative error bound of 1 / (2 * sub_buckets).
double bucket_value(size_t index) noexcept {
  if (index == 0)
    return 0.0;
  if (index == histogram::bucket_count - 1)
    return histogram_max_value;
  auto k = index - 1;
  auto exponent = histogram::min_exponent + static_cast<int>(k / histogram::sub_buckets);
  auto sub = static_cast<double>(k % histogram::sub_buckets);
  return std::ldexp(1.0 + (sub + 0.5) / histogram::sub_buckets, exponent);
}

} // namespace

void histogram::observe(double x) noexcept {
  if (std::isnan(x))
    return;
  buckets_[bucket_index(x)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double current = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(current, current + x, std::memory_order_relaxed)) {
    // nop
  }
}

double histogram::quantile(double q) const noexcept {
  if (std::isnan(q))
    return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  // Two passes instead of a copy of the buckets: counts only grow, so the second pass reaches
  // the rank computed from the first even while other threads observe.
  uint64_t total = 0;
  for (const auto& bucket : buckets_)
    total += bucket.load(std::memory_order_relaxed);
  if (total == 0)
    return std::numeric_limits<double>::quiet_NaN();
  // Nearest-rank definition: the smallest value with at least q * total values at or below it.
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  rank = std::clamp<uint64_t>(rank, 1, total);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bucket_count; ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    if (cumulative >= rank)
      return bucket_value(i);
  }
  return bucket_value(bucket_count - 1);
}

// -- registry ---------------------------------------------------------------------------------

namespace {

enum class metric_type { counter, gauge, summary };

std::string_view type_name(metric_type type) {
  switch (type) {
    case metric_type::counter:
      return "counter";
    case metric_type::gauge:
      return "gauge";
    case metric_type::summary:
      return "summary";
  }
  return "untyped";
}

template <class Metric>
constexpr metric_type type_of() {
  if constexpr (std::is_same_v<Metric, counter>)
    return metric_type::counter;
  else if constexpr (std::is_same_v<Metric, gauge>)
    return metric_type::gauge;
  else
    return metric_type::summary;
}

template <class Metric>
using series_map = std::map<labels, std::unique_ptr<Metric>>;

template <class Metric, class Family>
auto& series_of(Family& fam) {
  if constexpr (std::is_same_v<Metric, counter>)
    return fam.counters;
  else if constexpr (std::is_same_v<Metric, gauge>)
    return fam.gauges;
  else
    return fam.histograms;
}

bool is_name_start(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}

bool is_name_char(char c, bool allow_colon) {
  return is_name_start(c, allow_colon) || (c >= '0' && c <= '9');
}

bool is_valid_name(std::string_view name, bool allow_colon) {
  if (name.empty() || !is_name_start(name.front(), allow_colon))
    return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return is_name_char(c, allow_colon); });
}

void check_metric_name(std::string_view name) {
  if (!is_valid_name(name, true))
    throw std::logic_error("invalid metric name '" + std::string{name} + "'");
}

// Sorted by label name so that the order a caller lists labels in does not create a new series.
labels normalized(labels lbls, std::string_view metric, metric_type type) {
  std::sort(lbls.begin(), lbls.end());
  for (size_t i = 0; i < lbls.size(); ++i) {
    const auto& key = lbls[i].first;
    if (!is_valid_name(key, false) || key.rfind("__", 0) == 0)
      throw std::logic_error("invalid label name '" + key + "' on metric '" + std::string{metric}
                             + "'");
    if (i > 0 && lbls[i - 1].first == key)
      throw std::logic_error("label '" + key + "' given twice on metric '" + std::string{metric}
                             + "'");
    if (type == metric_type::summary && key == "quantile")
      throw std::logic_error("label 'quantile' is reserved on histogram '" + std::string{metric}
                             + "'");
  }
  return lbls;
}

bool ends_with(std::string_view str, std::string_view suffix) {
  return str.size() >= suffix.size() && str.substr(str.size() - suffix.size()) == suffix;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// Prometheus follows Go's float syntax: NaN, +Inf, -Inf; otherwise the shortest round-trip form.
void append_double(std::string& out, double x) {
  if (std::isnan(x)) {
    out += "NaN";
  } else if (std::isinf(x)) {
    out += x > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, x);
    out.append(buf, res.ptr);
  }
}

void append_labels(std::string& out, const labels& lbls, std::string_view extra_key = {},
                   std::string_view extra_value = {}) {
  if (lbls.empty() && extra_key.empty())
    return;
  out += '{';
  bool first = true;
  auto append_one = [&](std::string_view key, std::string_view value) {
    if (!first)
      out += ',';
    first = false;
    out += key;
    out += "=\"";
    out += escape_label_value(value);
    out += '"';
  };
  for (const auto& [key, value] : lbls)
    append_one(key, value);
  if (!extra_key.empty())
    append_one(extra_key, extra_value);
  out += '}';
}

constexpr std::pair<double, std::string_view> summary_quantiles[] = {
  {0.5, "0.5"}, {0.95, "0.95"}, {0.99, "0.99"}};

} // namespace

struct metrics_registry::family {
  std::string name;
  std::string help;
  metric_type type;
  series_map<counter> counters;
  series_map<gauge> gauges;
  series_map<histogram> histograms;
};

metrics_registry::metrics_registry() = default;

metrics_registry::~metrics_registry() = default;

template <class Metric>
Metric& metrics_registry::series_for(std::string_view name, std::string_view help, labels lbls) {
  constexpr auto type = type_of<Metric>();
  check_metric_name(name);
  auto key = normalized(std::move(lbls), name, type);
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = families_.find(name);
  if (i == families_.end()) {
    // A histogram's family also owns <name>_sum and <name>_count in the exposition.
    for (std::string_view suffix : {"_sum", "_count"}) {
      if (ends_with(name, suffix)) {
        auto base = families_.find(name.substr(0, name.size() - suffix.size()));
        if (base != families_.end() && base->second->type == metric_type::summary)
          throw std::logic_error("metric '" + std::string{name}
                                 + "' clashes with the series of histogram '" + base->first + "'");
      }
      if (type == metric_type::summary
          && families_.count(std::string{name} + std::string{suffix}) > 0)
        throw std::logic_error("histogram '" + std::string{name} + "' clashes with metric '"
                               + std::string{name} + std::string{suffix} + "'");
    }
    auto fam = std::make_unique<family>();
    fam->name = std::string{name};
    fam->help = std::string{help};
    fam->type = type;
    i = families_.emplace(fam->name, std::move(fam)).first;
  } else if (i->second->type != type) {
    throw std::logic_error("metric '" + std::string{name} + "' is a "
                           + std::string{type_name(i->second->type)}
                           + ", registered again as a " + std::string{type_name(type)});
  }
  auto& series = series_of<Metric>(*i->second);
  auto [pos, inserted] = series.try_emplace(std::move(key));
  if (inserted)
    pos->second = std::make_unique<Metric>();
  return *pos->second;
}

template <class Metric>
const Metric* metrics_registry::find_series(std::string_view name, const labels& lbls) const {
  auto key = lbls;
  std::sort(key.begin(), key.end());
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = families_.find(name);
  if (i == families_.end() || i->second->type != type_of<Metric>())
    return nullptr;
  const auto& series = series_of<Metric>(*i->second);
  auto pos = series.find(key);
  return pos == series.end() ? nullptr : pos->second.get();
}

counter& metrics_registry::counter_for(std::string_view name, std::string_view help,
                                       labels lbls) {
  return series_for<counter>(name, help, std::move(lbls));
}

gauge& metrics_registry::gauge_for(std::string_view name, std::string_view help, labels lbls) {
  return series_for<gauge>(name, help, std::move(lbls));
}

histogram& metrics_registry::histogram_for(std::string_view name, std::string_view help,
                                           labels lbls) {
  return series_for<histogram>(name, help, std::move(lbls));
}

uint64_t metrics_registry::counter_value(std::string_view name, const labels& lbls) const {
  auto* c = find_series<counter>(name, lbls);
  return c != nullptr ? c->value() : 0;
}

double metrics_registry::gauge_value(std::string_view name, const labels& lbls) const {
  auto* g = find_series<gauge>(name, lbls);
  return g != nullptr ? g->value() : 0.0;
}

uint64_t metrics_registry::histogram_count(std::string_view name, const labels& lbls) const {
  auto* h = find_series<histogram>(name, lbls);
  return h != nullptr ? h->count() : 0;
}

const histogram* metrics_registry::find_histogram(std::string_view name,
                                                  const labels& lbls) const {
  return find_series<histogram>(name, lbls);
}

std::string metrics_registry::render_prometheus() const {
  std::string out;
  std::lock_guard<std::mutex> guard{mtx_};
  for (const auto& [name, fam] : families_) {
    if (!fam->help.empty()) {
      out += "# HELP " + name + ' ' + escape_help(fam->help) + '\n';
    }
    out += "# TYPE " + name + ' ' + std::string{type_name(fam->type)} + '\n';
    for (const auto& [lbls, c] : fam->counters) {
      out += name;
      append_labels(out, lbls);
      out += ' ' + std::to_string(c->value()) + '\n';
    }
    for (const auto& [lbls, g] : fam->gauges) {
      out += name;
      append_labels(out, lbls);
      out += ' ';
      append_double(out, g->value());
      out += '\n';
    }
    for (const auto& [lbls, h] : fam->histograms) {
      for (const auto& [q, text] : summary_quantiles) {
        out += name;
        append_labels(out, lbls, "quantile", text);
        out += ' ';
        append_double(out, h->quantile(q));
        out += '\n';
      }
      out += name + "_sum";
      append_labels(out, lbls);
      out += ' ';
      append_double(out, h->sum());
      out += '\n';
      out += name + "_count";
      append_labels(out, lbls);
      out += ' ' + std::to_string(h->count()) + '\n';
    }
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

} // namespace cartmate::runtime
