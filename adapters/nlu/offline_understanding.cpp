// offline_understanding.cpp — cue lexicon, clause splitting, slot extraction and the intent decision list.
// Threading: the cue table is built once (thread-safe static init) and only read afterwards.
#include "adapters/nlu/offline_understanding.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "adapters/nlu/tokens.hpp"

namespace cartmate::nlu {

namespace {

// ---- cue lexicon ----------------------------------------------------------------------------

enum class cue : uint8_t {
  none,
  // intent cues
  search_verb, want, search_hint, similar, show_more, more_word, refine_word, cheaper, pricier,
  recommend, describe_strong, question, attribute, how_attr, compare, compare_prices, retailer,
  add_strong, add_weak, remove_verb, quantity_word, change_verb, cart_noun, checkout,
  confirm_word, yes, no, cancel_word, alert_noun, back_in_stock, drop_verb, list_verb, orders,
  profile_noun, show_profile, forget_verb, forget_phrase, pref_statement, like, dislike, greet,
  help, clarify, same_word, like_weak, musing, cart_dest, search_noun, cheap_word, pricey_word,
  // slot helpers
  ordinal_word, last_word, ordinal_marker, cheapest, most_expensive, it_ref, this_that, all_ref,
  determiner, one_pronoun, price_max, price_min, between, range_to, around, budget, currency,
  percent, post_max, post_min, size_kw, size_word, qty_unit, negation, brand_marker, conj, filler,
  count_  // number of cues
};

constexpr size_t cue_count = static_cast<size_t>(cue::count_);

struct cue_entry {
  cue kind = cue::none;
  int32_t value = 0;   // ordinal index, plural flag, size letter ...
  bool opens = false;  // can start a new clause of its own
};

struct cue_row {
  std::string_view phrase;
  cue kind;
  int32_t value;
  bool opens;
};

constexpr bool O = true;   // opens a clause
constexpr bool I = false;  // inside a clause only

// Phrases are in normalised form: lower case, no apostrophes ("i'll" -> "ill").
constexpr cue_row cue_rows[] = {
  // search
  {"show me", cue::search_verb, 0, O}, {"show", cue::search_verb, 0, O}, {"find", cue::search_verb, 0, O},
  {"find me", cue::search_verb, 0, O}, {"search", cue::search_verb, 0, O}, {"search for", cue::search_verb, 0, O},
  {"look for", cue::search_verb, 0, O}, {"looking for", cue::search_verb, 0, O},
  {"im looking for", cue::search_verb, 0, O}, {"i am looking for", cue::search_verb, 0, O},
  {"do you have", cue::search_verb, 0, O}, {"have you got", cue::search_verb, 0, O},
  {"you have", cue::search_verb, 0, O}, {"got any", cue::search_verb, 0, O}, {"do you sell", cue::search_verb, 0, O},
  {"do you carry", cue::search_verb, 0, O}, {"are there", cue::search_verb, 0, O}, {"is there", cue::search_verb, 0, O},
  {"what do you have", cue::search_verb, 0, O}, {"what have you got", cue::search_verb, 0, O},
  {"what do you got", cue::search_verb, 0, O}, {"get me", cue::search_verb, 0, O}, {"browse", cue::search_verb, 0, O},
  {"shop for", cue::search_verb, 0, O}, {"shopping for", cue::search_verb, 0, O},
  {"in the market for", cue::search_verb, 0, O}, {"can i see", cue::search_verb, 0, O},
  {"let me see", cue::search_verb, 0, O}, {"see", cue::search_verb, 0, O}, {"point out", cue::search_verb, 0, O},
  {"help me find", cue::search_verb, 0, O}, {"suggest some", cue::recommend, 0, O},
  {"finding", cue::search_verb, 0, O}, {"searching", cue::search_verb, 0, O}, {"look at", cue::search_verb, 0, O},
  {"looking at", cue::search_verb, 0, O}, {"take a look", cue::search_verb, 0, O}, {"have a look", cue::search_verb, 0, O},
  {"point me to", cue::search_verb, 0, O}, {"point me towards", cue::search_verb, 0, O},
  {"direct me to", cue::search_verb, 0, O}, {"locate", cue::search_verb, 0, O}, {"pick out", cue::search_verb, 0, O},
  {"help me choose", cue::search_verb, 0, O}, {"help me pick", cue::search_verb, 0, O},
  {"like to see", cue::search_verb, 0, O}, {"id like to see", cue::search_verb, 0, O},
  {"i would like to see", cue::search_verb, 0, O}, {"want to see", cue::search_verb, 0, O},
  {"i want to see", cue::search_verb, 0, O}, {"tell me if there are", cue::search_verb, 0, O},
  {"tell me if there is", cue::search_verb, 0, O}, {"let me know if there are", cue::search_verb, 0, O},
  {"let me know if there is", cue::search_verb, 0, O}, {"let me know if you have", cue::search_verb, 0, O},
  {"tell me if you have", cue::search_verb, 0, O},
  {"want", cue::want, 0, O}, {"i want", cue::want, 0, O}, {"need", cue::want, 0, O}, {"i need", cue::want, 0, O},
  {"id like", cue::want, 0, O}, {"i would like", cue::want, 0, O}, {"would like", cue::want, 0, O},
  {"id love", cue::want, 0, O}, {"i would love", cue::want, 0, O}, {"i wouldnt mind", cue::want, 0, O},
  {"i wish", cue::want, 0, O}, {"id also like", cue::want, 0, O}, {"i would also like", cue::want, 0, O},
  {"id really like", cue::want, 0, O}, {"i would really like", cue::want, 0, O},
  {"i really would like", cue::want, 0, O}, {"id just like", cue::want, 0, O}, {"i also need", cue::want, 0, O},
  {"i also want", cue::want, 0, O}, {"i really want", cue::want, 0, O}, {"i just need", cue::want, 0, O},
  {"any", cue::search_hint, 0, I}, {"anything", cue::search_hint, 0, I}, {"something", cue::search_hint, 0, I},
  {"some", cue::search_hint, 0, I},
  // similar
  {"similar", cue::similar, 0, O}, {"similar to", cue::similar, 0, O}, {"something similar", cue::similar, 0, O},
  {"like this", cue::similar, 0, I}, {"like that", cue::similar, 0, I}, {"like these", cue::similar, 0, I},
  {"like those", cue::similar, 0, I}, {"something like", cue::similar, 0, O}, {"anything like", cue::similar, 0, O},
  {"one like", cue::similar, 0, I}, {"ones like", cue::similar, 0, I},
  {"resembles", cue::similar, 0, I}, {"resemble", cue::similar, 0, I}, {"resembling", cue::similar, 0, I},
  {"same style", cue::similar, 0, I}, {"kinda like", cue::similar, 0, I}, {"kind of like", cue::similar, 0, I},
  {"sort of like", cue::similar, 0, I}, {"same", cue::same_word, 0, I}, {"same as", cue::similar, 0, I}, {"the same as", cue::similar, 0, I}, {"looks like", cue::similar, 0, I}, {"look like", cue::similar, 0, I},
  // more / refine
  {"show more", cue::show_more, 0, O}, {"show me more", cue::show_more, 0, O}, {"more results", cue::show_more, 0, O},
  {"more options", cue::show_more, 0, O}, {"next page", cue::show_more, 0, O}, {"next", cue::show_more, 0, O},
  {"see more", cue::show_more, 0, O}, {"load more", cue::show_more, 0, O}, {"more please", cue::show_more, 0, O},
  {"keep going", cue::show_more, 0, O}, {"more of these", cue::show_more, 0, O}, {"more of them", cue::show_more, 0, O},
  {"more", cue::more_word, 0, I},
  {"other", cue::refine_word, 0, I}, {"others", cue::refine_word, 0, I}, {"else", cue::refine_word, 0, I},
  {"anything else", cue::refine_word, 0, O}, {"something else", cue::refine_word, 0, O},
  {"what else", cue::refine_word, 0, O}, {"instead", cue::refine_word, 0, I}, {"what about", cue::refine_word, 0, O},
  {"how about", cue::refine_word, 0, O}, {"only", cue::refine_word, 0, I}, {"different", cue::refine_word, 0, I},
  {"rather", cue::refine_word, 0, I}, {"narrow", cue::refine_word, 0, O}, {"filter", cue::refine_word, 0, O},
  {"any other", cue::refine_word, 0, I}, {"other options", cue::refine_word, 0, I},
  {"refine", cue::refine_word, 0, O}, {"narrow down", cue::refine_word, 0, O}, {"limit", cue::refine_word, 0, O},
  {"focus on", cue::refine_word, 0, O}, {"stick to", cue::refine_word, 0, O}, {"eliminate", cue::refine_word, 0, O},
  {"only show", cue::refine_word, 0, O}, {"try showing", cue::refine_word, 0, O},
  {"my search", cue::search_noun, 0, I}, {"the search", cue::search_noun, 0, I}, {"that search", cue::search_noun, 0, I},
  {"this search", cue::search_noun, 0, I}, {"the results", cue::search_noun, 0, I}, {"my results", cue::search_noun, 0, I},
  {"cheaper", cue::cheaper, 0, I}, {"less expensive", cue::cheaper, 0, I}, {"lower price", cue::cheaper, 0, I},
  {"lower priced", cue::cheaper, 0, I}, {"more affordable", cue::cheaper, 0, I}, {"cheap", cue::cheap_word, 0, I},
  {"affordable", cue::cheap_word, 0, I}, {"inexpensive", cue::cheap_word, 0, I}, {"budget friendly", cue::cheap_word, 0, I},
  {"low cost", cue::cheap_word, 0, I}, {"less costly", cue::cheaper, 0, I}, {"economical", cue::cheap_word, 0, I},
  {"pricier", cue::pricier, 0, I}, {"more expensive", cue::pricier, 0, I}, {"costlier", cue::pricier, 0, I},
  {"high end", cue::pricey_word, 0, I}, {"higher end", cue::pricier, 0, I}, {"premium", cue::pricey_word, 0, I},
  {"fancier", cue::pricier, 0, I}, {"fancy", cue::pricey_word, 0, I}, {"luxury", cue::pricey_word, 0, I},
  {"expensive", cue::pricey_word, 0, I}, {"higher priced", cue::pricier, 0, I}, {"more premium", cue::pricier, 0, I},
  // recommend
  {"recommend", cue::recommend, 0, O}, {"recommendation", cue::recommend, 0, O},
  {"recommendations", cue::recommend, 0, O}, {"suggest", cue::recommend, 0, O}, {"suggestion", cue::recommend, 0, O},
  {"suggestions", cue::recommend, 0, O}, {"in my style", cue::recommend, 0, I}, {"my style", cue::recommend, 0, I},
  {"match my style", cue::recommend, 0, I}, {"my taste", cue::recommend, 0, I}, {"suit me", cue::recommend, 0, I},
  {"suits me", cue::recommend, 0, I}, {"look good on me", cue::recommend, 0, I},
  {"my wardrobe", cue::recommend, 0, I}, {"my clothes", cue::recommend, 0, I}, {"my closet", cue::recommend, 0, I},
  {"my outfit", cue::recommend, 0, I}, {"go with my", cue::recommend, 0, I}, {"goes with my", cue::recommend, 0, I},
  {"what i usually wear", cue::recommend, 0, I}, {"what i wear", cue::recommend, 0, I},
  {"what should i wear", cue::recommend, 0, O}, {"surprise me", cue::recommend, 0, O},
  {"you think i might like", cue::recommend, 0, I}, {"you think i would like", cue::recommend, 0, I},
  {"i might like", cue::recommend, 0, I}, {"more like the ones i liked", cue::recommend, 0, O},
  {"like the ones i liked", cue::recommend, 0, I}, {"ones i liked", cue::recommend, 0, I},
  {"things i liked", cue::recommend, 0, I}, {"based on my", cue::recommend, 0, I},
  // describe
  {"describe", cue::describe_strong, 0, O}, {"tell me about", cue::describe_strong, 0, O},
  {"tell me more", cue::describe_strong, 0, O}, {"tell me more about", cue::describe_strong, 0, O},
  {"more about", cue::describe_strong, 0, I}, {"details", cue::describe_strong, 0, I},
  {"more details", cue::describe_strong, 0, I}, {"more info", cue::describe_strong, 0, I},
  {"more information", cue::describe_strong, 0, I}, {"what is it", cue::describe_strong, 0, O},
  {"what is this", cue::describe_strong, 0, O}, {"whats this", cue::describe_strong, 0, O},
  {"specs", cue::describe_strong, 0, I}, {"specifications", cue::describe_strong, 0, I},
  {"difference", cue::describe_strong, 0, I}, {"differences", cue::describe_strong, 0, I},
  {"can you tell me about", cue::describe_strong, 0, O}, {"tell me a little about", cue::describe_strong, 0, O},
  {"compares", cue::compare, 0, I}, {"compared", cue::compare, 0, I}, {"how different", cue::compare, 0, O},
  {"whats different", cue::compare, 0, O}, {"what is different", cue::compare, 0, O},
  {"are different", cue::compare, 0, I}, {"different from", cue::compare, 0, I}, {"differ", cue::compare, 0, I},
  {"measure up", cue::compare, 0, I}, {"different between", cue::compare, 0, I},
  {"compare", cue::compare, 0, O}, {"comparison", cue::compare, 0, I}, {"versus", cue::compare, 0, I},
  {"vs", cue::compare, 0, I}, {"how do they compare", cue::compare, 0, O},
  {"what", cue::question, 0, O}, {"whats", cue::question, 0, O}, {"what is", cue::question, 0, O},
  {"what are", cue::question, 0, O}, {"which", cue::question, 0, O}, {"how", cue::question, 0, O},
  {"tell me", cue::question, 0, O}, {"do you know", cue::question, 0, O},
  {"i want to know", cue::question, 0, O}, {"id like to know", cue::question, 0, O},
  {"i would like to know", cue::question, 0, O}, {"is it", cue::question, 0, O}, {"is this", cue::question, 0, O},
  {"is that", cue::question, 0, O}, {"does it", cue::question, 0, O}, {"does this", cue::question, 0, O},
  {"do they", cue::question, 0, O}, {"are they", cue::question, 0, O}, {"are these", cue::question, 0, O},
  {"are those", cue::question, 0, O}, {"give me", cue::question, 0, O}, {"let me know", cue::question, 0, O},
  {"who makes", cue::how_attr, 0, O}, {"who made", cue::how_attr, 0, O}, {"how much", cue::how_attr, 0, O},
  {"how expensive", cue::how_attr, 0, O}, {"how big", cue::how_attr, 0, O}, {"how large", cue::how_attr, 0, O},
  {"how long", cue::how_attr, 0, O}, {"how many", cue::how_attr, 0, O}, {"how much for", cue::how_attr, 0, O},
  {"price", cue::attribute, 0, I}, {"brand", cue::attribute, 0, I}, {"prices", cue::attribute, 0, I}, {"cost", cue::attribute, 0, I},
  {"costs", cue::attribute, 0, I}, {"priced", cue::attribute, 0, I}, {"brand", cue::attribute, 0, I},
  {"brands", cue::attribute, 0, I}, {"maker", cue::attribute, 0, I},
  {"who makes", cue::attribute, 0, I}, {"manufacturer", cue::attribute, 0, I},
  {"sizing", cue::attribute, 0, I}, {"available sizes", cue::attribute, 0, I}, {"rating", cue::attribute, 0, I},
  {"ratings", cue::attribute, 0, I}, {"rated", cue::attribute, 0, I}, {"review", cue::attribute, 0, I},
  {"reviews", cue::attribute, 0, I}, {"material", cue::attribute, 0, I}, {"fabric", cue::attribute, 0, I},
  {"made of", cue::attribute, 0, I}, {"made from", cue::attribute, 0, I}, {"colour", cue::attribute, 0, I},
  {"color", cue::attribute, 0, I}, {"colours", cue::attribute, 0, I}, {"colors", cue::attribute, 0, I},
  {"pattern", cue::attribute, 0, I}, {"sleeve length", cue::attribute, 0, I}, {"length", cue::attribute, 0, I},
  {"in stock", cue::attribute, 0, I}, {"available", cue::attribute, 0, I}, {"availability", cue::attribute, 0, I},
  {"delivery", cue::attribute, 0, I}, {"returns", cue::attribute, 0, I}, {"warranty", cue::attribute, 0, I},
  {"description", cue::attribute, 0, I}, {"features", cue::attribute, 0, I}, {"come in", cue::attribute, 0, I},
  {"comes in", cue::attribute, 0, I},
  // price comparison across retailers
  {"compare prices", cue::compare_prices, 0, O}, {"compare price", cue::compare_prices, 0, O},
  {"compare the price", cue::compare_prices, 0, O}, {"compare the prices", cue::compare_prices, 0, O},
  {"price comparison", cue::compare_prices, 0, O}, {"compare its price", cue::compare_prices, 0, O},
  {"elsewhere", cue::retailer, 0, I}, {"other stores", cue::retailer, 0, I}, {"other shops", cue::retailer, 0, I},
  {"other sites", cue::retailer, 0, I}, {"other websites", cue::retailer, 0, I},
  {"other retailers", cue::retailer, 0, I}, {"other sellers", cue::retailer, 0, I},
  {"anywhere else", cue::retailer, 0, I}, {"somewhere else", cue::retailer, 0, I}, {"online", cue::retailer, 0, I},
  {"best price", cue::retailer, 0, I}, {"better price", cue::retailer, 0, I}, {"best deal", cue::retailer, 0, I},
  {"better deal", cue::retailer, 0, I}, {"good deal", cue::retailer, 0, I}, {"other retailer", cue::retailer, 0, I},
  // cart
  {"add", cue::add_strong, 0, O}, {"put", cue::add_strong, 0, O}, {"throw in", cue::add_strong, 0, O},
  {"throw", cue::add_strong, 0, O}, {"toss", cue::add_strong, 0, O},
  {"buy", cue::add_weak, 0, O}, {"take", cue::add_weak, 0, O}, {"ill take", cue::add_weak, 0, O},
  {"i will take", cue::add_weak, 0, O}, {"ill get", cue::add_weak, 0, O}, {"get", cue::add_weak, 0, O},
  {"purchase", cue::add_weak, 0, O}, {"grab", cue::add_weak, 0, O}, {"ill have", cue::add_weak, 0, O},
  {"i will have", cue::add_weak, 0, O}, {"order", cue::add_weak, 0, O}, {"to buy", cue::add_weak, 0, I},
  {"give me", cue::add_weak, 0, O}, {"let me have", cue::add_weak, 0, O}, {"let me get", cue::add_weak, 0, O},
  {"let me take", cue::add_weak, 0, O}, {"ill go with", cue::add_weak, 0, O}, {"i will go with", cue::add_weak, 0, O},
  {"go with", cue::add_weak, 0, O}, {"i choose", cue::add_weak, 0, O}, {"ill choose", cue::add_weak, 0, O},
  {"i will buy", cue::add_weak, 0, O}, {"ill buy", cue::add_weak, 0, O},
  {"ill have to", cue::filler, 0, I}, {"i will have to", cue::filler, 0, I}, {"i have to", cue::filler, 0, I},
  {"think about", cue::musing, 0, I}, {"into consideration", cue::musing, 0, I}, {"in mind", cue::musing, 0, I},
  {"some thought", cue::musing, 0, I}, {"think it over", cue::musing, 0, I}, {"on second thought", cue::filler, 0, I},
  {"next to", cue::filler, 0, I}, {"talking about", cue::clarify, 0, I}, {"im talking about", cue::clarify, 0, I},
  {"i am talking about", cue::clarify, 0, I}, {"speaking about", cue::clarify, 0, I},
  {"i am speaking about", cue::clarify, 0, I},
  {"remove", cue::remove_verb, 0, O}, {"delete", cue::remove_verb, 0, O}, {"take out", cue::remove_verb, 0, O},
  {"take off", cue::remove_verb, 0, O}, {"get rid of", cue::remove_verb, 0, O}, {"drop", cue::remove_verb, 0, O},
  {"discard", cue::remove_verb, 0, O}, {"dont want", cue::remove_verb, 0, O}, {"do not want", cue::remove_verb, 0, O},
  {"no longer want", cue::remove_verb, 0, O}, {"i dont want", cue::remove_verb, 0, O},
  {"quantity", cue::quantity_word, 0, I}, {"qty", cue::quantity_word, 0, I},
  {"change", cue::change_verb, 0, O}, {"update", cue::change_verb, 0, O}, {"set", cue::change_verb, 0, O},
  {"make", cue::change_verb, 0, O}, {"make it", cue::change_verb, 0, O}, {"increase", cue::change_verb, 0, O},
  {"decrease", cue::change_verb, 0, O}, {"reduce", cue::change_verb, 0, O},
  {"cart", cue::cart_noun, 0, I}, {"my cart", cue::cart_noun, 0, I}, {"the cart", cue::cart_noun, 0, I},
  {"shopping cart", cue::cart_noun, 0, I}, {"basket", cue::cart_noun, 0, I}, {"my basket", cue::cart_noun, 0, I},
  {"my bag", cue::cart_noun, 0, I}, {"shopping bag", cue::cart_noun, 0, I}, {"to bag", cue::cart_dest, 0, I},
  {"to my cart", cue::cart_dest, 0, I}, {"into my cart", cue::cart_dest, 0, I}, {"in my cart", cue::cart_dest, 0, I},
  {"to the cart", cue::cart_dest, 0, I}, {"into the cart", cue::cart_dest, 0, I}, {"in the cart", cue::cart_dest, 0, I},
  {"to my bag", cue::cart_dest, 0, I}, {"into my bag", cue::cart_dest, 0, I}, {"in my bag", cue::cart_dest, 0, I},
  {"to my basket", cue::cart_dest, 0, I}, {"into my basket", cue::cart_dest, 0, I}, {"in my basket", cue::cart_dest, 0, I},
  {"checkout", cue::checkout, 0, O}, {"check out", cue::checkout, 0, O}, {"place order", cue::checkout, 0, O},
  {"place the order", cue::checkout, 0, O}, {"place my order", cue::checkout, 0, O},
  {"place an order", cue::checkout, 0, O}, {"pay", cue::checkout, 0, O}, {"pay now", cue::checkout, 0, O},
  {"proceed to payment", cue::checkout, 0, O}, {"proceed to checkout", cue::checkout, 0, O},
  {"complete my purchase", cue::checkout, 0, O}, {"complete the purchase", cue::checkout, 0, O},
  {"complete my order", cue::checkout, 0, O}, {"finish my order", cue::checkout, 0, O},
  {"buy everything", cue::checkout, 0, O}, {"buy it all", cue::checkout, 0, O},
  // confirmation
  {"confirm", cue::confirm_word, 0, O}, {"i confirm", cue::confirm_word, 0, O}, {"confirmed", cue::confirm_word, 0, O},
  {"yes", cue::yes, 0, O}, {"yeah", cue::yes, 0, O}, {"yep", cue::yes, 0, O}, {"yup", cue::yes, 0, O},
  {"y", cue::yes, 0, O}, {"sure", cue::yes, 0, O}, {"ok", cue::yes, 0, O}, {"okay", cue::yes, 0, O},
  {"alright", cue::yes, 0, O}, {"all right", cue::yes, 0, O}, {"go ahead", cue::yes, 0, O}, {"do it", cue::yes, 0, O},
  {"please do", cue::yes, 0, O}, {"sounds good", cue::yes, 0, O}, {"absolutely", cue::yes, 0, O},
  {"of course", cue::yes, 0, O}, {"correct", cue::yes, 0, O}, {"yes please", cue::yes, 0, O},
  {"lets do it", cue::yes, 0, O}, {"proceed", cue::yes, 0, O},
  {"no", cue::no, 0, O}, {"nope", cue::no, 0, O}, {"nah", cue::no, 0, O}, {"not now", cue::no, 0, O},
  {"no thanks", cue::no, 0, O}, {"no thank you", cue::no, 0, O}, {"dont", cue::no, 0, O},
  {"do not", cue::no, 0, O}, {"wait", cue::no, 0, O}, {"hold on", cue::no, 0, O}, {"not yet", cue::no, 0, O},
  {"cancel", cue::cancel_word, 0, O}, {"cancel it", cue::cancel_word, 0, O}, {"never mind", cue::cancel_word, 0, O},
  {"nevermind", cue::cancel_word, 0, O}, {"forget it", cue::cancel_word, 0, O},
  {"forget that", cue::cancel_word, 0, O}, {"abort", cue::cancel_word, 0, O}, {"stop", cue::cancel_word, 0, O},
  {"scratch that", cue::cancel_word, 0, O}, {"undo", cue::cancel_word, 0, O},
  // alerts
  {"alert", cue::alert_noun, 1, O}, {"alerts", cue::alert_noun, 2, O}, {"price alert", cue::alert_noun, 1, O},
  {"price alerts", cue::alert_noun, 2, O}, {"alert me", cue::alert_noun, 1, O}, {"notify", cue::alert_noun, 1, O},
  {"notify me", cue::alert_noun, 1, O}, {"notification", cue::alert_noun, 1, O},
  {"notifications", cue::alert_noun, 2, O}, {"let me know when", cue::alert_noun, 1, O},
  {"let me know if", cue::alert_noun, 1, O}, {"tell me when", cue::alert_noun, 1, O},
  {"tell me if", cue::alert_noun, 1, O}, {"ping me", cue::alert_noun, 1, O}, {"message me", cue::alert_noun, 1, O},
  {"watch the price", cue::alert_noun, 1, O}, {"track the price", cue::alert_noun, 1, O},
  {"keep an eye on", cue::alert_noun, 1, O}, {"email me", cue::alert_noun, 1, O}, {"remind me", cue::alert_noun, 1, O},
  {"inform me", cue::alert_noun, 1, O}, {"notifying", cue::alert_noun, 1, O}, {"watching", cue::alert_noun, 1, O},
  {"back in stock", cue::back_in_stock, 0, I}, {"in stock again", cue::back_in_stock, 0, I},
  {"available again", cue::back_in_stock, 0, I}, {"restocked", cue::back_in_stock, 0, I},
  {"comes back", cue::back_in_stock, 0, I}, {"becomes available", cue::back_in_stock, 0, I},
  {"drops", cue::drop_verb, 0, I}, {"falls", cue::drop_verb, 0, I}, {"goes down", cue::drop_verb, 0, I},
  {"reaches", cue::drop_verb, 0, I}, {"hits", cue::drop_verb, 0, I}, {"gets to", cue::drop_verb, 0, I},
  {"comes down", cue::drop_verb, 0, I}, {"goes on sale", cue::drop_verb, 0, I}, {"dropped", cue::drop_verb, 0, I},
  {"list", cue::list_verb, 0, O}, {"view", cue::list_verb, 0, O}, {"all my", cue::list_verb, 0, I},
  // orders and profile
  {"my orders", cue::orders, 0, O}, {"my order", cue::orders, 0, O}, {"order history", cue::orders, 0, O},
  {"past orders", cue::orders, 0, O}, {"previous orders", cue::orders, 0, O}, {"recent orders", cue::orders, 0, O},
  {"orders", cue::orders, 0, O}, {"what did i order", cue::orders, 0, O}, {"what did i buy", cue::orders, 0, O},
  {"what have i ordered", cue::orders, 0, O}, {"what have i bought", cue::orders, 0, O},
  {"where is my order", cue::orders, 0, O}, {"track my order", cue::orders, 0, O}, {"order status", cue::orders, 0, O},
  {"my purchases", cue::orders, 0, O}, {"purchase history", cue::orders, 0, O},
  {"my profile", cue::profile_noun, 0, I}, {"profile", cue::profile_noun, 0, I}, {"my preferences", cue::profile_noun, 0, I},
  {"preferences", cue::profile_noun, 0, I}, {"preference", cue::profile_noun, 0, I},
  {"my style profile", cue::profile_noun, 0, I}, {"my data", cue::profile_noun, 0, I},
  {"about me", cue::profile_noun, 0, I}, {"my settings", cue::profile_noun, 0, I},
  {"what do you know about me", cue::show_profile, 0, O}, {"what do you remember", cue::show_profile, 0, O},
  {"what do you know", cue::show_profile, 0, O}, {"what have you learned", cue::show_profile, 0, O},
  {"what have you learnt", cue::show_profile, 0, O}, {"who am i", cue::show_profile, 0, O},
  {"forget", cue::forget_verb, 0, O}, {"clear", cue::forget_verb, 0, O}, {"reset", cue::forget_verb, 0, O},
  {"erase", cue::forget_verb, 0, O}, {"wipe", cue::forget_verb, 0, O},
  {"forget everything", cue::forget_phrase, 0, O}, {"forget what i said", cue::forget_phrase, 0, O},
  {"forget what i told you", cue::forget_phrase, 0, O}, {"forget about me", cue::forget_phrase, 0, O},
  {"forget me", cue::forget_phrase, 0, O}, {"start fresh", cue::forget_phrase, 0, O},
  // preferences, likes
  {"i wear", cue::pref_statement, 0, O}, {"i usually wear", cue::pref_statement, 0, O},
  {"i normally wear", cue::pref_statement, 0, O}, {"i always wear", cue::pref_statement, 0, O},
  {"i only wear", cue::pref_statement, 0, O}, {"i am a size", cue::pref_statement, 0, O},
  {"im a size", cue::pref_statement, 0, O}, {"my size", cue::pref_statement, 0, O},
  {"my size is", cue::pref_statement, 0, O}, {"my budget", cue::pref_statement, 0, O},
  {"my budget is", cue::pref_statement, 0, O}, {"i prefer", cue::pref_statement, 0, O},
  {"i usually prefer", cue::pref_statement, 0, O}, {"my favourite", cue::pref_statement, 0, O},
  {"my favorite", cue::pref_statement, 0, O}, {"my favourite colour is", cue::pref_statement, 0, O},
  {"my favorite color is", cue::pref_statement, 0, O}, {"remember that", cue::pref_statement, 0, O},
  {"remember", cue::pref_statement, 0, O}, {"note that", cue::pref_statement, 0, O},
  {"i never wear", cue::dislike, 0, O},
  {"i like", cue::like, 0, O}, {"i really like", cue::like, 0, O}, {"i love", cue::like, 0, O},
  {"i really love", cue::like, 0, O}, {"love it", cue::like, 0, O}, {"love this", cue::like, 0, O},
  {"i liked", cue::like, 0, O}, {"really like", cue::like, 0, O}, {"actually like", cue::like, 0, O},
  {"do like", cue::like, 0, O}, {"also like", cue::like, 0, O}, {"i also like", cue::like, 0, O},
  {"i do like", cue::like, 0, O}, {"i actually like", cue::like, 0, O}, {"i favor", cue::like, 0, O},
  {"i favour", cue::like, 0, O}, {"looks nice", cue::like, 0, O},
  {"looks good", cue::like, 0, O}, {"looks great", cue::like, 0, O}, {"thumbs up", cue::like, 0, O},
  {"nice", cue::like_weak, 0, I}, {"beautiful", cue::like_weak, 0, I}, {"gorgeous", cue::like_weak, 0, I},
  {"lovely", cue::like_weak, 0, I}, {"cute", cue::like_weak, 0, I},
  {"wishlist", cue::like, 0, I}, {"i am fond of", cue::like, 0, O}, {"im fond of", cue::like, 0, O},
  {"i dont like", cue::dislike, 0, O}, {"i do not like", cue::dislike, 0, O}, {"dont like", cue::dislike, 0, O},
  {"i hate", cue::dislike, 0, O}, {"hate", cue::dislike, 0, O}, {"i dislike", cue::dislike, 0, O},
  {"dislike", cue::dislike, 0, O}, {"not a fan of", cue::dislike, 0, O}, {"im not a fan of", cue::dislike, 0, O},
  {"not my style", cue::dislike, 0, O}, {"not for me", cue::dislike, 0, O}, {"thumbs down", cue::dislike, 0, O},
  {"ugly", cue::dislike, 0, I}, {"not my taste", cue::dislike, 0, O}, {"i dont love", cue::dislike, 0, O},
  {"i dont really like", cue::dislike, 0, O},
  // social
  {"hi", cue::greet, 0, O}, {"hello", cue::greet, 0, O}, {"hey", cue::greet, 0, O}, {"hey there", cue::greet, 0, O},
  {"good morning", cue::greet, 0, O}, {"good afternoon", cue::greet, 0, O}, {"good evening", cue::greet, 0, O},
  {"namaste", cue::greet, 0, O}, {"howdy", cue::greet, 0, O}, {"greetings", cue::greet, 0, O},
  {"hiya", cue::greet, 0, O},
  {"help", cue::help, 0, O}, {"help me", cue::help, 0, O}, {"what can you do", cue::help, 0, O},
  {"how does this work", cue::help, 0, O}, {"what do you do", cue::help, 0, O}, {"how do i", cue::help, 0, O},
  {"commands", cue::help, 0, O}, {"instructions", cue::help, 0, O}, {"how to use", cue::help, 0, O},
  {"i mean", cue::clarify, 0, I}, {"i meant", cue::clarify, 0, I}, {"im referring to", cue::clarify, 0, I},
  {"i am referring to", cue::clarify, 0, I}, {"referring to", cue::clarify, 0, I}, {"i was talking about", cue::clarify, 0, I},
  // references
  {"first", cue::ordinal_word, 1, I}, {"second", cue::ordinal_word, 2, I}, {"third", cue::ordinal_word, 3, I},
  {"fourth", cue::ordinal_word, 4, I}, {"fifth", cue::ordinal_word, 5, I}, {"sixth", cue::ordinal_word, 6, I},
  {"seventh", cue::ordinal_word, 7, I}, {"eighth", cue::ordinal_word, 8, I}, {"ninth", cue::ordinal_word, 9, I},
  {"tenth", cue::ordinal_word, 10, I}, {"last", cue::last_word, -1, I}, {"second last", cue::ordinal_word, -2, I},
  {"second to last", cue::ordinal_word, -2, I}, {"final", cue::last_word, -1, I},
  {"number", cue::ordinal_marker, 0, I}, {"option", cue::ordinal_marker, 0, I}, {"item", cue::ordinal_marker, 0, I},
  {"item number", cue::ordinal_marker, 0, I}, {"product", cue::ordinal_marker, 0, I}, {"choice", cue::ordinal_marker, 0, I},
  {"result", cue::ordinal_marker, 0, I}, {"no", cue::no, 0, O},
  {"cheapest", cue::cheapest, 0, I}, {"least expensive", cue::cheapest, 0, I}, {"lowest priced", cue::cheapest, 0, I},
  {"lowest price", cue::cheapest, 0, I}, {"most affordable", cue::cheapest, 0, I}, {"least costly", cue::cheapest, 0, I},
  {"most expensive", cue::most_expensive, 0, I}, {"priciest", cue::most_expensive, 0, I},
  {"costliest", cue::most_expensive, 0, I}, {"highest priced", cue::most_expensive, 0, I},
  {"highest price", cue::most_expensive, 0, I}, {"most premium", cue::most_expensive, 0, I},
  {"it", cue::it_ref, 0, I}, {"that one", cue::it_ref, 0, I}, {"this one", cue::it_ref, 0, I},
  {"same one", cue::it_ref, 0, I}, {"this item", cue::it_ref, 0, I},
  {"that item", cue::it_ref, 0, I}, {"this product", cue::it_ref, 0, I}, {"that product", cue::it_ref, 0, I},
  {"this", cue::this_that, 0, I}, {"that", cue::this_that, 0, I},
  {"them", cue::all_ref, 0, I}, {"both", cue::all_ref, 0, I}, {"all", cue::all_ref, 0, I},
  {"all of them", cue::all_ref, 0, I}, {"all of these", cue::all_ref, 0, I}, {"all of those", cue::all_ref, 0, I},
  {"both of them", cue::all_ref, 0, I}, {"these", cue::all_ref, 0, I}, {"those", cue::all_ref, 0, I},
  {"everything", cue::all_ref, 0, I}, {"them both", cue::all_ref, 0, I}, {"all three", cue::all_ref, 0, I},
  {"each", cue::all_ref, 0, I}, {"the 2", cue::all_ref, 0, I}, {"those 2", cue::all_ref, 0, I},
  {"these 2", cue::all_ref, 0, I}, {"the same one", cue::it_ref, 0, I},
  {"the", cue::determiner, 0, I},
  {"one", cue::one_pronoun, 0, I}, {"ones", cue::one_pronoun, 0, I}, {"pair", cue::one_pronoun, 0, I},
  {"pairs", cue::one_pronoun, 0, I},
  // prices
  {"under", cue::price_max, 0, I}, {"below", cue::price_max, 0, I}, {"less than", cue::price_max, 0, I},
  {"lesser than", cue::price_max, 0, I}, {"cheaper than", cue::price_max, 0, I}, {"within", cue::price_max, 0, I},
  {"upto", cue::price_max, 0, I}, {"up to", cue::price_max, 0, I}, {"max", cue::price_max, 0, I},
  {"maximum", cue::price_max, 0, I}, {"at most", cue::price_max, 0, I}, {"no more than", cue::price_max, 0, I},
  {"not more than", cue::price_max, 0, I}, {"not over", cue::price_max, 0, I}, {"not above", cue::price_max, 0, I},
  {"lower than", cue::price_max, 0, I}, {"beneath", cue::price_max, 0, I}, {"for less than", cue::price_max, 0, I},
  {"for under", cue::price_max, 0, I}, {"not exceeding", cue::price_max, 0, I}, {"less then", cue::price_max, 0, I},
  {"over", cue::price_min, 0, I}, {"above", cue::price_min, 0, I}, {"more than", cue::price_min, 0, I},
  {"greater than", cue::price_min, 0, I}, {"at least", cue::price_min, 0, I}, {"min", cue::price_min, 0, I},
  {"minimum", cue::price_min, 0, I}, {"starting at", cue::price_min, 0, I}, {"starting from", cue::price_min, 0, I},
  {"costlier than", cue::price_min, 0, I}, {"higher than", cue::price_min, 0, I}, {"upwards of", cue::price_min, 0, I},
  {"pricier than", cue::price_min, 0, I}, {"more expensive than", cue::price_min, 0, I},
  {"between", cue::between, 0, I}, {"in the range", cue::between, 0, I}, {"range", cue::between, 0, I},
  {"from", cue::brand_marker, 0, I}, {"by", cue::brand_marker, 0, I}, {"made by", cue::brand_marker, 0, I},
  {"to", cue::range_to, 0, I}, {"till", cue::range_to, 0, I}, {"until", cue::range_to, 0, I},
  {"around", cue::around, 0, I}, {"about", cue::around, 0, I}, {"approx", cue::around, 0, I},
  {"approximately", cue::around, 0, I}, {"roughly", cue::around, 0, I}, {"close to", cue::around, 0, I},
  {"budget", cue::budget, 0, I}, {"budget of", cue::budget, 0, I}, {"budget is", cue::budget, 0, I},
  {"rs", cue::currency, 0, I}, {"inr", cue::currency, 0, I}, {"rupees", cue::currency, 0, I},
  {"rupee", cue::currency, 0, I}, {"usd", cue::currency, 0, I}, {"dollars", cue::currency, 0, I},
  {"dollar", cue::currency, 0, I}, {"bucks", cue::currency, 0, I}, {"eur", cue::currency, 0, I},
  {"euros", cue::currency, 0, I}, {"euro", cue::currency, 0, I},
  {"percent", cue::percent, 0, I}, {"per cent", cue::percent, 0, I}, {"pct", cue::percent, 0, I},
  {"or less", cue::post_max, 0, I}, {"or below", cue::post_max, 0, I}, {"and below", cue::post_max, 0, I},
  {"and under", cue::post_max, 0, I}, {"or under", cue::post_max, 0, I}, {"or cheaper", cue::post_max, 0, I},
  {"at the most", cue::post_max, 0, I}, {"tops", cue::post_max, 0, I},
  {"or more", cue::post_min, 0, I}, {"and above", cue::post_min, 0, I}, {"or above", cue::post_min, 0, I},
  {"and up", cue::post_min, 0, I}, {"plus", cue::post_min, 0, I}, {"or higher", cue::post_min, 0, I},
  {"and over", cue::post_min, 0, I}, {"onwards", cue::post_min, 0, I}, {"upwards", cue::post_min, 0, I},
  // sizes and quantities
  {"size", cue::size_kw, 0, I}, {"sizes", cue::size_kw, 0, I}, {"sized", cue::size_kw, 0, I},
  {"in size", cue::size_kw, 0, I}, {"size of", cue::size_kw, 0, I},
  {"small", cue::size_word, 'S', I}, {"medium", cue::size_word, 'M', I}, {"large", cue::size_word, 'L', I},
  {"x", cue::qty_unit, 0, I}, {"pieces", cue::qty_unit, 0, I}, {"piece", cue::qty_unit, 0, I},
  {"pcs", cue::qty_unit, 0, I}, {"units", cue::qty_unit, 0, I}, {"unit", cue::qty_unit, 0, I},
  {"copies", cue::qty_unit, 0, I}, {"times", cue::qty_unit, 0, I}, {"items", cue::qty_unit, 0, I},
  {"not", cue::negation, 0, I}, {"without", cue::negation, 0, I}, {"except", cue::negation, 0, I},
  {"but not", cue::negation, 0, I}, {"other than", cue::negation, 0, I}, {"anything but", cue::negation, 0, I},
  {"excluding", cue::negation, 0, I}, {"avoid", cue::negation, 0, I}, {"never", cue::negation, 0, I},
  {"no more", cue::negation, 0, I},
  // clause glue
  {"and", cue::conj, 0, I}, {"then", cue::conj, 0, I}, {"and then", cue::conj, 0, I}, {"also", cue::conj, 0, I},
  {"and also", cue::conj, 0, I}, {"after that", cue::conj, 0, I}, {"but", cue::conj, 0, I},
  {"as well as", cue::conj, 0, I},
  {"i", cue::filler, 0, I}, {"im", cue::filler, 0, I}, {"ill", cue::filler, 0, I}, {"id", cue::filler, 0, I},
  {"we", cue::filler, 0, I}, {"lets", cue::filler, 0, I}, {"let", cue::filler, 0, I}, {"let me", cue::filler, 0, I},
  {"can", cue::filler, 0, I}, {"could", cue::filler, 0, I}, {"would", cue::filler, 0, I}, {"will", cue::filler, 0, I},
  {"you", cue::filler, 0, I}, {"u", cue::filler, 0, I}, {"please", cue::filler, 0, I}, {"pls", cue::filler, 0, I},
  {"plz", cue::filler, 0, I}, {"so", cue::filler, 0, I}, {"now", cue::filler, 0, I}, {"just", cue::filler, 0, I},
  {"actually", cue::filler, 0, I}, {"maybe", cue::filler, 0, I}, {"kindly", cue::filler, 0, I},
  {"well", cue::filler, 0, I}, {"oh", cue::filler, 0, I}, {"hm", cue::filler, 0, I}, {"hmm", cue::filler, 0, I},
  {"can you", cue::filler, 0, I}, {"could you", cue::filler, 0, I}, {"would you", cue::filler, 0, I},
  {"will you", cue::filler, 0, I}, {"can i", cue::filler, 0, I}, {"could i", cue::filler, 0, I},
  {"may i", cue::filler, 0, I}, {"i think", cue::filler, 0, I}, {"i guess", cue::filler, 0, I},
  {"thanks", cue::filler, 0, I}, {"thank you", cue::filler, 0, I}, {"perfect", cue::filler, 0, I},
  {"great", cue::filler, 0, I}, {"cool", cue::filler, 0, I}, {"awesome", cue::filler, 0, I},
  {"really", cue::filler, 0, I}, {"go", cue::filler, 0, I}, {"lastly", cue::filler, 0, I},
  {"finally", cue::filler, 0, I}, {"additionally", cue::filler, 0, I},
};

struct cue_table {
  std::unordered_map<std::string_view, cue_entry> map;
  std::unordered_set<std::string_view> first_words;
  size_t max_words = 1;
};

const cue_table& cues() {
  static const cue_table table = [] {
    cue_table t;
    for (const auto& row : cue_rows) {
      t.map[row.phrase] = cue_entry{row.kind, row.value, row.opens};
      t.first_words.insert(row.phrase.substr(0, row.phrase.find(' ')));
      auto words = static_cast<size_t>(std::count(row.phrase.begin(), row.phrase.end(), ' ') + 1);
      t.max_words = std::max(t.max_words, words);
    }
    return t;
  }();
  return table;
}

// Dropped from the free-text query: they carry no product meaning.
const std::unordered_set<std::string_view>& stop_words() {
  static const std::unordered_set<std::string_view> words = {
    "a", "an", "the", "of", "for", "to", "in", "on", "with", "me", "my", "i", "you", "your", "some",
    "please", "can", "could", "would", "will", "is", "are", "am", "be", "do", "does", "have", "has",
    "any", "anything", "something", "that", "this", "those", "these", "it", "them", "one", "ones",
    "and", "or", "also", "then", "just", "really", "very", "so", "there", "here", "what", "which",
    "how", "show", "get", "want", "need", "like", "now", "too", "as", "at", "by", "from", "up",
    "out", "about", "we", "us", "our", "im", "ill", "id", "ok", "okay", "hi", "hello", "thanks",
    "thank", "got", "looking", "look", "find", "see", "if", "its", "was", "were", "been", "but",
    "not", "no", "yes", "new", "other", "else", "more", "maybe", "kind", "sort", "thing", "things",
    "item", "items", "else", "today", "please", "either", "which", "where", "when", "who", "why",
    "whats", "hey", "buy", "give", "let", "lets", "let", "go", "all", "both", "same", "there",
  };
  return words;
}

// ---- spans ----------------------------------------------------------------------------------

// One matched phrase of the message: a cue, a vocabulary term, a number or a plain word.
struct span {
  size_t first = 0;  // token range [first, last)
  size_t last = 0;
  token_kind kind = token_kind::word;
  cue c = cue::none;
  int32_t value = 0;
  bool opens = false;
  const term* t = nullptr;
  double number = 0;
};

const term* pick_term(const std::vector<term>& terms, bool marker_before) {
  static constexpr term_kind order[] = {term_kind::colour, term_kind::product_type, term_kind::gender,
                                        term_kind::size, term_kind::brand};
  for (auto kind : order)
    for (const auto& t : terms)
      if (t.kind == kind && (kind != term_kind::brand || !t.needs_marker || marker_before))
        return &t;
  return nullptr;
}

std::vector<span> annotate(const std::vector<token>& toks, const vocabulary& vocab) {
  const auto& table = cues();
  const size_t limit = std::max(table.max_words, vocab.max_words());
  std::vector<span> out;
  out.reserve(toks.size());
  std::string key;
  std::vector<size_t> ends;
  for (size_t i = 0; i < toks.size();) {
    const auto& tk = toks[i];
    if (tk.kind != token_kind::word) {
      out.push_back(span{i, i + 1, tk.kind, cue::none, 0, false, nullptr, tk.value});
      ++i;
      continue;
    }
    bool in_vocab = vocab.starts_phrase(tk.text);
    bool in_cues = table.first_words.count(tk.text) > 0;
    bool marker_before = !out.empty()
                         && (out.back().c == cue::brand_marker
                             || (out.back().c == cue::attribute && toks[out.back().first].text == "brand"));
    bool matched = false;
    if (in_vocab || in_cues) {
      key.clear();
      ends.clear();
      for (size_t j = i; j < toks.size() && j - i < limit && toks[j].kind != token_kind::punct; ++j) {
        if (j > i)
          key.push_back(' ');
        key += toks[j].text;
        ends.push_back(key.size());
      }
      for (size_t n = ends.size(); n >= 1 && !matched; --n) {
        std::string_view k(key.data(), ends[n - 1]);
        const term* found = nullptr;
        if (in_vocab)
          if (const auto* terms = vocab.find(k))
            found = pick_term(*terms, marker_before);
        const cue_entry* ce = nullptr;
        if (in_cues) {
          auto it = table.map.find(k);
          if (it != table.map.end())
            ce = &it->second;
        }
        if (found != nullptr && ce != nullptr && found->kind == term_kind::brand && found->needs_marker
            && !marker_before)
          found = nullptr;  // "and", "only": the word's ordinary meaning wins
        if (found != nullptr) {
          out.push_back(span{i, i + n, token_kind::word, cue::none, 0, false, found, 0});
          matched = true;
        } else if (ce != nullptr) {
          out.push_back(span{i, i + n, token_kind::word, ce->kind, ce->value, ce->opens, nullptr, 0});
          matched = true;
        }
        if (matched)
          i += n;
      }
    }
    if (!matched) {
      out.push_back(span{i, i + 1, token_kind::word, cue::none, 0, false, nullptr, 0});
      ++i;
    }
  }
  return out;
}

bool is_boundary(const span& s) {
  return s.kind == token_kind::punct || s.c == cue::conj;
}

bool is_yes_no(const span& s) {
  return s.c == cue::yes || s.c == cue::no;
}

bool opens_intent(const span& s, const dialogue_hints& hints) {
  if (!s.opens)
    return false;
  return !is_yes_no(s) || hints.pending_confirmation;
}

bool is_filler(const span& s, const dialogue_hints& hints) {
  return s.c == cue::filler || (is_yes_no(s) && !hints.pending_confirmation);
}

// Clauses as span ranges: a boundary (punctuation, "and", "then") splits only when what follows
// starts with a new intent cue, so "black and white shirts" stays whole.
std::vector<std::pair<size_t, size_t>> split_clauses(const std::vector<span>& spans,
                                                     const dialogue_hints& hints) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t start = 0;
  for (size_t k = 0; k < spans.size(); ++k) {
    if (!is_boundary(spans[k]))
      continue;
    bool opens = false;
    for (size_t m = k + 1; m < spans.size(); ++m) {
      if (opens_intent(spans[m], hints)) {
        opens = true;
        break;
      }
      if (!is_boundary(spans[m]) && !is_filler(spans[m], hints))
        break;
    }
    if (opens) {
      out.emplace_back(start, k);
      start = k + 1;
    }
  }
  out.emplace_back(start, spans.size());
  return out;
}

// ---- slot extraction ------------------------------------------------------------------------

struct clause_facts {
  std::array<uint8_t, cue_count> counts{};
  bool attribute_asked = false;   // "what sizes", "the price"
  bool plural_alert = false;
  cue first_cue = cue::none;      // first span that is not filler or glue
  int ref_rank = -1;               // strength of slots.ref: 3 explicit, 2 "it", 1 all, 0 by attributes
  int content_words = 0;          // plain words that are neither cues, terms nor stop words
  size_t ref_pos = 0;             // span of the reference
  size_t weak_verb_pos = 0;       // span of the last "take"/"get"/"want"
  bool has_weak_verb = false;
  bool drop_word = false;
  bool opening_cue = false;       // some span names an intent by itself
  bool new_noun_phrase = false;   // a search cue followed by words naming a thing: "show me X"
  bool other_shop = false;        // "on amazon", "at flipkart": a name after on/at
  bool price_word = false;        // "how much", "price", "cost"
  std::vector<size_t> loose_numbers;

