// send_queue.hpp — the bounded queue of frames one WebSocket connection has not sent yet; a
// push beyond the limit fails, so a client that does not read cannot grow the server's memory.
// Threading: not synchronised; owned by one connection and used on its strand only.
#pragma once

#include <cstddef>
#include <deque>
#include <string>

namespace cartmate::http {

class send_queue {
 public:
  /// At most `limit` frames (at least 1), the one being written included.
  explicit send_queue(size_t limit) : limit_(limit == 0 ? 1 : limit) {
    // nop
  }

  /// Appends `frame`; false (and nothing queued) when `limit` frames are already waiting.
  [[nodiscard]] bool push(std::string frame) {
    if (frames_.size() >= limit_)
      return false;
    bytes_ += frame.size();
    frames_.push_back(std::move(frame));
    return true;
  }

  const std::string& front() const { return frames_.front(); }

  void pop() {
    bytes_ -= frames_.front().size();
    frames_.pop_front();
  }

  void clear() {
    frames_.clear();
    bytes_ = 0;
  }

  bool empty() const { return frames_.empty(); }
  size_t size() const { return frames_.size(); }
  size_t bytes() const { return bytes_; }
  size_t limit() const { return limit_; }

 private:
  size_t limit_;
  size_t bytes_ = 0;
  std::deque<std::string> frames_;
};

}  // namespace cartmate::http
