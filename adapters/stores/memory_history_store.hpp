// memory_history_store.hpp — conversation history in memory: the embedded default and the test
// double of the history contract. Forgets everything at exit.
// Threading: safe for concurrent use (one mutex; every call is short and never blocks on I/O).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "adapters/stores/history_store.hpp"

namespace cartmate::stores {

class memory_history_store final : public history_store {
 public:
  memory_history_store() = default;

  caf::error append(const turn_record& turn) override;
  caf::expected<std::vector<turn_record>> list(const std::string& tenant,
                                               const std::string& session_id) override;
  caf::expected<std::vector<session_info>>
  list_sessions(const std::string& tenant, const std::optional<std::string>& user,
                size_t limit = 100) override;

 private:
  using session_key = std::pair<std::string, std::string>;   // tenant, session id

  std::mutex mutex_;
  std::map<session_key, std::map<uint64_t, turn_record>> sessions_;   // turns by seq
};

}  // namespace cartmate::stores