  bool has(cue c) const { return counts[static_cast<size_t>(c)] > 0; }
};

int64_t to_minor(double major) {
  if (!(major >= 0))
    return 0;
  double minor = std::round(major * 100.0);
  return minor > 1e15 ? static_cast<int64_t>(1e15) : static_cast<int64_t>(minor);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& ch : out)
    if (ch >= 'a' && ch <= 'z')
      ch = static_cast<char>(ch - 'a' + 'A');
  return out;
}

std::string number_text(double v) {
  if (v == std::floor(v) && v < 1e9)
    return std::to_string(static_cast<int64_t>(v));
  return std::to_string(v);
}

// A whole, non-negative number as a count, saturating at INT64_MAX; nothing for fractions.
std::optional<int64_t> count_of(double v) {
  if (!(v >= 0) || v != std::floor(v))
    return std::nullopt;
  if (v >= 9.2e18)
    return INT64_MAX;
  return static_cast<int64_t>(v);
}

class clause_reader {
public:
  clause_reader(const std::vector<span>& spans, size_t b, size_t e, const std::vector<token>& toks)
      : spans_(spans), b_(b), e_(e), toks_(toks), used_(e - b, false) {}

  void read(slot_values& s, clause_facts& f) {
    count_cues(f);
    read_terms(s);
    read_helpers(s, f);
    read_phrases(f);
  }

