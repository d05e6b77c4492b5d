// catalog_loader.hpp — reads a product catalog (JSON Lines or CSV) into protocol::product values,
// skipping and reporting malformed rows. Threading: plain functions, no shared state; a loader call
// runs on one thread (it blocks on file I/O, so agents run it in a detached actor).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "protocol/product.hpp"

namespace cartmate::catalog {

enum class catalog_format { auto_detect, jsonl, csv };

/// Where the loader is, for a progress bar: rows and bytes consumed so far out of `total_bytes`
/// (0 when the size is unknown, e.g. for a pipe).
struct load_progress {
  size_t rows_read = 0;
  uint64_t bytes_read = 0;
  uint64_t total_bytes = 0;
};

struct load_options {
  catalog_format format = catalog_format::auto_detect;  // auto: by file extension (.csv or not)
  std::string default_currency = "INR";                 // for rows without "currency"
  int32_t default_stock = 0;                            // for rows without "stock"
  bool require_price = true;   // a row without a price is bad; off for price-less catalogs
  std::function<void(const load_progress&)> on_progress;  // called every progress_every rows and at the end
  size_t progress_every = 1000;
};

/// One skipped row: the 1-based line it starts on and why it was skipped.
struct load_issue {
  size_t line = 0;
  std::string reason;
};

struct load_report {
  std::vector<protocol::product> products;  // file order; a repeated id keeps its first position
  std::vector<load_issue> bad_rows;
  size_t rows_read = 0;     // data rows seen, good and bad (blank lines and the CSV header excluded)
  size_t duplicates = 0;    // rows whose id was seen before and that updated the earlier product
};

/// Loads the file at `path`. Fails only when the file cannot be read or a CSV has no usable
/// header; bad rows are reported in the result, never fatal.
[[nodiscard]] caf::expected<load_report> load_catalog_file(const std::string& path,
                                                           const load_options& options = {});

/// Loads JSON Lines from `in` (one object per line). `total_bytes` feeds progress reports.
[[nodiscard]] load_report load_jsonl(std::istream& in, const load_options& options = {},
                                     uint64_t total_bytes = 0);

/// Loads RFC 4180 CSV from `in`: a header row naming the JSON fields, quoted fields may hold
/// commas, doubled quotes and line breaks.
[[nodiscard]] caf::expected<load_report> load_csv(std::istream& in, const load_options& options = {},
                                                  uint64_t total_bytes = 0);

/// Major units to minor units, rounded to the nearest (1299.5 -> 129950).
[[nodiscard]] int64_t to_minor_units(double major);

}  // namespace cartmate::catalog
