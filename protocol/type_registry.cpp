// type_registry.cpp — the single list of protocol types; registration and verification both
// walk it, so a type cannot be registered without being checked or vice versa.
#include "protocol/type_registry.hpp"

#include <typeinfo>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/uniform_type_info_map.hpp>

#include "protocol/ack.hpp"
#include "protocol/alert_messages.hpp"
#include "protocol/cart_messages.hpp"
#include "protocol/cluster_messages.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "protocol/price_messages.hpp"
#include "protocol/style_messages.hpp"

#define CARTMATE_PROTOCOL_TYPES(X)                                                        \
  X(envelope) X(ack) X(product) X(money) X(search_filters)                                \
  X(search_request) X(search_result) X(similar_request) X(get_product_request)            \
  X(catalog_update) X(catalog_change)                                                      \
  X(cart_line) X(cart_view) X(cart_add) X(cart_remove) X(cart_set_quantity) X(cart_get)   \
  X(checkout_prepare) X(checkout_summary) X(checkout_confirm) X(checkout_cancel) X(order) \
  X(order_list_request) X(order_history)                                                   \
  X(style_signal) X(style_profile) X(profile_get) X(preference_set) X(preference_forget)  \
  X(image_analyse) X(image_analysis) X(style_rank) X(style_ranking)                        \
  X(offer) X(price_compare) X(price_comparison)                                            \
  X(alert) X(alert_create) X(alert_list_request) X(alert_list) X(alert_delete)             \
  X(price_event) X(notification_ack) X(notification_pending) X(notification_list)                                                       \
  X(user_turn) X(turn_summary) X(thinking_event) X(delegation_event) X(products_event)    \
  X(cart_event) X(partial_event) X(final_event) X(notification_event) X(error_event)      \
  X(comparison_event) X(cluster_agent) X(member_info)

namespace cartmate::protocol {

namespace {

struct type_entry {
  std::string name;
  const std::type_info* type;
};

const std::vector<type_entry>& type_entries() {
  static const std::vector<type_entry> entries = {
#define CARTMATE_ENTRY(T) type_entry{"cartmate." #T, &typeid(T)},
    CARTMATE_PROTOCOL_TYPES(CARTMATE_ENTRY)
#undef CARTMATE_ENTRY
  };
  return entries;
}

}  // namespace

void register_protocol_types(caf::actor_system_config& cfg) {
#define CARTMATE_ADD(T) cfg.add_message_type<T>("cartmate." #T);
  CARTMATE_PROTOCOL_TYPES(CARTMATE_ADD)
#undef CARTMATE_ADD
  cfg.add_error_category(error_category,
                         [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                           std::string out{to_string(static_cast<errc>(code))};
                           if (ctx.match_elements<std::string>())
                             out += ": " + ctx.get_as<std::string>(0);
                           return out;
                         });
}

const std::vector<std::string>& protocol_type_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& entry : type_entries())
      out.push_back(entry.name);
    return out;
  }();
  return names;
}

uint64_t protocol_fingerprint() {
  // FNV-1a over the names in order: nodes of different builds refuse each other instead of
  // silently dropping the messages one of them cannot read.
  uint64_t h = 1469598103934665603ull;
  for (const auto& name : protocol_type_names()) {
    for (unsigned char c : name) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  }
  return h;
}

caf::error verify_protocol_types(caf::actor_system& sys) {
  for (const auto& entry : type_entries()) {
    if (sys.types().make_value(*entry.type) == nullptr
        || sys.types().make_value(entry.name) == nullptr)
      return make_error(errc::invalid_argument,
                        "protocol type not registered with CAF: " + entry.name);
  }
  return caf::none;
}

}  // namespace cartmate::protocol