  /// Words of the clause no slot or cue consumed.
  std::string remainder() const {
    std::string out;
    const auto& stops = stop_words();
    for (size_t k = b_; k < e_; ++k) {
      const auto& sp = spans_[k];
      if (used_[k - b_] || sp.kind == token_kind::punct)
        continue;
      bool keep = sp.t != nullptr || sp.kind == token_kind::number
                  || (sp.c == cue::none && sp.kind == token_kind::word);
      if (!keep)
        continue;
      for (size_t i = sp.first; i < sp.last; ++i) {
        const auto& text = toks_[i].text;
        if (sp.t == nullptr && stops.count(text) > 0)
          continue;
        if (!out.empty())
          out.push_back(' ');
        out += text;
      }
    }
    return out;
  }

  void use(size_t k) {
    if (k >= b_ && k < e_)
      used_[k - b_] = true;
  }

private:
  const span* at(size_t k) const { return k >= b_ && k < e_ ? &spans_[k] : nullptr; }
  const span* before(size_t k, size_t back = 1) const { return k >= b_ + back ? &spans_[k - back] : nullptr; }
  std::string_view text(const span* s) const { return s == nullptr ? std::string_view{} : std::string_view(toks_[s->first].text); }

  void count_cues(clause_facts& f) {
    for (size_t k = b_; k < e_; ++k) {
      const auto& sp = spans_[k];
      if (sp.c != cue::none) {
        auto& n = f.counts[static_cast<size_t>(sp.c)];
        if (n < 255)
          ++n;
      }
      if (sp.c == cue::alert_noun && sp.value == 2)
        f.plural_alert = true;
      if (sp.c == cue::attribute && asked_about(k))
        f.attribute_asked = true;
      if (sp.c == cue::add_weak || sp.c == cue::want)
        f.has_weak_verb = true;
      if (names_price(sp))
        f.price_word = true;
      if (sp.c == cue::remove_verb && toks_[sp.first].text == "drop")
        f.drop_word = true;
      if (sp.opens && sp.c != cue::filler && !is_yes_no(sp))
        f.opening_cue = true;
      if (f.first_cue == cue::none && sp.c != cue::filler && !is_boundary(sp))
        f.first_cue = sp.c == cue::none ? cue::count_ : sp.c;  // count_: not a cue
      if (sp.c == cue::none && sp.t == nullptr && sp.kind == token_kind::word
          && stop_words().count(toks_[sp.first].text) == 0)
        ++f.content_words;
    }
  }

