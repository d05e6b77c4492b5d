// progress_bar.hpp — a one-line progress bar on stderr for long loads (catalog ingest, index
// build): redrawn in place on a terminal, only the final line elsewhere (logs stay readable).
// Threading: one thread at a time (the loader calls it on the main thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace cartmate::cli {

class progress_bar {
 public:
  explicit progress_bar(std::string label);

  /// Shows `done` of `total` bytes (total 0: unknown) and the rows read so far.
  void update(uint64_t done, uint64_t total, size_t rows);

  /// Draws the final state and ends the line. Idempotent.
  void finish();

 private:
  void draw(bool final_line);

  std::string label_;
  bool terminal_ = false;
  bool finished_ = false;
  uint64_t done_ = 0;
  uint64_t total_ = 0;
  size_t rows_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace cartmate::cli
