// memory_alert_store.cpp — alerts in a map ordered by creation, idempotency keys per user, and
// fire() holding the store's lock while it writes the outbox.
#include "adapters/stores/memory_alert_store.hpp"

#include <cstdio>
#include <set>
#include <utility>

#include "protocol/errors.hpp"

namespace cartmate::stores {

namespace {

using protocol::errc;
using protocol::make_error;

caf::error key_conflict(const std::string& key) {
  return make_error(errc::conflict,
                    "idempotency key " + key + " was already used for a different alert");
}

}  // namespace

std::string alert_id_for(uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "alr-%08llu", static_cast<unsigned long long>(number));
  return buf;
}

memory_alert_store::memory_alert_store(std::shared_ptr<memory_outbox_store> outbox)
  : outbox_(outbox ? std::move(outbox) : std::make_shared<memory_outbox_store>()) {
  // nop
}

caf::expected<const memory_alert_store::record*>
memory_alert_store::by_key(const user_key& who, const std::string& key,
                           const alert_spec& spec) const {
  auto u = keys_.find(who);
  if (u == keys_.end())
    return static_cast<const record*>(nullptr);
  auto k = u->second.find(key);
  if (k == u->second.end())
    return static_cast<const record*>(nullptr);
  const auto& rec = alerts_.at(k->second);
  if (!rec.spec.same_request(spec))
    return key_conflict(key);
  return &rec;
}

caf::expected<protocol::alert> memory_alert_store::create(const user_key& who,
                                                          const std::string& idempotency_key,
                                                          const alert_spec& spec) {
  if (idempotency_key.empty())
    return make_error(errc::invalid_argument, "an alert needs an idempotency key");
  if (spec.product_id.empty())
    return make_error(errc::invalid_argument, "an alert needs a product");
  std::lock_guard<std::mutex> guard{mutex_};
  auto earlier = by_key(who, idempotency_key, spec);
  if (!earlier)
    return std::move(earlier.error());
  if (*earlier)
    return (*earlier)->alert;
  auto number = next_number_++;
  record rec;
  rec.tenant = who.tenant;
  rec.alert.alert_id = alert_id_for(number);
  rec.alert.user = who.user;
  rec.alert.product_id = spec.product_id;
  rec.alert.condition = spec.condition;
  rec.alert.threshold = spec.threshold;
  rec.alert.reference_price_minor = spec.reference_price_minor;
  rec.alert.created_ms = spec.created_ms;
  rec.alert.active = true;
  rec.product_title = spec.product_title;
  rec.idempotency_key = idempotency_key;
  rec.spec = spec;
  auto made = rec.alert;
  by_id_.emplace(made.alert_id, number);
  keys_[who].emplace(idempotency_key, number);
  alerts_.emplace(number, std::move(rec));
  return made;
}

caf::expected<std::optional<protocol::alert>>
memory_alert_store::find_created(const user_key& who, const std::string& idempotency_key,
                                 const alert_spec& spec) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto earlier = by_key(who, idempotency_key, spec);
  if (!earlier)
    return std::move(earlier.error());
  if (!*earlier)
    return std::optional<protocol::alert>{};
  return std::optional<protocol::alert>{(*earlier)->alert};
}

caf::expected<std::vector<protocol::alert>> memory_alert_store::list(const user_key& who) {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<protocol::alert> out;
  auto u = keys_.find(who);
  if (u == keys_.end())
    return out;
  std::set<uint64_t> numbers;   // creation order
  for (const auto& [key, number] : u->second)
    numbers.insert(number);
  for (auto number : numbers) {
    const auto& rec = alerts_.at(number);
    if (!rec.deleted)
      out.push_back(rec.alert);
  }
  return out;
}

caf::error memory_alert_store::remove(const user_key& who, const std::string& alert_id) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = by_id_.find(alert_id);
  if (i != by_id_.end()) {
    auto& rec = alerts_.at(i->second);
    if (rec.tenant == who.tenant && rec.alert.user == who.user) {
      rec.deleted = true;
      rec.alert.active = false;
      return {};
    }
  }
  return make_error(errc::not_found, "you have no alert " + alert_id);
}

caf::expected<std::vector<stored_alert>>
memory_alert_store::watching(const std::string& product_id) {
  std::lock_guard<std::mutex> guard{mutex_};
  std::vector<stored_alert> out;
  for (const auto& [number, rec] : alerts_)
    if (rec.alert.active && !rec.deleted && rec.alert.product_id == product_id)
      out.push_back(stored_alert{rec.tenant, rec.alert, rec.product_title});
  return out;
}

caf::expected<std::vector<std::string>> memory_alert_store::watched_products() {
  std::lock_guard<std::mutex> guard{mutex_};
  std::set<std::string> ids;
  for (const auto& [number, rec] : alerts_)
    if (rec.alert.active && !rec.deleted)
      ids.insert(rec.alert.product_id);
  return std::vector<std::string>(ids.begin(), ids.end());
}

caf::expected<bool> memory_alert_store::fire(const std::string& tenant,
                                             const std::string& alert_id,
                                             const protocol::notification_event& n) {
  if (n.notification_id.empty())
    return make_error(errc::invalid_argument, "a notification needs an id");
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = by_id_.find(alert_id);
  if (i == by_id_.end())
    return false;
  auto& rec = alerts_.at(i->second);
  if (rec.tenant != tenant || !rec.alert.active || rec.deleted)
    return false;
  // The outbox cannot fail here; adding first keeps "fired" from ever preceding the row.
  outbox_->add(tenant, n);
  rec.alert.active = false;
  return true;
}

}  // namespace cartmate::stores
