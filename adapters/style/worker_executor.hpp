// worker_executor.hpp — a small pool of plain threads behind the store_executor interface, for
// CPU-heavy work an actor must not do on a CAF scheduler thread (decoding uploaded images).
// Threading: execute() is safe from any thread; jobs run on the pool's threads, several at once
// when it has more than one. Destruction drops jobs not yet started and joins the threads.
#pragma once

#include <cstddef>
#include <memory>

#include "adapters/stores/store_executor.hpp"

namespace cartmate::style {

/// A pool of `threads` (at least 1) workers with an unbounded FIFO queue.
std::shared_ptr<stores::store_executor> make_worker_executor(size_t threads);

}  // namespace cartmate::style