  bool names_price(const span& sp) const {
    static const std::unordered_set<std::string_view> words = {"price", "prices", "cost", "costs",
                                                               "priced"};
    if (sp.c == cue::attribute)
      return words.count(toks_[sp.first].text) > 0;
    if (sp.c == cue::how_attr && sp.last - sp.first >= 2)  // "how much", "how expensive"
      return toks_[sp.first + 1].text == "much" || toks_[sp.first + 1].text == "expensive";
    return false;
  }

  // "the price", "what brand", "its sizes": an attribute asked about, not a constraint
  // ("with good reviews", "the same size as").
  bool asked_about(size_t k) const {
    const span* p = before(k);
    if (p == nullptr)
      return false;
    auto word = text(p);
    if (p->c == cue::determiner || p->c == cue::question || p->c == cue::how_attr || word == "its"
        || word == "their" || word == "whats")
      return true;
    if (p->c == cue::conj && word == "and") {  // "the brand and available sizes"
      const span* q = before(k, 2);
      return q != nullptr && (q->c == cue::attribute || q->c == cue::size_kw) && asked_about(k - 2);
    }
    return false;
  }

  bool negated(size_t k) const {
    for (size_t back = 1; back <= 2; ++back) {
      const span* p = before(k, back);
      if (p == nullptr)
        return false;
      if (p->c == cue::negation || p->c == cue::no || p->c == cue::dislike || p->c == cue::remove_verb)
        return true;
      if (p->t != nullptr || p->c == cue::conj)
        return false;  // "not red and blue": only the first colour
    }
    return false;
  }

