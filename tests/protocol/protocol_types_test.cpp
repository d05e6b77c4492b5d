// protocol_types_test.cpp — every protocol message survives a CAF binary serialization round
// trip as a registered type (which is what crossing nodes needs), and the node's start-up
// check notices a missing registration.
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/deep_to_string.hpp>
#include <caf/message.hpp>
#include <caf/meta/annotation.hpp>
#include <caf/detail/type_traits.hpp>
#include <gtest/gtest.h>

#include "protocol/ack.hpp"
#include "protocol/alert_messages.hpp"
#include "protocol/cart_messages.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "protocol/price_messages.hpp"
#include "protocol/style_messages.hpp"
#include "protocol/type_registry.hpp"

namespace cartmate::protocol {
namespace {

// An inspector that writes a distinct non-default value into every field it is shown, and
// two elements into every vector, so a round trip compares real content.
struct filler {
  using result_type = void;
  static constexpr bool reads_state = false;
  static constexpr bool writes_state = true;
  int next = 1;

  template <class... Ts>
  void operator()(Ts&&... xs) {
    (fill(xs), ...);
  }

  template <class T>
  void fill(T& x) {
    if constexpr (caf::meta::is_annotation<std::decay_t<T>>::value) {
      // type names and other annotations carry no data
    } else if constexpr (std::is_same_v<T, std::string>) {
      x = "v" + std::to_string(next++) + " ünïcødé \"quoted\"";
    } else if constexpr (std::is_same_v<T, bool>) {
      x = true;
    } else if constexpr (std::is_enum_v<T>) {
      x = static_cast<T>(1);
    } else if constexpr (std::is_integral_v<T>) {
      x = static_cast<T>(next++ * 7);
    } else if constexpr (std::is_floating_point_v<T>) {
      x = static_cast<T>(next++) + static_cast<T>(0.25);
    } else if constexpr (caf::detail::is_list_like<T>::value) {
      x.resize(2);
      for (auto& element : x)
        fill(element);
    } else {
      inspect(*this, x);
    }
  }
};

struct protocol_types : ::testing::Test {
  struct config : caf::actor_system_config {
    config() {
      register_protocol_types(*this);
      set("logger.console", caf::atom("none"));
    }
  };
  config cfg;
  caf::actor_system sys{cfg};

  template <class T>
  void round_trip() {
    T original;
    filler f;
    f.fill(original);
    auto msg = caf::make_message(original);
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    ASSERT_FALSE(sink(msg)) << typeid(T).name();
    caf::message copy;
    caf::binary_deserializer source{sys, buf};
    ASSERT_FALSE(source(copy)) << typeid(T).name();
    ASSERT_TRUE(copy.match_elements<T>()) << caf::deep_to_string(copy);
    EXPECT_EQ(caf::deep_to_string(copy), caf::deep_to_string(msg));
    EXPECT_NE(caf::deep_to_string(msg).find("ünïcødé"), std::string::npos)
      << "the filler did not reach " << caf::deep_to_string(msg);
  }
};

#define CARTMATE_ROUND_TRIP(T) \
  TEST_F(protocol_types, T##_survives_binary_round_trip) { round_trip<T>(); }

CARTMATE_ROUND_TRIP(envelope)
CARTMATE_ROUND_TRIP(search_request)
CARTMATE_ROUND_TRIP(search_result)
CARTMATE_ROUND_TRIP(similar_request)
CARTMATE_ROUND_TRIP(get_product_request)
CARTMATE_ROUND_TRIP(product)
CARTMATE_ROUND_TRIP(catalog_update)
CARTMATE_ROUND_TRIP(catalog_change)
CARTMATE_ROUND_TRIP(cart_add)
CARTMATE_ROUND_TRIP(cart_remove)
CARTMATE_ROUND_TRIP(cart_set_quantity)
CARTMATE_ROUND_TRIP(cart_get)
CARTMATE_ROUND_TRIP(cart_view)
CARTMATE_ROUND_TRIP(checkout_prepare)
CARTMATE_ROUND_TRIP(checkout_summary)
CARTMATE_ROUND_TRIP(checkout_confirm)
CARTMATE_ROUND_TRIP(checkout_cancel)
CARTMATE_ROUND_TRIP(order)
CARTMATE_ROUND_TRIP(order_list_request)
CARTMATE_ROUND_TRIP(order_history)
CARTMATE_ROUND_TRIP(style_signal)
CARTMATE_ROUND_TRIP(style_profile)
CARTMATE_ROUND_TRIP(profile_get)
CARTMATE_ROUND_TRIP(preference_set)
CARTMATE_ROUND_TRIP(preference_forget)
CARTMATE_ROUND_TRIP(image_analyse)
CARTMATE_ROUND_TRIP(image_analysis)
CARTMATE_ROUND_TRIP(style_rank)
CARTMATE_ROUND_TRIP(style_ranking)
CARTMATE_ROUND_TRIP(price_compare)
CARTMATE_ROUND_TRIP(price_comparison)
CARTMATE_ROUND_TRIP(alert)
CARTMATE_ROUND_TRIP(alert_create)
CARTMATE_ROUND_TRIP(alert_list_request)
CARTMATE_ROUND_TRIP(alert_list)
CARTMATE_ROUND_TRIP(alert_delete)
CARTMATE_ROUND_TRIP(price_event)
CARTMATE_ROUND_TRIP(notification_ack)
CARTMATE_ROUND_TRIP(ack)
CARTMATE_ROUND_TRIP(user_turn)
CARTMATE_ROUND_TRIP(turn_summary)
CARTMATE_ROUND_TRIP(thinking_event)
CARTMATE_ROUND_TRIP(delegation_event)
CARTMATE_ROUND_TRIP(products_event)
CARTMATE_ROUND_TRIP(cart_event)
CARTMATE_ROUND_TRIP(partial_event)
CARTMATE_ROUND_TRIP(final_event)
CARTMATE_ROUND_TRIP(notification_event)
CARTMATE_ROUND_TRIP(error_event)
CARTMATE_ROUND_TRIP(comparison_event)

TEST_F(protocol_types, every_registered_type_is_known_to_the_system) {
  EXPECT_FALSE(verify_protocol_types(sys));
  EXPECT_GE(protocol_type_names().size(), 50u);
}

TEST(protocol_registration, verification_names_a_missing_type) {
  struct partial_config : caf::actor_system_config {
    partial_config() {
      add_message_type<cart_add>("cartmate.cart_add");   // everything else missing
      set("logger.console", caf::atom("none"));
    }
  };
  partial_config cfg;
  caf::actor_system sys{cfg};
  auto err = verify_protocol_types(sys);
  ASSERT_TRUE(err);
  EXPECT_NE(describe(err).find("not registered"), std::string::npos) << describe(err);
}

TEST(protocol_errors, degradations_are_told_apart_from_answers) {
  EXPECT_TRUE(is_degradation(make_error(errc::timeout)));
  EXPECT_TRUE(is_degradation(make_error(errc::breaker_open)));
  EXPECT_FALSE(is_degradation(make_error(errc::not_found)));
  EXPECT_FALSE(is_degradation(caf::error{}));
  EXPECT_EQ(describe(make_error(errc::unavailable, "no live cart")), "unavailable: no live cart");
}

}  // namespace
}  // namespace cartmate::protocol
