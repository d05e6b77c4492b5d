// worker_executor.cpp — mutex + condition variable work queue; see the header. The queue is
// shared with the threads, so a pool whose last owner goes away inside one of its own jobs
// (an actor released there) detaches that thread instead of joining itself.
#include "adapters/style/worker_executor.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <algorithm>
#include <vector>

namespace cartmate::style {

namespace {

struct work_queue {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void()>> jobs;
  bool stopping = false;
};

void work(const std::shared_ptr<work_queue>& q) {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock{q->mutex};
      q->wake.wait(lock, [&] { return q->stopping || !q->jobs.empty(); });
      if (q->stopping)
        return;
      job = std::move(q->jobs.front());
      q->jobs.pop_front();
    }
    job();
  }
}

class worker_executor final : public stores::store_executor {
public:
  explicit worker_executor(size_t threads) {
    for (size_t i = 0; i < std::max<size_t>(1, threads); ++i)
      threads_.emplace_back([q = queue_] { work(q); });
  }

  ~worker_executor() override {
    {
      std::lock_guard<std::mutex> guard{queue_->mutex};
      queue_->stopping = true;
      queue_->jobs.clear();
    }
    queue_->wake.notify_all();
    for (auto& t : threads_) {
      if (t.get_id() == std::this_thread::get_id())
        t.detach();
      else
        t.join();
    }
  }

  bool runs_inline() const noexcept override {
    return false;
  }

  void execute(std::function<void()> job) override {
    {
      std::lock_guard<std::mutex> guard{queue_->mutex};
      if (queue_->stopping)
        return;
      queue_->jobs.push_back(std::move(job));
    }
    queue_->wake.notify_one();
  }

private:
  std::shared_ptr<work_queue> queue_ = std::make_shared<work_queue>();
  std::vector<std::thread> threads_;
};

}  // namespace

std::shared_ptr<stores::store_executor> make_worker_executor(size_t threads) {
  return std::make_shared<worker_executor>(threads);
}

}  // namespace cartmate::style