  void read_terms(slot_values& s) {
    const term* best_type = nullptr;
    size_t best_k = 0;
    for (size_t k = b_; k < e_; ++k) {
      const auto* t = spans_[k].t;
      if (t == nullptr)
        continue;
      switch (t->kind) {
        case term_kind::colour:
          if (negated(k)) {
            if (!s.exclude_colour) {
              s.exclude_colour = t->value;
              use(k);
            }
          } else if (!s.colour) {
            s.colour = t->value;
            use(k);
          }
          break;
        case term_kind::brand:
          if (!s.brand) {
            s.brand = t->value;
            use(k);
          }
          break;
        case term_kind::gender:
          if (!s.gender) {
            s.gender = t->value;
            use(k);
          }
          break;
        case term_kind::size:
          if (!s.size) {
            s.size = t->value;
            use(k);
          }
          break;
        case term_kind::product_type:
          // The most common type wins over a rare one a noisy catalog made of a common word;
          // among equals the last (English puts the head noun last).
          if (best_type == nullptr || t->weight >= best_type->weight) {
            best_type = t;
            best_k = k;
          }
          break;
      }
    }
    if (best_type != nullptr) {
      s.product_type = best_type->value;
      use(best_k);
    }
  }

  // A size value after "size", "in", "wear": letters, numbers, small/medium/large, "uk 8".
  bool read_size_value(size_t k, slot_values& s) {
    const span* v = at(k);
    if (v == nullptr)
      return false;
    if (v->c == cue::determiner || text(v) == "a") {  // "a medium"
      v = at(k + 1);
      if (v == nullptr)
        return false;
      ++k;
    }
    if (v->t != nullptr && v->t->kind == term_kind::size) {
      s.size = v->t->value;
      use(k);
      return true;
    }
    if (v->c == cue::size_word) {
      s.size = std::string(1, static_cast<char>(v->value));
      use(k);
      return true;
    }
    auto word = text(v);
    if (v->kind == token_kind::word && v->c == cue::none && v->t == nullptr
        && (word == "s" || word == "m" || word == "l")) {
      s.size = upper(word);
      use(k);
      return true;
    }
    if (v->kind == token_kind::number && v->number < 100) {
      s.size = number_text(v->number);
      use(k);
      return true;
    }
    if ((word == "uk" || word == "us" || word == "eu") && at(k + 1) != nullptr
        && at(k + 1)->kind == token_kind::number) {
      s.size = upper(word) + " " + number_text(at(k + 1)->number);
      use(k);
      use(k + 1);
      return true;
    }
    return false;
  }

