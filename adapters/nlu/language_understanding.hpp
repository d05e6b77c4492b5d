// language_understanding.hpp — what a shopper's message means: an ordered plan of intents with slots,
// behind a small interface so an LLM-backed implementation can replace the offline one.
// Threading: implementations are immutable after construction; understand() is safe to call concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cartmate::nlu {

/// Everything a shopper can ask for. Keep the names in to_string() stable: replay scripts use them.
enum class intent : uint8_t {
  unknown,
  greet,
  help,
  search,               // a new product search
  refine,               // narrow or change the current results ("cheaper", "in blue", "anything else?")
  show_more,            // next page of the current results
  describe,             // details of a referenced item, or an attribute comparison of several
  add_to_cart,
  remove_from_cart,
  change_quantity,
  view_cart,
  checkout,
  confirm,              // answers a pending confirmation with yes
  cancel,               // answers a pending confirmation with no, or abandons the current action
  compare_prices,       // the same item at other retailers
  set_alert,
  list_alerts,
  delete_alert,
  like,
  dislike,
  remember_preference,  // "I wear size M", "my budget is 2000", "I don't like yellow"
  show_profile,
  forget_preferences,
  recommend,            // "recommend something", "in my style", "more like the ones I liked"
  list_orders,
};

inline constexpr std::array<intent, 25> all_intents = {
  intent::unknown,       intent::greet,           intent::help,
  intent::search,        intent::refine,          intent::show_more,
  intent::describe,      intent::add_to_cart,     intent::remove_from_cart,
  intent::change_quantity, intent::view_cart,     intent::checkout,
  intent::confirm,       intent::cancel,          intent::compare_prices,
  intent::set_alert,     intent::list_alerts,     intent::delete_alert,
  intent::like,          intent::dislike,         intent::remember_preference,
  intent::show_profile,  intent::forget_preferences, intent::recommend,
  intent::list_orders,
};

/// Stable snake_case name, e.g. "add_to_cart".
std::string_view to_string(intent x);

/// The intent named `name` (as to_string() spells it), or nothing.
std::optional<intent> intent_from_string(std::string_view name);

/// A price move relative to the results on screen.
enum class price_direction : uint8_t { cheaper, pricier };

std::string_view to_string(price_direction x);

/// How a message points at items the shopper has seen.
enum class reference_kind : uint8_t {
  ordinal,         // "the second one": index is 1-based; negative counts from the end (-1 = "the last one")
  cheapest,
  most_expensive,
  last_mentioned,  // "it", "that one", "this"
  all,             // "them", "both", "all of these"
  by_attributes,   // "the red one", "that black jacket": pick on screen by the step's slots
};

std::string_view to_string(reference_kind x);

struct reference {
  reference_kind kind = reference_kind::last_mentioned;
  int32_t index = 0;  // only for ordinal

  friend bool operator==(const reference& a, const reference& b) {
    return a.kind == b.kind && a.index == b.index;
  }
};

/// The values a step carries. Money is in minor units ("under 2000" -> max 200000).
/// Catalog-derived values (product_type, colour, brand, gender) use the catalog's own spelling.
struct slot_values {
  std::optional<std::string> product_type;
  std::optional<std::string> colour;          // the first colour named; further ones stay in `query`
  std::optional<std::string> exclude_colour;  // "not red", "anything but red"
  std::optional<std::string> brand;
  std::optional<std::string> gender;
  std::optional<int64_t> min_price_minor;
  std::optional<int64_t> max_price_minor;
  std::optional<price_direction> direction;
  std::optional<std::string> size;            // "M", "XL", "9", "UK 8"
  /// A count the shopper named, exactly as read ("add 0 of it" -> 0, "add 10^9 of them" -> 10^9,
  /// saturating at INT64_MAX): which counts are acceptable is the caller's policy, not this reader's.
  std::optional<int64_t> quantity;
  std::optional<reference> ref;
  bool similar = false;                       // "something like this": similar items to `ref`
  // alerts
  std::optional<int64_t> alert_threshold_minor;  // "tell me when it drops below 1500"
  std::optional<int32_t> alert_drop_percent;     // "... drops by 20%"
  bool alert_back_in_stock = false;
  // preferences: key is one of size, budget (minor units), colour, brand, product_type, gender,
  // avoid_colour, avoid_brand, avoid_product_type
  std::optional<std::string> preference_key;
  std::optional<std::string> preference_value;
  /// Content words no slot consumed, space-separated, for lexical search.
  std::string query;
};

/// One action of a plan.
struct step {
  intent act = intent::unknown;
  slot_values slots;
};

/// The plan of one message, in the order the shopper said it. Never empty: a message that
/// means nothing holds one step with intent::unknown.
struct understanding {
  std::vector<step> steps;
  bool truncated = false;  // the text was cut to max_message_bytes before processing
};

/// The step that changes most: cart and account actions over questions over browsing over likes
/// over chat; the first among equals. What a single-label evaluation compares.
const step& main_step(const understanding& u);

/// What the conversation knows that changes a message's meaning.
struct dialogue_hints {
  bool pending_confirmation = false;    // "yes"/"no" answer it
  bool awaiting_clarification = false;  // the assistant just asked "which one do you mean?"
  int32_t results_on_screen = 0;        // attribute-only messages refine these instead of searching
};

/// Turns one user message into a plan.
class language_understanding {
public:
  virtual ~language_understanding() = default;

  /// Never fails: text it cannot read yields intent::unknown.
  virtual understanding understand(std::string_view text, const dialogue_hints& hints) const = 0;
};

}  // namespace cartmate::nlu
