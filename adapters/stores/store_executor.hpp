// store_executor.hpp — where a store's synchronous calls run: on the caller's thread for the
// in-memory stores (they never block), on threads that may block for PostgreSQL and Redis, so
// that no CAF scheduler thread ever waits on a server.
// Threading: execute() is safe from any thread; jobs may run concurrently on different threads.
#pragma once

#include <functional>
#include <memory>

namespace cartmate::stores {

class store_executor {
 public:
  virtual ~store_executor() = default;

  /// True when a call may run on the caller's thread: it never blocks.
  virtual bool runs_inline() const noexcept = 0;

  /// Runs `job` on a thread where blocking is allowed. Called only when !runs_inline().
  virtual void execute(std::function<void()> job) = 0;
};

/// The executor of non-blocking stores: every call runs where it is made.
std::shared_ptr<store_executor> inline_executor();

/// A store and where its calls run; what an agent is given.
template <class Store>
struct store_handle {
  std::shared_ptr<Store> store;
  std::shared_ptr<store_executor> executor = inline_executor();
};

}  // namespace cartmate::stores
