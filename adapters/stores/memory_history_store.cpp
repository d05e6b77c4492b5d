// memory_history_store.cpp — turns in a map per session, ordered by seq, under one mutex.
#include "adapters/stores/memory_history_store.hpp"

#include <algorithm>

namespace cartmate::stores {

using protocol::errc;
using protocol::make_error;

caf::error memory_history_store::append(const turn_record& turn) {
  if (auto err = check_turn_record(turn))
    return err;
  std::lock_guard<std::mutex> guard{mutex_};
  auto& turns = sessions_[{turn.tenant, turn.session_id}];
  auto [at, inserted] = turns.emplace(turn.seq, turn);
  if (!inserted && at->second != turn)
    return make_error(errc::conflict, "session " + turn.session_id + " already has a different turn "
                                        + std::to_string(turn.seq));
  return {};
}

caf::expected<std::vector<turn_record>>
memory_history_store::list(const std::string& tenant, const std::string& session_id) {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<turn_record> out;
  auto i = sessions_.find({tenant, session_id});
  if (i == sessions_.end())
    return out;
  out.reserve(i->second.size());
  for (const auto& [seq, turn] : i->second)
    out.push_back(turn);
  return out;
}

caf::expected<std::vector<session_info>>
memory_history_store::list_sessions(const std::string& tenant,
                                    const std::optional<std::string>& user, size_t limit) {
  std::vector<session_info> out;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto i = sessions_.lower_bound({tenant, ""});
         i != sessions_.end() && i->first.first == tenant; ++i) {
      const auto& turns = i->second;
      if (turns.empty())
        continue;
      const auto& first = turns.begin()->second;
      if (user && first.user != *user)
        continue;
      session_info info;
      info.session_id = i->first.second;
      info.user = first.user;
      info.turns = turns.size();
      info.first_ms = info.last_ms = first.at_ms;
      for (const auto& [seq, turn] : turns) {
        info.first_ms = std::min(info.first_ms, turn.at_ms);
        info.last_ms = std::max(info.last_ms, turn.at_ms);
      }
      out.push_back(std::move(info));
    }
  }
  std::sort(out.begin(), out.end(), [](const session_info& a, const session_info& b) {
    return a.last_ms != b.last_ms ? a.last_ms > b.last_ms : a.session_id < b.session_id;
  });
  if (out.size() > limit)
    out.resize(limit);
  return out;
}

}  // namespace cartmate::stores