  void set_ref(slot_values& s, clause_facts& f, reference r, int rank, size_t k) {
    if (rank > f.ref_rank) {
      s.ref = r;
      f.ref_rank = rank;
      f.ref_pos = k;
    }
  }

  // "the blue jacket", "that one", "the red ones": a definite phrase pointing at seen items.
  bool definite_ahead(size_t k) const {
    for (size_t m = k + 1; m < e_ && m <= k + 7; ++m) {
      const auto& sp = spans_[m];
      if ((sp.t != nullptr && sp.t->kind == term_kind::product_type) || sp.c == cue::one_pronoun)
        return true;
      if (sp.c == cue::conj && text(&sp) == "and" && m + 1 < e_ && spans_[m + 1].t != nullptr)
        continue;  // "the grey and white one"
      if (sp.opens || sp.kind != token_kind::word || is_boundary(sp) || sp.c == cue::ordinal_marker)
        return false;
    }
    return false;
  }

  void read_helpers(slot_values& s, clause_facts& f) {
    for (size_t k = b_; k < e_; ++k) {
      const auto& sp = spans_[k];
      if (sp.kind == token_kind::number) {
        read_number(k, s, f);
        continue;
      }
      if (sp.kind == token_kind::ordinal) {
        set_ref(s, f, reference{reference_kind::ordinal, static_cast<int32_t>(sp.number)}, 3, k);
        use(k);
        continue;
      }
      switch (sp.c) {
        case cue::size_kw:
          use(k);
          if (!read_size_value(k + 1, s) && asked_about(k))
            f.attribute_asked = true;  // "what sizes does it come in"
          break;
        case cue::pref_statement:
          if (!s.size) {
            const span* n = at(k + 1);
            if (n != nullptr && n->c == cue::size_kw)
              break;  // "i wear size m": the size keyword reads it
            read_size_value(k + 1, s);
          }
          break;
        case cue::size_word: {
          const span* p = before(k);
          if (!s.size && p != nullptr && text(p) == "in")
            read_size_value(k, s);
          break;
        }
        case cue::ordinal_word:
          set_ref(s, f, reference{reference_kind::ordinal, sp.value}, 3, k);
          use(k);
          break;
        case cue::last_word: {
          const span* p = before(k);
          const span* n = at(k + 1);
          if ((p != nullptr && (p->c == cue::determiner || p->c == cue::this_that))
              || (n != nullptr && (n->c == cue::one_pronoun || n->c == cue::ordinal_marker))) {
            set_ref(s, f, reference{reference_kind::ordinal, -1}, 3, k);
            use(k);
          }
          break;
        }
        case cue::cheapest:
          set_ref(s, f, reference{reference_kind::cheapest, 0}, 3, k);
          use(k);
          break;
        case cue::most_expensive:
          set_ref(s, f, reference{reference_kind::most_expensive, 0}, 3, k);
          use(k);
          break;
        case cue::it_ref:
          set_ref(s, f, reference{reference_kind::last_mentioned, 0}, 2, k);
          break;
        case cue::this_that: {
          const span* n = at(k + 1);
          static const std::unordered_set<std::string_view> light = {
            "to", "in", "into", "for", "please", "too", "also", "as", "with", "on", "from", "and",
            "one", "item", "product", "now", "again", "instead", "cost", "costs", "look", "looks"};
          if (n == nullptr || is_boundary(*n) || n->c == cue::one_pronoun || n->c == cue::attribute
              || light.count(text(n)) > 0)
            set_ref(s, f, reference{reference_kind::last_mentioned, 0}, 2, k);
          else if (definite_ahead(k))
            set_ref(s, f, reference{reference_kind::by_attributes, 0}, 0, k);
          break;
        }
        case cue::all_ref:
          set_ref(s, f, reference{reference_kind::all, 0}, 1, k);
          break;
        case cue::determiner:
          if (definite_ahead(k))
            set_ref(s, f, reference{reference_kind::by_attributes, 0}, 0, k);
          break;
        case cue::cheaper:
          s.direction = price_direction::cheaper;
          use(k);
          break;
        case cue::pricier:
        case cue::pricey_word:
          s.direction = price_direction::pricier;
          use(k);
          break;
        case cue::cheap_word:
          s.direction = price_direction::cheaper;
          use(k);
          break;
        case cue::add_weak:
        case cue::want:
          f.weak_verb_pos = k;
          break;
        case cue::similar:
          s.similar = true;
          break;
        case cue::same_word:  // "the same size as the grey one"
          for (size_t m = k + 1; m < e_ && m <= k + 6; ++m)
            if (text(&spans_[m]) == "as" || spans_[m].c == cue::similar)
              s.similar = true;
          break;
        case cue::back_in_stock:
          s.alert_back_in_stock = true;
          break;
        default:
          break;
      }
    }
  }

  // A word no cue, term or stop word claims: likely a noun or adjective of the shopper's own.
  bool plain_content(const span& sp) const {
    return sp.kind == token_kind::word && sp.c == cue::none && sp.t == nullptr
           && stop_words().count(toks_[sp.first].text) == 0;
  }

  // Words the stop list keeps for the search query but that never head a noun phrase.
  static bool function_word(std::string_view word) {
    static const std::unordered_set<std::string_view> words = {
      "before", "after", "again", "yet", "though", "instead", "first", "else", "even", "still",
      "should", "might", "must", "may", "whether", "into", "onto", "than", "because", "while"};
    return words.count(word) > 0;
  }

  // Nouns that stand for "some of what you sell" rather than naming a thing.
  static bool placeholder_noun(std::string_view word) {
    static const std::unordered_set<std::string_view> words = {
      "option", "options", "idea", "ideas", "choice", "choices", "alternative", "alternatives",
      "stuff", "styles", "style", "kinds", "types", "type", "selection", "selections",
      "recommendation", "suggestion", "variety", "range", "collection"};
    return words.count(word) > 0;
  }

