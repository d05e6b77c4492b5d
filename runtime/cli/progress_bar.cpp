// progress_bar.cpp — drawing is throttled to ten frames a second so a fast load is not slowed.
#include "runtime/cli/progress_bar.hpp"

#include <cstdio>

#include <unistd.h>

namespace cartmate::cli {

progress_bar::progress_bar(std::string label)
  : label_(std::move(label)), terminal_(isatty(STDERR_FILENO) != 0) {
  // nop
}

void progress_bar::update(uint64_t done, uint64_t total, size_t rows) {
  done_ = done;
  total_ = total;
  rows_ = rows;
  if (!terminal_)
    return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds{100})
    return;
  last_draw_ = now;
  draw(false);
}

void progress_bar::finish() {
  if (finished_)
    return;
  finished_ = true;
  if (total_ > 0)
    done_ = total_;
  draw(true);
}

void progress_bar::draw(bool final_line) {
  constexpr int width = 30;
  int percent = total_ == 0 ? 0 : static_cast<int>(done_ * 100 / total_);
  int filled = total_ == 0 ? 0 : static_cast<int>(done_ * width / total_);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "%s%s [%s] %3d%%  %zu rows%s", terminal_ ? "\r" : "", label_.c_str(),
               bar.c_str(), percent, rows_, final_line ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace cartmate::cli
