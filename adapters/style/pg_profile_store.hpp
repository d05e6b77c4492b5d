// pg_profile_store.hpp — style profiles in PostgreSQL: profile_codec's JSON in a jsonb column
// per (tenant, user), written with one upsert, so they survive restarts and every node sees them.
// Threading: safe for concurrent use. Inside a pg_pool job it uses that worker's connection;
// elsewhere calls share one connection of its own, one at a time. Calls block: run them on the
// pool (pg_executor), never on a CAF scheduler thread.
#pragma once

#include <mutex>

#include "adapters/stores/postgres/pg_connection.hpp"
#include "adapters/style/profile_store.hpp"

namespace cartmate::style {

class pg_profile_store final : public profile_store {
 public:
  explicit pg_profile_store(stores::pg::pg_options opts);

  caf::expected<learned_profile> get(const stores::user_key& who) override;
  caf::error put(const stores::user_key& who, const learned_profile& profile) override;

 private:
  template <class F>
  auto with_connection(F&& fn) -> decltype(fn(std::declval<stores::pg::pg_connection&>()));

  std::mutex own_mutex_;
  stores::pg::pg_connection own_;
};

}  // namespace cartmate::style