  // Phrases read from word order rather than from single cues.
  void read_phrases(clause_facts& f) {
    // Where things are on a shop floor or how they are sold, not who sells them.
    static const std::unordered_set<std::string_view> not_a_shop = {
      "sale", "display", "discount", "offer", "offers", "clearance", "average", "left", "right",
      "top", "bottom", "rack", "racks", "shelf", "shelves", "wall", "floor", "table", "hanger",
      "mannequin", "screen", "page", "delivery", "shipping", "emi", "credit", "installments"};
    for (size_t k = b_; k < e_; ++k) {
      const auto& sp = spans_[k];
      if (sp.c == cue::search_verb || sp.c == cue::want)
        f.new_noun_phrase = f.new_noun_phrase || names_a_thing(k + 1);
      auto word = text(&sp);
      if (sp.c == cue::none && sp.t == nullptr && (word == "on" || word == "at")) {
        const span* n = at(k + 1);
        if (n != nullptr && plain_content(*n) && not_a_shop.count(text(n)) == 0)
          f.other_shop = true;
      }
    }
  }

  // "show me [a] [purple] unicorn spaceships": after articles and catalog modifiers come words
  // of the shopper's own that end the phrase as its head. "a bigger size", "purple ones", "something
  // in blue" name no new thing: their head is an attribute, a pronoun or a placeholder.
  bool names_a_thing(size_t k) const {
    size_t words = 0;
    std::string_view last_word;
    for (; k < e_; ++k) {
      const auto& sp = spans_[k];
      auto word = sp.last - sp.first == 1 ? text(&sp) : std::string_view{};
      if (words == 0 && (word == "a" || word == "an" || word == "some" || word == "any"))
        continue;
      if (words == 0 && (sp.c == cue::filler
                         || (sp.t != nullptr && sp.t->kind != term_kind::product_type)))
        continue;
      if (!plain_content(sp) || function_word(text(&sp)))
        break;
      last_word = text(&sp);
      ++words;
    }
    if (words == 0 || placeholder_noun(last_word))
      return false;
    if (k >= e_)
      return true;
    switch (spans_[k].c) {
      case cue::size_kw: case cue::size_word: case cue::attribute: case cue::one_pronoun:
      case cue::similar: case cue::same_word: case cue::cheaper: case cue::pricier:
      case cue::refine_word: case cue::more_word: case cue::ordinal_marker:
        return false;
      default:
        return true;
    }
  }

  // The role of a number from its neighbours: price bound, range, percent, quantity, ordinal.
  void read_number(size_t k, slot_values& s, clause_facts& f) {
    if (used_[k - b_])
      return;
    const double v = spans_[k].number;
    bool currency = false;
    size_t pk = k;
    const span* p1 = before(pk);
    if (p1 != nullptr && p1->c == cue::currency) {
      currency = true;
      --pk;
      p1 = before(pk);
    }
    const span* p2 = before(pk, 2);
    size_t nk = k + 1;
    const span* n1 = at(nk);
    if (n1 != nullptr && n1->c == cue::currency) {
      currency = true;
      ++nk;
      n1 = at(nk);
    }
    use(k);
    auto cue_of = [](const span* x) { return x == nullptr ? cue::none : x->c; };
    auto second_number = [&](size_t from) -> const span* {
      const span* x = at(from);
      if (x != nullptr && x->c == cue::currency)
        x = at(++from);
      return x != nullptr && x->kind == token_kind::number ? x : nullptr;
    };
    auto use_span = [&](const span* x) { use(static_cast<size_t>(x - spans_.data())); };

    if (cue_of(p1) == cue::ordinal_marker || cue_of(p1) == cue::no) {
      set_ref(s, f, reference{reference_kind::ordinal, static_cast<int32_t>(v)}, 3, k);
      return;
    }
    if (cue_of(n1) == cue::percent) {
      s.alert_drop_percent = static_cast<int32_t>(std::min(v, 100.0));
      use(nk);
      return;
    }
    // Ranges: "between 500 and 1000", "from 500 to 1000", "500 to 1000", "500-1000".
    bool joiner = n1 != nullptr && (n1->c == cue::range_to || text(n1) == "and");
    if (joiner) {
      if (const span* other = second_number(nk + 1)) {
        bool opened = cue_of(p1) == cue::between || text(p1) == "from";
        bool moneyish = currency || (v >= 100 && other->number >= 100) || cue_of(p1) == cue::price_min;
        if (opened || (text(n1) != "and" && moneyish)) {
          s.min_price_minor = to_minor(std::min(v, other->number));
          s.max_price_minor = to_minor(std::max(v, other->number));
          use(nk);
          use_span(other);
          return;
        }
      }
    }
    switch (cue_of(p1)) {
      case cue::price_max:
      case cue::budget:
        s.max_price_minor = to_minor(v);
        return;
      case cue::price_min:
        s.min_price_minor = to_minor(v);
        return;
      case cue::around:
        s.min_price_minor = to_minor(v * 0.8);
        s.max_price_minor = to_minor(v * 1.2);
        return;
      case cue::drop_verb:
        s.max_price_minor = to_minor(v);
        return;
      case cue::range_to:
        if (cue_of(p2) == cue::drop_verb || cue_of(p2) == cue::remove_verb || cue_of(p2) == cue::budget) {
          s.max_price_minor = to_minor(v);
          return;
        }
        if ((cue_of(p2) == cue::quantity_word || cue_of(p2) == cue::it_ref || cue_of(p2) == cue::change_verb)
            && count_of(v)) {
          s.quantity = count_of(v);
          return;
        }
        break;
      case cue::quantity_word:
      case cue::qty_unit:
      case cue::change_verb:
      case cue::add_strong:
      case cue::add_weak:
        if (!currency && count_of(v)) {
          s.quantity = count_of(v);
          return;
        }
        break;
      case cue::it_ref:
        if (cue_of(p2) == cue::change_verb && count_of(v)) {  // "make it 3"
          s.quantity = count_of(v);
          return;
        }
        break;
      case cue::pref_statement:
        if (currency || v >= 100) {  // "my budget is 2000"
          s.max_price_minor = to_minor(v);
          return;
        }
        break;
      default:
        break;
    }
    switch (cue_of(n1)) {
      case cue::post_max:
        s.max_price_minor = to_minor(v);
        use(nk);
        return;
      case cue::post_min:
        s.min_price_minor = to_minor(v);
        use(nk);
        return;
      case cue::qty_unit:
      case cue::one_pronoun:
        if (!currency && count_of(v)) {
          s.quantity = count_of(v);
          use(nk);
          return;
        }
        break;
      default:
        if (!currency && text(n1) == "of" && count_of(v)) {
          s.quantity = count_of(v);
          return;
        }
        if (!currency && text(n1) == "more" && count_of(v)) {  // "add 2 more"
          s.quantity = count_of(v);
          use(nk);
          return;
        }
        break;
    }
    if (currency) {
      s.max_price_minor = to_minor(v);  // a bare amount is a budget
      return;
    }
    used_[k - b_] = false;
    f.loose_numbers.push_back(k);
  }

  const std::vector<span>& spans_;
  size_t b_;
  size_t e_;
  const std::vector<token>& toks_;
  std::vector<bool> used_;
};

// ---- intent decision list -------------------------------------------------------------------

bool has_filters(const slot_values& s) {
  return s.colour || s.brand || s.gender || s.size || s.min_price_minor || s.max_price_minor
         || s.direction || s.exclude_colour;
}

struct decision {
  intent act = intent::unknown;
  bool by_default = false;  // no cue named the intent; only the slots suggested it
};

decision decide(const clause_facts& f, const slot_values& s, const dialogue_hints& hints) {
  auto has = [&](cue c) { return f.has(c); };
  auto cued = [](intent x) { return decision{x, false}; };
  const bool type = s.product_type.has_value();
  const bool filters = has_filters(s);
  const bool any_ref = f.ref_rank >= 0;
  const bool explicit_ref = f.ref_rank >= 2;
  // "I'll take the red one", "give me both": the reference follows the verb closely.
  const bool ref_after_verb = any_ref && f.has_weak_verb && f.ref_pos > f.weak_verb_pos
                              && f.ref_pos - f.weak_verb_pos <= 5;
  const bool group_ref = any_ref && (s.ref->kind == reference_kind::all
                                     || s.ref->kind == reference_kind::by_attributes);

  if (has(cue::musing) && !has(cue::add_strong))
    return cued(intent::unknown);  // "I'll keep that in mind"
  if (has(cue::forget_phrase)
      || ((has(cue::forget_verb) || has(cue::remove_verb)) && has(cue::profile_noun)))
    return cued(intent::forget_preferences);
  if (has(cue::alert_noun)) {
    // "drop" next to an alert is the price dropping, not a removal.
    const bool removing = f.counts[static_cast<size_t>(cue::remove_verb)] > (f.drop_word ? 1 : 0);
    if (removing || has(cue::cancel_word) || has(cue::forget_verb)
        || (has(cue::negation) && !s.alert_back_in_stock))
      return cued(intent::delete_alert);
    bool params = s.max_price_minor || s.min_price_minor || s.alert_drop_percent
                  || s.alert_back_in_stock || has(cue::drop_verb) || has(cue::cheaper);
    if (!params && !explicit_ref
        && (f.plural_alert || has(cue::list_verb) || has(cue::search_verb)))
      return cued(intent::list_alerts);
    return cued(intent::set_alert);
  }
  if (has(cue::orders))
    return cued(has(cue::cancel_word) ? intent::cancel : intent::list_orders);
  if (has(cue::show_profile)
      || (has(cue::profile_noun) && (has(cue::search_verb) || has(cue::question) || has(cue::list_verb))))
    return cued(intent::show_profile);
  if (has(cue::checkout) && !type && !s.colour)
    return cued(intent::checkout);
  if (hints.pending_confirmation) {
    if (f.first_cue == cue::yes)
      return cued(intent::confirm);
    if (f.first_cue == cue::no)
      return cued(intent::cancel);
  }
  if (has(cue::confirm_word))
    return cued(intent::confirm);
  if (has(cue::cancel_word) && !type && !has(cue::add_strong))
    return cued(intent::cancel);
  const bool price_asked = f.price_word || has(cue::cheaper) || has(cue::pricier) || has(cue::cheap_word);
  if (has(cue::retailer) || (f.other_shop && price_asked))
    return cued(intent::compare_prices);  // "is it cheaper elsewhere?", "how much is it on amazon?"
  if (has(cue::compare_prices))  // several items against each other is an attribute comparison
    return cued(group_ref ? intent::describe : intent::compare_prices);
  if (hints.awaiting_clarification && !f.opening_cue && (any_ref || type || filters))
    return cued(intent::describe);  // the answer to "which one do you mean?"
  if (has(cue::remove_verb)) {
    if (has(cue::cart_dest))
      return cued(intent::add_to_cart);  // "drop them into my basket"
    if (s.exclude_colour && !explicit_ref && !has(cue::cart_noun))
      return cued(intent::refine);  // "I don't want red"
    // Something to remove must be named, or nothing else said ("remove it", "remove").
    if (any_ref || has(cue::cart_noun) || type || s.colour || s.brand || f.content_words == 0)
      return cued(intent::remove_from_cart);
  }
  if (has(cue::quantity_word) || (has(cue::change_verb) && s.quantity))
    return cued(intent::change_quantity);
  if (has(cue::add_strong))
    return cued(has(cue::search_noun) ? intent::refine : intent::add_to_cart);
  const bool searching = has(cue::search_verb) || has(cue::want) || has(cue::search_hint);
  if (f.attribute_asked && !s.similar && (any_ref || !searching))
    return cued(intent::describe);  // "can I get the price of the black one?"
  if (has(cue::add_weak) && (ref_after_verb || has(cue::cart_dest) || has(cue::cart_noun)) && !s.similar)
    return cued(intent::add_to_cart);
  if (has(cue::want) && ref_after_verb && !s.similar && !has(cue::question) && !has(cue::refine_word))
    return cued(intent::add_to_cart);  // "I want the second one"
  if (has(cue::cart_dest) && any_ref && !s.similar && !has(cue::question))
    return cued(intent::add_to_cart);  // "that one in my cart, please"
  if ((has(cue::cart_noun) || has(cue::cart_dest)) && !s.similar && !type)
    return cued(intent::view_cart);
  if (has(cue::describe_strong) || has(cue::compare))
    return cued(intent::describe);
  const bool asks_attribute = has(cue::how_attr)
                              || (has(cue::question) && any_ref && (has(cue::cheaper) || has(cue::pricier)));
  if (asks_attribute && (any_ref || !searching))
    return cued(intent::describe);
  if (has(cue::recommend))
    return cued(intent::recommend);
  if (has(cue::pref_statement))
    return cued(intent::remember_preference);
  const bool attribute_named = s.colour || s.exclude_colour || s.brand || type;
  if (has(cue::dislike))
    return cued(any_ref || !attribute_named ? intent::dislike : intent::remember_preference);
  if (has(cue::like))
    return cued(any_ref || !attribute_named ? intent::like : intent::remember_preference);
  if (has(cue::show_more) && !type && !filters)
    return cued(intent::show_more);
  if (has(cue::clarify) && (any_ref || type || filters))
    return cued(intent::describe);
  const bool refine_cue = has(cue::refine_word) || has(cue::cheaper) || has(cue::pricier);
  if (has(cue::search_verb) || has(cue::want) || has(cue::add_weak) || s.similar
      || (has(cue::help) && (type || filters))) {
    if (type || s.similar)
      return cued(intent::search);
    if (explicit_ref && !filters)
      return cued(intent::describe);  // "show me the second one"
    if (f.new_noun_phrase && !explicit_ref)
      return cued(intent::search);    // a new thing named: modifiers alone refine
    if (has(cue::more_word) && !filters)
      return cued(intent::show_more);
    if (hints.results_on_screen > 0 && (refine_cue || filters || has(cue::search_hint)))
      return cued(intent::refine);
    return cued(refine_cue ? intent::refine : intent::search);
  }
  if (refine_cue)
    return cued(type ? intent::search : intent::refine);
  if (has(cue::like_weak) && any_ref)
    return cued(intent::like);
  if (has(cue::help))
    return cued(intent::help);
  if (has(cue::greet))
    return cued(intent::greet);
  // Nothing named an intent: guess from the slots.
  auto guess = [](intent x) { return decision{x, true}; };
  if (type)
    return guess(intent::search);
  if (has(cue::more_word) && !filters)
    return guess(intent::show_more);
  if (filters || (has(cue::search_hint) && f.content_words > 0))
    return guess(hints.results_on_screen > 0 ? intent::refine : intent::search);
  if (any_ref)
    return guess(intent::describe);
  return guess(intent::unknown);
}

