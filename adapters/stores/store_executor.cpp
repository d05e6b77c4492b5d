// store_executor.cpp — the inline executor of the in-memory stores.
#include "adapters/stores/store_executor.hpp"

namespace cartmate::stores {
namespace {

class inline_store_executor final : public store_executor {
 public:
  bool runs_inline() const noexcept override { return true; }
  void execute(std::function<void()> job) override { job(); }
};

}  // namespace

std::shared_ptr<store_executor> inline_executor() {
  static const auto instance = std::make_shared<inline_store_executor>();
  return instance;
}

}  // namespace cartmate::stores