bool acts_on_an_item(intent x) {
  switch (x) {
    case intent::add_to_cart:
    case intent::remove_from_cart:
    case intent::change_quantity:
    case intent::describe:
    case intent::like:
    case intent::dislike:
    case intent::compare_prices:
    case intent::set_alert:
      return true;
    default:
      return false;
  }
}

// Adjusts slots to the chosen intent: alert thresholds, preference key/value, implicit "it".
void finish_slots(intent act, const clause_facts& f, slot_values& s) {
  if (act == intent::set_alert && s.max_price_minor && !s.alert_threshold_minor) {
    s.alert_threshold_minor = s.max_price_minor;
    s.max_price_minor.reset();
  }
  if (act == intent::remember_preference) {
    const bool avoid = f.has(cue::dislike) || f.has(cue::negation);
    auto set = [&](std::string key, std::string value) {
      s.preference_key = std::move(key);
      s.preference_value = std::move(value);
    };
    if (s.size) {
      set("size", *s.size);
    } else if (s.max_price_minor) {
      set("budget", std::to_string(*s.max_price_minor));
    } else if (s.exclude_colour || (avoid && s.colour)) {
      if (!s.exclude_colour)
        s.exclude_colour = s.colour;
      s.colour.reset();
      set("avoid_colour", *s.exclude_colour);
    } else if (s.colour) {
      set("colour", *s.colour);
    } else if (s.brand) {
      set(avoid ? "avoid_brand" : "brand", *s.brand);
    } else if (s.product_type) {
      set(avoid ? "avoid_product_type" : "product_type", *s.product_type);
    } else if (s.gender) {
      set("gender", *s.gender);
    }
  }
  if (acts_on_an_item(act) && !s.ref && !s.product_type && !s.colour && !s.brand)
    s.ref = reference{reference_kind::last_mentioned, 0};
}

}  // namespace

// ---- public ---------------------------------------------------------------------------------

std::string_view to_string(intent x) {
  switch (x) {
    case intent::unknown: return "unknown";
    case intent::greet: return "greet";
    case intent::help: return "help";
    case intent::search: return "search";
    case intent::refine: return "refine";
    case intent::show_more: return "show_more";
    case intent::describe: return "describe";
    case intent::add_to_cart: return "add_to_cart";
    case intent::remove_from_cart: return "remove_from_cart";
    case intent::change_quantity: return "change_quantity";
    case intent::view_cart: return "view_cart";
    case intent::checkout: return "checkout";
    case intent::confirm: return "confirm";
    case intent::cancel: return "cancel";
    case intent::compare_prices: return "compare_prices";
    case intent::set_alert: return "set_alert";
    case intent::list_alerts: return "list_alerts";
    case intent::delete_alert: return "delete_alert";
    case intent::like: return "like";
    case intent::dislike: return "dislike";
    case intent::remember_preference: return "remember_preference";
    case intent::show_profile: return "show_profile";
    case intent::forget_preferences: return "forget_preferences";
    case intent::recommend: return "recommend";
    case intent::list_orders: return "list_orders";
  }
  return "unknown";
}

std::optional<intent> intent_from_string(std::string_view name) {
  for (auto x : all_intents)
    if (to_string(x) == name)
      return x;
  return std::nullopt;
}

std::string_view to_string(price_direction x) {
  return x == price_direction::cheaper ? "cheaper" : "pricier";
}

std::string_view to_string(reference_kind x) {
  switch (x) {
    case reference_kind::ordinal: return "ordinal";
    case reference_kind::cheapest: return "cheapest";
    case reference_kind::most_expensive: return "most_expensive";
    case reference_kind::last_mentioned: return "last_mentioned";
    case reference_kind::all: return "all";
    case reference_kind::by_attributes: return "by_attributes";
  }
  return "last_mentioned";
}

namespace {

// How much a step changes: cart and account actions over questions over browsing over chat.
int weight_of(intent x) {
  switch (x) {
    case intent::add_to_cart:
    case intent::remove_from_cart:
    case intent::change_quantity:
    case intent::checkout:
    case intent::confirm:
    case intent::cancel:
    case intent::set_alert:
    case intent::delete_alert:
    case intent::forget_preferences:
      return 4;
    case intent::describe:
    case intent::compare_prices:
    case intent::view_cart:
    case intent::list_alerts:
    case intent::list_orders:
    case intent::show_profile:
      return 3;
    case intent::search:
    case intent::refine:
    case intent::show_more:
    case intent::recommend:
    case intent::remember_preference:
      return 2;
    case intent::like:
    case intent::dislike:
      return 1;
    case intent::greet:
    case intent::help:
    case intent::unknown:
      return 0;
  }
  return 0;
}

}  // namespace

const step& main_step(const understanding& u) {
  static const step none;
  const step* best = nullptr;
  for (const auto& st : u.steps)
    if (best == nullptr || weight_of(st.act) > weight_of(best->act))
      best = &st;
  return best == nullptr ? none : *best;
}

offline_understanding::offline_understanding(vocabulary vocab) : vocab_(std::move(vocab)) {
  cues();  // build the cue table now rather than on the first message
}

understanding offline_understanding::understand(std::string_view text,
                                                const dialogue_hints& hints) const {
  understanding result;
  result.truncated = text.size() > max_message_bytes;
  auto toks = tokenize(text, max_message_bytes);
  auto spans = annotate(toks, vocab_);
  std::string leftover;  // content of clauses that meant nothing, kept for an unknown answer
  std::vector<bool> guessed;
  for (auto [b, e] : split_clauses(spans, hints)) {
    if (b >= e)
      continue;
    step st;
    clause_facts facts;
    clause_reader reader(spans, b, e, toks);
    reader.read(st.slots, facts);
    auto d = decide(facts, st.slots, hints);
    st.act = d.act;
    for (size_t k : facts.loose_numbers) {
      const double v = spans[k].number;
      // A number with no neighbour saying what it counts is read as a count only when it looks
      // like one; "add 2499" more likely names a price or a model than 2,499 items.
      bool countable = v >= 1 && v <= 1000 && v == std::floor(v);
      if (!st.slots.quantity && countable
          && (st.act == intent::add_to_cart || st.act == intent::change_quantity)) {
        st.slots.quantity = static_cast<int64_t>(v);
        reader.use(k);
      }
    }
    finish_slots(st.act, facts, st.slots);
    st.slots.query = reader.remainder();
    const bool repeats = !result.steps.empty() && result.steps.back().act == st.act
                         && (st.act == intent::confirm || st.act == intent::cancel
                             || st.act == intent::greet || st.act == intent::help);
    if (repeats)
      continue;  // "yes please, go ahead" is one confirmation
    if (st.act == intent::unknown) {
      if (!st.slots.query.empty())
        leftover += (leftover.empty() ? "" : " ") + st.slots.query;
      continue;
    }
    result.steps.push_back(std::move(st));
    guessed.push_back(d.by_default);
  }
  // A clause whose intent was only guessed from its slots ("the one on the left.") yields to
  // clauses that said what they want.
  if (std::find(guessed.begin(), guessed.end(), false) != guessed.end()) {
    std::vector<step> kept;
    for (size_t i = 0; i < result.steps.size(); ++i)
      if (!guessed[i])
        kept.push_back(std::move(result.steps[i]));
    result.steps = std::move(kept);
  }
  if (result.steps.empty()) {
    step unknown;
    unknown.slots.query = std::move(leftover);
    result.steps.push_back(std::move(unknown));
  }
  return result;
}

}  // namespace cartmate::nlu
