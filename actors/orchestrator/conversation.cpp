// conversation.cpp — the conversation actor: turn queue, plan execution step by step through the
// resilient caller, context updates, honest degraded answers and the event stream; the context
// read from and written to the session context store around each turn, and the turn history.
// Threading: every function here runs inside the conversation actor's handlers.
#include "actors/orchestrator/conversation.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "actors/common/store_call.hpp"
#include "adapters/style/clash_note.hpp"
#include "adapters/style/style_ranker.hpp"
#include "actors/orchestrator/conversation_context.hpp"
#include "actors/orchestrator/conversation_context_codec.hpp"
#include "actors/orchestrator/preferences.hpp"
#include "actors/orchestrator/replies.hpp"
#include "actors/orchestrator/style_blend.hpp"
#include "actors/orchestrator/text_sanitiser.hpp"
#include "protocol/alert_messages.hpp"
#include "protocol/cart_messages.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/orchestrator_messages.hpp"
#include "protocol/price_messages.hpp"
#include "protocol/style_messages.hpp"
#include "runtime/logging.hpp"
#include "runtime/resilient_caller.hpp"

namespace cartmate::orchestrator {

namespace {

using protocol::agent_kind;
using nlu::intent;

/// The context store did not answer in time; the turn goes ahead with the context in memory.
using load_timeout_atom = caf::atom_constant<caf::atom("ctx_late")>;

/// One step of a turn's plan: what the language understanding said, plus what the turn input
/// fixed directly (an image to search by, a product id to like).
struct plan_step {
  intent act = intent::unknown;
  nlu::slot_values slots;
  bool from_image = false;
  std::string product_id;   // like/dislike of an explicit product id
};

struct pending_turn {
  protocol::user_turn turn;
  caf::typed_response_promise<protocol::turn_summary> promise;
  caf::strong_actor_ptr requester;
};

struct active_turn {
  pending_turn source;
  protocol::envelope env;
  std::vector<plan_step> steps;
  size_t next = 0;
  protocol::turn_summary summary;
  std::vector<std::string> lines;   // reply paragraphs, in order
  caf::actor_clock::time_point started;
  int calls_in_flight = 0;
  int write_seq = 0;
  bool abort_rest = false;
  // For the history record.
  uint64_t seq = 0;
  int64_t started_ms = 0;
  std::vector<std::string> product_ids;   // products shown, in order
  std::optional<int32_t> cart_items;      // from the last cart shown
  // The model call this turn waits for (0: none): its plan, then its phrasing of the reply.
  uint64_t model_call = 0;
  uint64_t phrase_call = 0;
};

struct conversation_state {
  conversation_deps deps;
  std::unique_ptr<runtime::resilient_caller> caller;
  conversation_context ctx;
  uint64_t pending_checkout_turn = 0;     // the turn that asked for confirmation
  std::deque<pending_turn> queue;
  std::optional<active_turn> turn;
  bool stopping = false;
  // The session context store: the key comes from the first turn's envelope.
  bool key_known = false;
  bool persist = false;        // a store, and a session id to keep the context under
  stores::session_key key;
  bool loading = false;        // a read before the next turn is under way
  uint64_t load_id = 0;        // of the latest read; a late answer to an older one is dropped
  std::string stored_blob;     // what the store is known to hold for this session
  bool unsaved = false;        // the context in memory is newer than the stored one
  bool save_in_flight = false;
  bool save_again = false;     // the context changed while a save was in flight
  // The finished turn is answered once its context is stored: with a shared store (Redis) the
  // shopper may continue on another gateway the moment the answer arrives.
  bool answer_when_saved = false;
  // Calls being dispatched on the stack: an answer that arrives synchronously (unavailable
  // agent, open breaker) must not advance the plan under the feet of the code dispatching it.
  int dispatch_depth = 0;
  // The shopper's stated preferences as the style profiler last reported them: read before the
  // first search of this conversation, then kept current by every answer that carries them.
  // Another session of the same user changing them is seen when this actor next reads them.
  std::optional<shopper_preferences> prefs;
  bool size_note_given = false;   // "this catalog lists no sizes" is said once
  uint64_t model_calls = 0;       // ids of model calls; an answer to an abandoned one is dropped
  static inline const char* name = "conversation";
};

using conv_actor = caf::stateful_actor<conversation_state>;

void run_next(conv_actor* self);
void start_next_turn(conv_actor* self);
void begin_plan(conv_actor* self);
void complete_turn(conv_actor* self);
void deliver_turn(conv_actor* self);
void start_when_ready(conv_actor* self);

// -- small helpers ------------------------------------------------------------------------------

std::string error_detail(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.match_elements<std::string>())
    return ctx.get_as<std::string>(0);
  return {};
}

const char* action_of(intent act) {
  switch (act) {
    case intent::search: return "search";
    case intent::refine: return "refine search";
    case intent::show_more: return "more results";
    case intent::describe: return "product details";
    case intent::add_to_cart: return "add to cart";
    case intent::remove_from_cart: return "remove from cart";
    case intent::change_quantity: return "change quantity";
    case intent::view_cart: return "view cart";
    case intent::checkout: return "prepare checkout";
    case intent::confirm: return "place order";
    case intent::cancel: return "cancel checkout";
    case intent::compare_prices: return "compare prices";
    case intent::set_alert: return "create alert";
    case intent::list_alerts: return "list alerts";
    case intent::delete_alert: return "delete alert";
    case intent::like: return "record like";
    case intent::dislike: return "record dislike";
    case intent::remember_preference: return "remember preference";
    case intent::show_profile: return "show profile";
    case intent::forget_preferences: return "forget preferences";
    case intent::recommend: return "recommend";
    case intent::list_orders: return "order history";
    case intent::greet: return "greet";
    case intent::help: return "help";
    case intent::unknown: break;
  }
  return "answer";
}

active_turn* turn_of(conv_actor* self) {
  return &*self->state.turn;
}

void say(conv_actor* self, std::string line) {
  if (!line.empty())
    turn_of(self)->lines.push_back(std::move(line));
}

template <class Event>
void emit(conv_actor* self, Event ev) {
  auto* t = turn_of(self);
  if constexpr (std::is_same_v<Event, protocol::products_event>) {
    for (const auto& p : ev.products)
      t->product_ids.push_back(p.id);
  } else if constexpr (std::is_same_v<Event, protocol::cart_event>) {
    t->cart_items = ev.cart.item_count;
  }
  auto& requester = t->source.requester;
  if (requester)
    self->send(caf::actor_cast<caf::actor>(requester), std::move(ev));
}

void note_agent(active_turn& t, agent_kind kind) {
  std::string name{protocol::to_string(kind)};
  if (std::find(t.summary.agents.begin(), t.summary.agents.end(), name) == t.summary.agents.end())
    t.summary.agents.push_back(std::move(name));
}

void learn_currency(conv_actor* self, const std::vector<protocol::product>& products) {
  for (const auto& p : products)
    if (!p.price.currency.empty()) {
      self->state.ctx.currency = p.price.currency;
      return;
    }
}

// A problem that ends the plan: later steps may depend on what this one should have done.
void stop_plan(conv_actor* self, std::string line) {
  auto& t = *turn_of(self);
  say(self, std::move(line));
  if (t.next < t.steps.size())
    say(self, "I stopped there, so the rest of your request wasn't done.");
  t.abort_rest = true;
}

// The turn's answer is less than full for `reason` (once per reason).
void record_degraded(active_turn& t, std::string reason) {
  t.summary.degraded = true;
  if (std::find(t.summary.degraded_reasons.begin(), t.summary.degraded_reasons.end(), reason)
      == t.summary.degraded_reasons.end())
    t.summary.degraded_reasons.push_back(std::move(reason));
}

void mark_degraded(conv_actor* self, agent_kind kind, const caf::error& err) {
  auto& t = *turn_of(self);
  auto code = protocol::errc_of(err);
  std::string reason = std::string{protocol::to_string(kind)} + ": "
                       + (code ? std::string{protocol::to_string(*code)} : caf::to_string(err));
  record_degraded(t, reason);
  spdlog::warn("turn {} degraded: {} ({})", t.summary.turn_id, reason, protocol::describe(err));
  emit(self, protocol::error_event{t.summary.turn_id,
                                   code ? std::string{protocol::to_string(*code)} : "unavailable",
                                   unavailable_text(kind)});
}

// The default answer to a failed agent call: degradations say plainly what is missing, domain
// answers ("no such product") say what went wrong; either way the rest of the plan stops.
void handle_failure(conv_actor* self, agent_kind kind, const caf::error& err) {
  if (protocol::is_degradation(err)) {
    mark_degraded(self, kind, err);
    stop_plan(self, unavailable_text(kind));
    return;
  }
  auto code = protocol::errc_of(err);
  auto detail = error_detail(err);
  spdlog::info("turn {}: {} answered {}", turn_of(self)->summary.turn_id, protocol::to_string(kind),
               protocol::describe(err));
  std::string line;
  switch (code.value_or(protocol::errc::agent_error)) {
    case protocol::errc::not_found:
      line = "I couldn't find that" + (detail.empty() ? std::string{} : " (" + detail + ")") + ".";
      break;
    case protocol::errc::out_of_stock:
      line = "Sorry, that item is out of stock" + (detail.empty() ? std::string{} : " (" + detail + ")")
             + ". Your cart is unchanged.";
      break;
    case protocol::errc::invalid_argument:
      line = "I couldn't do that" + (detail.empty() ? std::string{} : ": " + detail) + ".";
      break;
    case protocol::errc::conflict:
      line = "That no longer matches your cart" + (detail.empty() ? std::string{} : " (" + detail + ")")
             + ". Say \"checkout\" to see an up-to-date summary.";
      break;
    case protocol::errc::unsupported:
      line = "That isn't supported yet" + (detail.empty() ? std::string{} : " (" + detail + ")") + ".";
      break;
    default:
      line = "Something went wrong there" + (detail.empty() ? std::string{} : " (" + detail + ")")
             + ". Please try again.";
  }
  stop_plan(self, std::move(line));
}

/// Sends `req` through the resilient caller with the turn's envelope. `on_ok` gets the answer;
/// `on_error`, when given, gets failures first and returns true when it dealt with them. The
/// plan moves on once no call of the step is in flight.
template <class Request, class OnOk>
void call(conv_actor* self, Request req, const char* action, OnOk on_ok,
          std::function<bool(const caf::error&)> on_error = {}) {
  using response = protocol::response_t<Request>;
  constexpr auto kind = protocol::request_traits<Request>::target;
  auto* t = turn_of(self);
  note_agent(*t, kind);
  emit(self, protocol::delegation_event{t->summary.turn_id, kind, action});
  auto key = req.env.idempotency_key;
  req.env = t->env;
  req.env.idempotency_key = std::move(key);
  ++t->calls_in_flight;
  auto done = [self, on_ok = std::move(on_ok),
               on_error = std::move(on_error)](caf::expected<response> answer) mutable {
    if (!self->state.turn)
      return;
    runtime::trace_scope scope{self->state.turn->env.trace_id};
    --self->state.turn->calls_in_flight;
    if (answer)
      on_ok(std::move(*answer));
    else if (!on_error || !on_error(answer.error()))
      handle_failure(self, kind, answer.error());
    if (self->state.turn && self->state.turn->calls_in_flight == 0
        && self->state.dispatch_depth == 0)
      run_next(self);
  };
  ++self->state.dispatch_depth;
  self->state.caller->request(self, std::move(req), std::move(done), t->env.user);
  --self->state.dispatch_depth;
}

std::string write_key(conv_actor* self) {
  auto* t = turn_of(self);
  return t->env.session + ":" + std::to_string(t->summary.turn_id) + ":" + t->env.trace_id + ":"
         + std::to_string(++t->write_seq);
}

template <class Request>
Request write_request(conv_actor* self) {
  Request req;
  req.env.idempotency_key = write_key(self);
  return req;
}

/// Resolves the step's reference; on a problem says it, stops the plan and returns nothing.
std::optional<std::vector<protocol::product>> resolve_or_stop(conv_actor* self,
                                                              const plan_step& step,
                                                              bool need_one) {
  if (!step.product_id.empty()) {
    for (const auto& p : self->state.ctx.shown)
      if (p.id == step.product_id)
        return std::vector<protocol::product>{p};
    protocol::product stub;
    stub.id = step.product_id;
    stub.title = "product " + step.product_id;
    return std::vector<protocol::product>{stub};
  }
  auto r = resolve_reference(step.slots, self->state.ctx);
  if (!r.problem.empty() && (r.items.empty() || (need_one && r.ambiguous))) {
    stop_plan(self, r.problem);
    return std::nullopt;
  }
  if (need_one && r.items.size() > 1) {
    stop_plan(self, "Which one do you mean? Say e.g. \"the first one\" or \"the cheapest\".");
    return std::nullopt;
  }
  return std::move(r.items);
}

void focus(conv_actor* self, const protocol::product& p) {
  self->state.ctx.focused = p;
}

// -- stated preferences ---------------------------------------------------------------------------

void learn_profile(conv_actor* self, const protocol::style_profile& profile) {
  self->state.prefs = preferences_of(profile.stated);
}

// A node without a style profiler (switched off, or not started) has no preferences to read:
// asking would only add a failed delegation to every first search.
bool style_known_to_directory(conv_actor* self) {
  return static_cast<bool>(self->state.deps.resilience->directory().lookup(
    agent_kind::style_profiler, turn_of(self)->env.user));
}

/// Runs `then` once the shopper's stated preferences are known: from this conversation's copy,
/// else read from the style profiler. When they cannot be read the search goes ahead without
/// them, and the answer says so.
template <class Then>
void with_preferences(conv_actor* self, Then then) {
  if (self->state.prefs || !style_known_to_directory(self))
    return then();
  call(
    self, protocol::profile_get{}, "your preferences",
    [self, then](protocol::style_profile profile) mutable {
      learn_profile(self, profile);
      then();
    },
    [self, then](const caf::error& err) mutable {
      if (protocol::is_degradation(err)) {
        mark_degraded(self, agent_kind::style_profiler, err);
        say(self, "I couldn't read your saved preferences just now, so this search doesn't use "
                  "them.");
      } else {
        // The profiler refused (e.g. no user to ask about): there is nothing to apply, and
        // asking again on every search would not change that.
        spdlog::info("turn {}: no stated preferences ({})", turn_of(self)->summary.turn_id,
                     protocol::describe(err));
        self->state.prefs = shopper_preferences{};
      }
      then();
      return true;
    });
}

shopper_preferences known_preferences(const conv_actor* self) {
  return self->state.prefs.value_or(shopper_preferences{});
}

// -- discovery ------------------------------------------------------------------------------------

void show_results(conv_actor* self, const search_state& s, const protocol::search_result& r,
                  const std::string& heading, bool paging, const applied_preferences& applied = {}) {
  auto& ctx = self->state.ctx;
  learn_currency(self, r.products);
  auto what = describe_search(s.query, s.filters, self->state.ctx.currency);
  auto* t = turn_of(self);
  // Results without the embedding model's ranking: still an answer (the explanation says so),
  // but not the full one.
  if (!r.degraded.empty())
    record_degraded(*t, std::string{protocol::to_string(agent_kind::product_discovery)} + ": "
                          + r.degraded);
  if (r.products.empty()) {
    if (paging)
      say(self, "That's all I have for " + what + ".");
    else if (!applied.empty() && !applied_text(applied, ctx.currency).empty())
      stop_plan(self, "I couldn't find any " + what + ". " + applied_text(applied, ctx.currency)
                        + " Try fewer details, or say \"forget my preferences\" to search "
                          "without them.");
    else
      stop_plan(self, "I couldn't find any " + what
                        + ". Try fewer details, another colour or a different price range.");
    return;
  }
  ctx.search = s;
  ctx.search.active = true;
  ctx.search.total = r.total_matches;
  remember_products(ctx, r.products);
  ctx.shown = r.products;
  ctx.shown_kind = list_kind::search_results;
  ctx.focused.reset();
  if (r.products.size() == 1)
    ctx.focused = r.products.front();
  emit(self, protocol::products_event{t->summary.turn_id, heading, r.products});
  std::string line;
  auto first = s.offset + 1;
  auto last = s.offset + static_cast<uint32_t>(r.products.size());
  if (paging)
    line = "Here are more " + what + " (" + std::to_string(first) + "\xE2\x80\x93"
           + std::to_string(last) + " of " + std::to_string(r.total_matches) + "):\n";
  else
    line = "I found " + std::to_string(r.total_matches) + " "
           + (r.total_matches == 1 ? "match" : "matches") + " for " + what
           + (r.total_matches > r.products.size()
                ? ". Here are the top " + std::to_string(r.products.size()) + ":\n"
                : ":\n");
  // Numbers restart at 1 on every page: references count within the list on screen.
  line += product_list(r.products, 1);
  if (!r.explanation.empty())
    line += r.explanation;
  while (!line.empty() && line.back() == '\n')
    line.pop_back();
  if (auto note = applied_text(applied, ctx.currency); !note.empty())
    line += "\n" + note;
  // Items without sizes pass a size filter, so a remembered size checks nothing there: say so.
  if (!applied.size.empty() && !self->state.size_note_given && lacks_sizes(r.products)) {
    self->state.size_note_given = true;
    line += "\nI noted that you wear size " + applied.size
            + ", but these products don't list their sizes, so I couldn't check it.";
  }
  say(self, std::move(line));
}

void run_search(conv_actor* self, search_state s, const char* action, std::string heading,
                bool paging, applied_preferences applied = {}) {
  protocol::search_request req;
  req.query = s.query;
  // A type-only request ("t-shirts for men") ranks by how well items match the type words
  // rather than falling back to the index's price-ordered browse: shoppers expect the most
  // typical items first, and "cheaper" then has something cheaper to find.
  if (req.query.empty() && !s.filters.product_type.empty())
    req.query = s.filters.product_type;
  req.filters = s.filters;
  req.limit = page_size;
  req.offset = s.offset;
  call(self, std::move(req), action,
       [self, s = std::move(s), heading = std::move(heading), paging,
        applied = std::move(applied)](protocol::search_result r) {
         show_results(self, s, r, heading, paging, applied);
       });
}

void do_search(conv_actor* self, const plan_step& step) {
  if (step.slots.similar) {
    auto items = resolve_or_stop(self, step, true);
    if (!items)
      return;
    auto item = items->front();
    auto filters = filters_from(step.slots);
    with_preferences(self, [self, item, filters]() mutable {
      auto applied = apply_preferences(known_preferences(self), filters);
      protocol::similar_request req;
      req.product_id = item.id;
      req.filters = filters;
      req.limit = page_size;
      auto title = item.title;
      call(self, std::move(req), "similar items",
           [self, title, filters, applied](protocol::search_result r) {
             search_state s;
             s.active = true;
             s.query = "items like " + title;
             s.filters = filters;
             show_results(self, s, r, "Similar to " + title, false, applied);
           });
    });
    return;
  }
  search_state s;
  s.active = true;
  s.query = step.slots.query;
  s.filters = filters_from(step.slots);
  with_preferences(self, [self, s]() mutable {
    auto applied = apply_preferences(known_preferences(self), s.filters);
    run_search(self, std::move(s), "search", "Here's what I found", false, std::move(applied));
  });
}

void do_refine(conv_actor* self, const plan_step& step) {
  auto& ctx = self->state.ctx;
  if (!ctx.search.active)
    return do_search(self, step);
  auto s = ctx.search;
  refine_search(s, step.slots, ctx.shown_kind == list_kind::search_results
                                 ? ctx.shown
                                 : std::vector<protocol::product>{});
  run_search(self, std::move(s), "refine search", "Refined results", false);
}

void do_show_more(conv_actor* self) {
  auto& ctx = self->state.ctx;
  if (!ctx.search.active) {
    stop_plan(self, "There's nothing to show more of yet. Tell me what you're looking for, "
                    "e.g. \"blue kurtas for women\".");
    return;
  }
  auto s = ctx.search;
  s.offset = ctx.shown_kind == list_kind::search_results ? ctx.search.offset + page_size : 0;
  if (ctx.search.total > 0 && s.offset >= ctx.search.total) {
    say(self, "That's all: I've shown all " + std::to_string(ctx.search.total) + " matches for "
                + describe_search(s.query, s.filters, self->state.ctx.currency) + ".");
    return;
  }
  run_search(self, std::move(s), "more results", "More results", true);
}

void do_describe(conv_actor* self, const plan_step& step) {
  auto r = resolve_reference(step.slots, self->state.ctx);
  if (r.items.empty()) {
    stop_plan(self, r.problem);
    return;
  }
  if (r.items.size() > 1) {
    // Comparing several items on screen needs no agent: their attributes are already here.
    std::string line = "Side by side:\n";
    for (const auto& p : r.items)
      line += "- " + p.title + ": " + format_money(p.price)
              + (p.colour.empty() ? "" : ", " + p.colour)
              + (p.brand.empty() ? "" : ", " + p.brand)
              + (p.stock > 0 ? ", in stock" : ", out of stock") + "\n";
    line.pop_back();
    say(self, std::move(line));
    return;
  }
  protocol::get_product_request req;
  req.product_id = r.items.front().id;
  call(self, std::move(req), "product details", [self](protocol::product p) {
    remember_products(self->state.ctx, {p});
    focus(self, p);
    learn_currency(self, {p});
    emit(self, protocol::products_event{turn_of(self)->summary.turn_id, "Details", {p}});
    auto text = product_details(p);
    text.pop_back();
    say(self, std::move(text));
  });
}

// -- cart ---------------------------------------------------------------------------------------

// The understanding reports any count it read (0, 10^9); this is where the policy is.
bool quantity_ok(conv_actor* self, int64_t quantity) {
  if (quantity >= 1 && quantity <= max_quantity)
    return true;
  stop_plan(self, "A quantity of " + std::to_string(quantity) + " won't work: it has to be "
                    "between 1 and " + std::to_string(max_quantity)
                    + ", so I left your cart as it is.");
  return false;
}

void show_cart_change(conv_actor* self, const protocol::cart_view& cart, std::string line) {
  emit(self, protocol::cart_event{turn_of(self)->summary.turn_id, cart});
  line += " Your cart now has " + std::to_string(cart.item_count)
          + (cart.item_count == 1 ? " item" : " items") + ", total " + format_money(cart.total)
          + ".";
  say(self, std::move(line));
}

/// Colours of the cart's lines other than `except`, as far as this conversation saw them.
std::vector<std::string> cart_colours(conv_actor* self, const protocol::cart_view& cart,
                                      const std::string& except) {
  std::vector<std::string> out;
  for (const auto& p : products_of(cart, self->state.ctx))
    if (p.id != except && !p.colour.empty())
      out.push_back(p.colour);
  return out;
}

/// Items for the shopper to consider after adding a clashing `added`: the same kind of item in
/// other colours that go with the rest of the cart, none of them already in it. One small
/// search, filtered here; quiet when it finds nothing or fails (the add itself is done and said).
void suggest_complements(conv_actor* self, const protocol::product& added,
                         std::vector<std::string> colours, const protocol::cart_view& cart) {
  constexpr uint32_t pool = 8;
  constexpr size_t shown = 3;
  if (added.product_type.empty())
    return;
  protocol::search_request req;
  req.query = added.product_type;
  req.filters.product_type = added.product_type;
  req.filters.gender = added.gender;
  // Colours already chosen are left out too: "goes with" should offer something new.
  req.filters.exclude_colours.push_back(added.colour);
  for (const auto& c : colours)
    if (std::find(req.filters.exclude_colours.begin(), req.filters.exclude_colours.end(), c)
        == req.filters.exclude_colours.end())
      req.filters.exclude_colours.push_back(c);
  req.filters.in_stock_only = true;
  apply_preferences(known_preferences(self), req.filters);
  req.limit = pool;
  std::vector<std::string> in_cart;
  for (const auto& line : cart.lines)
    in_cart.push_back(line.product_id);
  auto on_ok = [self, type = added.product_type, colours = std::move(colours),
                in_cart = std::move(in_cart)](protocol::search_result r) {
    std::vector<protocol::product> picks;
    for (const auto& p : r.products) {
      if (picks.size() == shown)
        break;
      bool taken = std::find(in_cart.begin(), in_cart.end(), p.id) != in_cart.end();
      if (!taken && !p.colour.empty() && !style::clash_note(colours, p))
        picks.push_back(p);
    }
    if (picks.empty())
      return;
    auto& ctx = self->state.ctx;
    learn_currency(self, picks);
    remember_products(ctx, picks);
    // The suggestions become the list on screen ("add the first one"); "it" stays the item
    // just added.
    ctx.shown = picks;
    ctx.shown_kind = list_kind::search_results;
    emit(self, protocol::products_event{turn_of(self)->summary.turn_id, "Goes with your cart",
                                        picks});
    auto line = style::plural_of(type) + " in colours that go with your cart:\n"
                + product_list(picks, 1);
    line[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(line[0])));
    line.pop_back();
    say(self, std::move(line));
  };
  call(self, std::move(req), "suggest items that go with your cart", std::move(on_ok),
       [self](const caf::error& err) {
         spdlog::info("turn {}: no suggestions for the cart ({})", turn_of(self)->summary.turn_id,
                      protocol::describe(err));
         return true;
       });
}

void add_items(conv_actor* self, std::vector<protocol::product> items, size_t i, int32_t quantity) {
  auto req = write_request<protocol::cart_add>(self);
  req.product_id = items[i].id;
  req.quantity = quantity;
  call(self, std::move(req), "add to cart",
       [self, items, i, quantity](protocol::cart_view cart) {
         const auto& p = items[i];
         if (items.size() == 1)
           focus(self, p);
         if (i + 1 < items.size())
           return add_items(self, items, i + 1, quantity);
         std::string line = "Added ";
         if (items.size() == 1)
           line += (quantity > 1 ? std::to_string(quantity) + " \xC3\x97 " : std::string{})
                   + p.title + " to your cart.";
         else
           line += std::to_string(items.size()) + " items to your cart.";
         show_cart_change(self, cart, std::move(line));
         // Colour coherence: the first added item that clashes with the rest of the cart gets
         // a note, and a single added item some alternatives that go with the cart.
         for (const auto& added : items) {
           auto others = cart_colours(self, cart, added.id);
           if (auto note = style::clash_note(others, added)) {
             say(self, *note);
             if (items.size() == 1)
               suggest_complements(self, added, std::move(others), cart);
             break;
           }
         }
       });
}

void do_add(conv_actor* self, const plan_step& step) {
  auto quantity = step.slots.quantity.value_or(1);
  if (!quantity_ok(self, quantity))
    return;
  auto items = resolve_or_stop(self, step, false);
  if (!items)
    return;
  remember_products(self->state.ctx, *items);
  add_items(self, std::move(*items), 0, static_cast<int32_t>(quantity));
}

void remove_items(conv_actor* self, std::vector<protocol::product> items, size_t i) {
  auto req = write_request<protocol::cart_remove>(self);
  req.product_id = items[i].id;
  call(self, std::move(req), "remove from cart", [self, items, i](protocol::cart_view cart) {
    if (i + 1 < items.size())
      return remove_items(self, items, i + 1);
    auto& ctx = self->state.ctx;
    if (ctx.shown_kind == list_kind::cart) {
      ctx.shown = products_of(cart, ctx);
      ctx.focused.reset();
    }
    std::string line = items.size() == 1 ? "Removed " + items.front().title + " from your cart."
                                         : "Removed " + std::to_string(items.size())
                                             + " items from your cart.";
    show_cart_change(self, cart, std::move(line));
  });
}

/// What a cart action asks when several lines match: "Which one should I <verb>? Say e.g.
/// "<example>"."
struct cart_action {
  const char* verb;
  std::string example;
};

// Several cart lines match what the shopper named: list them as the list on screen, so "the
// first one" in the answer counts within them.
void ask_which_line(conv_actor* self, std::vector<protocol::product> candidates,
                    const cart_action& action) {
  auto& ctx = self->state.ctx;
  std::string line = "You have " + std::to_string(candidates.size())
                     + " matching items in your cart:\n" + product_list(candidates, 1);
  while (!line.empty() && line.back() == '\n')
    line.pop_back();
  line += std::string{"\nWhich one should I "} + action.verb + "? Say e.g. \"" + action.example
          + "\".";
  ctx.shown = std::move(candidates);
  ctx.shown_kind = list_kind::cart;
  ctx.focused.reset();
  stop_plan(self, std::move(line));
}

/// Remove and change-quantity act on the cart, which the screen may not show: the cart is read
/// first and the step's reference resolved against its lines; `then` gets the lines meant.
template <class Then>
void with_cart_lines(conv_actor* self, const plan_step& step, bool need_one, cart_action action,
                     Then then) {
  auto on_cart = [self, slots = step.slots, need_one, action = std::move(action),
                  then = std::move(then)](protocol::cart_view cart) mutable {
    auto r = resolve_in_cart(slots, self->state.ctx, cart);
    if (r.ambiguous || (need_one && r.items.size() > 1))
      return ask_which_line(self, std::move(r.items), action);
    if (r.items.empty())
      return stop_plan(self, r.problem);
    then(std::move(r.items));
  };
  call(self, protocol::cart_get{}, "view cart", std::move(on_cart));
}

void do_remove(conv_actor* self, const plan_step& step) {
  cart_action action{"remove", "remove the first one"};
  with_cart_lines(self, step, false, std::move(action), [self](std::vector<protocol::product> items) {
    remove_items(self, std::move(items), 0);
  });
}

void set_quantity(conv_actor* self, const protocol::product& item, int32_t quantity) {
  auto req = write_request<protocol::cart_set_quantity>(self);
  req.product_id = item.id;
  req.quantity = quantity;
  auto title = item.title;
  call(self, std::move(req), "change quantity", [self, title, quantity](protocol::cart_view cart) {
    auto& ctx = self->state.ctx;
    if (ctx.shown_kind == list_kind::cart)
      ctx.shown = products_of(cart, ctx);
    show_cart_change(self, cart, "You now have " + std::to_string(quantity) + " \xC3\x97 " + title
                                   + " in your cart.");
  });
}

void do_change_quantity(conv_actor* self, const plan_step& step) {
  if (!step.slots.quantity) {
    stop_plan(self, "How many would you like? Say e.g. \"make it 2\".");
    return;
  }
  if (!quantity_ok(self, *step.slots.quantity))
    return;
  auto quantity = static_cast<int32_t>(*step.slots.quantity);
  cart_action action{"change", "change the quantity of the first one to " + std::to_string(quantity)};
  with_cart_lines(self, step, true, std::move(action),
                  [self, quantity](std::vector<protocol::product> items) {
                    set_quantity(self, items.front(), quantity);
                  });
}

void do_view_cart(conv_actor* self) {
  call(self, protocol::cart_get{}, "view cart", [self](protocol::cart_view cart) {
    emit(self, protocol::cart_event{turn_of(self)->summary.turn_id, cart});
    auto& ctx = self->state.ctx;
    if (!cart.lines.empty()) {
      ctx.shown = products_of(cart, ctx);
      ctx.shown_kind = list_kind::cart;
      ctx.focused.reset();
      if (ctx.shown.size() == 1)
        ctx.focused = ctx.shown.front();
    }
    say(self, cart_text(cart));
  });
}

void do_checkout(conv_actor* self) {
  call(self, write_request<protocol::checkout_prepare>(self), "prepare checkout",
       [self](protocol::checkout_summary summary) {
         auto* t = turn_of(self);
         if (summary.cart.lines.empty() || summary.checkout_id.empty()) {
           stop_plan(self, "Your cart is empty, so there's nothing to check out yet.");
           return;
         }
         self->state.ctx.pending_checkout_id = summary.checkout_id;
         self->state.ctx.confirm_uncertain = false;
         self->state.pending_checkout_turn = t->summary.turn_id;
         emit(self, protocol::cart_event{t->summary.turn_id, summary.cart});
         t->summary.confirmation_asked = true;
         say(self, checkout_text(summary));
       });
}

void do_confirm(conv_actor* self) {
  auto& ctx = self->state.ctx;
  auto* t = turn_of(self);
  if (ctx.pending_checkout_id.empty()) {
    say(self, "There's nothing waiting for your confirmation. Say \"checkout\" when you're "
              "ready to order.");
    return;
  }
  if (self->state.pending_checkout_turn == t->summary.turn_id) {
    // The summary was produced in this very message: the shopper has not seen it yet.
    t->summary.confirmation_asked = true;
    say(self, "Please look over the summary first, then say \"yes\" to place the order.");
    return;
  }
  auto req = write_request<protocol::checkout_confirm>(self);
  req.checkout_id = ctx.pending_checkout_id;
  call(
    self, std::move(req), "place order",
    [self](protocol::order o) {
      self->state.ctx.pending_checkout_id.clear();
      self->state.ctx.confirm_uncertain = false;
      turn_of(self)->summary.order_id = o.order_id;
      emit(self, protocol::cart_event{turn_of(self)->summary.turn_id, protocol::cart_view{o.user, {}, {0, o.total.currency}, 0}});
      say(self, order_placed_text(o));
    },
    [self](const caf::error& err) {
      if (protocol::is_degradation(err)) {
        // The order may or may not exist: keep the checkout so "yes" can retry it (the cart
        // agent places at most one order per checkout id).
        mark_degraded(self, agent_kind::cart, err);
        self->state.ctx.confirm_uncertain = true;
        turn_of(self)->summary.confirmation_asked = true;
        stop_plan(self, "The cart isn't available right now, so I couldn't confirm that your "
                        "order was placed. Say \"yes\" again to retry.");
        return true;
      }
      self->state.ctx.pending_checkout_id.clear();
      return false;
    });
}

void do_cancel(conv_actor* self, bool implicit) {
  auto& ctx = self->state.ctx;
  if (ctx.pending_checkout_id.empty()) {
    say(self, "Okay, there's nothing to cancel.");
    return;
  }
  auto req = write_request<protocol::checkout_cancel>(self);
  req.checkout_id = std::exchange(ctx.pending_checkout_id, std::string{});
  // After a "yes" that got no answer the order may exist: never claim it does not.
  bool uncertain = std::exchange(ctx.confirm_uncertain, false);
  const char* maybe_ordered = "Your earlier \"yes\" may have placed the order before the cart "
                              "went quiet: \"show my orders\" lists every order placed.";
  call(
    self, std::move(req), "cancel checkout",
    [self, implicit, uncertain, maybe_ordered](protocol::cart_view) {
      if (uncertain)
        say(self, std::string{"I cancelled the pending checkout. "} + maybe_ordered);
      else
        say(self, implicit ? "I cancelled the pending checkout; no order was placed."
                           : "Okay, I cancelled the checkout. No order was placed and your cart "
                             "is unchanged.");
    },
    [self, implicit, uncertain, maybe_ordered](const caf::error& err) {
      if (protocol::is_degradation(err))
        mark_degraded(self, agent_kind::cart, err);
      if (uncertain)
        say(self, std::string{"I dropped the pending checkout. "} + maybe_ordered);
      else  // never confirmed, so no order exists whatever the cart did
        say(self, implicit ? "I dropped the pending checkout; no order was placed."
                           : "Okay, no order was placed.");
      return true;
    });
}

void do_list_orders(conv_actor* self) {
  call(self, protocol::order_list_request{}, "order history",
       [self](protocol::order_history h) { say(self, orders_text(h)); });
}

// -- price comparison, alerts, style --------------------------------------------------------------

void do_compare(conv_actor* self, const plan_step& step) {
  auto items = resolve_or_stop(self, step, true);
  if (!items)
    return;
  protocol::price_compare req;
  req.product_id = items->front().id;
  auto p = items->front();
  focus(self, p);
  call(self, std::move(req), "compare prices", [self, p](protocol::price_comparison c) {
    emit(self, protocol::comparison_event{turn_of(self)->summary.turn_id, c});
    say(self, comparison_text(c, p.title));
  });
}

void do_set_alert(conv_actor* self, const plan_step& step) {
  auto items = resolve_or_stop(self, step, true);
  if (!items)
    return;
  auto p = items->front();
  auto req = write_request<protocol::alert_create>(self);
  req.product_id = p.id;
  const auto& s = step.slots;
  if (s.alert_back_in_stock) {
    req.condition = protocol::alert_condition::back_in_stock;
  } else if (s.alert_drop_percent) {
    req.condition = protocol::alert_condition::drop_percent;
    req.threshold = *s.alert_drop_percent;
  } else {
    req.condition = protocol::alert_condition::price_below;
    // Without a figure any drop below today's price counts.
    req.threshold = s.alert_threshold_minor ? *s.alert_threshold_minor
                    : s.max_price_minor     ? *s.max_price_minor
                                            : p.price.minor;
  }
  focus(self, p);
  call(self, std::move(req), "create alert",
       [self, p](protocol::alert a) { say(self, alert_text(a, p.title, p.price.currency)); });
}

void do_list_alerts(conv_actor* self) {
  call(self, protocol::alert_list_request{}, "list alerts",
       [self](protocol::alert_list l) { say(self, alerts_text(l)); });
}

void do_delete_alert(conv_actor* self, const plan_step& step) {
  std::optional<std::string> product_id;
  if (step.slots.ref || !step.product_id.empty()) {
    auto r = resolve_reference(step.slots, self->state.ctx);
    if (r.items.size() == 1)
      product_id = r.items.front().id;
  }
  call(self, protocol::alert_list_request{}, "list alerts",
       [self, product_id](protocol::alert_list l) {
         std::vector<protocol::alert> matching;
         for (const auto& a : l.alerts)
           if (a.active && (!product_id || a.product_id == *product_id))
             matching.push_back(a);
         if (matching.empty()) {
           say(self, product_id ? "You have no alert for that item." : "You have no alerts.");
           return;
         }
         if (matching.size() > 1 && !product_id) {
           stop_plan(self, "You have several alerts; which one should I delete?\n"
                             + alerts_text(protocol::alert_list{matching}));
           return;
         }
         auto req = write_request<protocol::alert_delete>(self);
         req.alert_id = matching.front().alert_id;
         auto pid = matching.front().product_id;
         call(self, std::move(req), "delete alert", [self, pid](protocol::ack) {
           say(self, "Deleted your alert for product " + pid + ".");
         });
       });
}

void do_signal(conv_actor* self, const plan_step& step) {
  auto items = resolve_or_stop(self, step, true);
  if (!items)
    return;
  auto p = items->front();
  bool liked = step.act == intent::like;
  auto req = write_request<protocol::style_signal>(self);
  req.product_id = p.id;
  req.kind = liked ? protocol::signal_kind::liked : protocol::signal_kind::disliked;
  req.at_ms = runtime::wall_clock_ms();
  focus(self, p);
  call(self, std::move(req), liked ? "record like" : "record dislike",
       [self, p, liked](protocol::ack) {
         say(self, liked ? "Noted: you like " + p.title + ". I'll use that for recommendations."
                         : "Noted: you don't like " + p.title + ". I'll show fewer like it.");
       });
}

void do_remember(conv_actor* self, const plan_step& step) {
  const auto& s = step.slots;
  if (!s.preference_key || !s.preference_value) {
    stop_plan(self, "What should I remember? Say e.g. \"I wear size M\" or \"my budget is 2000\".");
    return;
  }
  // Dislikes of a colour also shape this session's searches right away.
  if (*s.preference_key == "avoid_colour" && self->state.ctx.search.active)
    self->state.ctx.search.filters.exclude_colours.push_back(*s.preference_value);
  protocol::preference_set req;
  req.env.idempotency_key = write_key(self);
  req.preference = protocol::stated_preference{*s.preference_key, *s.preference_value,
                                               runtime::wall_clock_ms()};
  auto pref = req.preference;
  call(self, std::move(req), "remember preference", [self, pref](protocol::style_profile p) {
    learn_profile(self, p);
    std::string use;
    if (pref.key == "budget")
      use = " I'll keep searches and recommendations within it unless you name a price.";
    else if (pref.key == "size" || pref.key == "avoid_colour")
      use = " I'll use that in searches and recommendations.";
    else
      use = " I'll use that when I recommend things.";
    say(self, "Got it: " + stated_text(pref, self->state.ctx.currency) + "." + use);
  });
}

void do_show_profile(conv_actor* self) {
  call(self, protocol::profile_get{}, "show profile", [self](protocol::style_profile p) {
    learn_profile(self, p);
    say(self, profile_text(p, self->state.ctx.currency));
  });
}

void do_forget(conv_actor* self) {
  call(self, write_request<protocol::preference_forget>(self), "forget preferences",
       [self](protocol::style_profile p) {
         learn_profile(self, p);
         // What the shopper said also stops shaping the results on screen.
         self->state.ctx.search.filters.exclude_colours.clear();
         say(self, "Done: I've forgotten your stated preferences (budget, size, colours you "
                   "avoid). What I learned from your likes stays; it shapes recommendations.");
       });
}

// The style profiler can say something about this shopper's taste (else a ranking would only
// keep the search order, with a reason that says nothing).
bool knows_style(const protocol::style_profile& p) {
  if (p.signal_count > 0 || !p.attributes.empty() || !p.taste.empty())
    return true;
  return std::any_of(p.stated.begin(), p.stated.end(), [](const auto& s) {
    return s.key == "colour" || s.key == "brand" || s.key == "product_type";
  });
}

// Candidates found for a recommendation: ranked by style at the profiler, blended with their
// search relevance, the first page shown with the ranking's reason.
void rank_candidates(conv_actor* self, search_state s, protocol::search_result r,
                     applied_preferences applied) {
  if (r.products.empty())
    return show_results(self, s, r, "Picked for you", false, applied);
  protocol::style_rank req;
  for (const auto& p : r.products)
    req.product_ids.push_back(p.id);
  auto show_page = [self, s, applied](protocol::search_result page) {
    if (page.products.size() > page_size)
      page.products.resize(page_size);
    page.scores.clear();
    // The explanation describes the candidate pool, not this page; a keyword-only pool
    // still says so.
    page.explanation = page.degraded.empty()
                         ? std::string{}
                         : "Matched by keywords only (" + page.degraded + ").";
    show_results(self, s, page, "Picked for you", false, applied);
  };
  call(
    self, std::move(req), "rank by your style",
    [self, r, show_page](protocol::style_ranking ranking) mutable {
      r.products = blend_by_style(r.products, r.scores, ranking);
      if (!ranking.reason.empty())
        say(self, "I picked these for you because " + ranking.reason + ".");
      show_page(std::move(r));
    },
    [self, r, show_page](const caf::error& err) mutable {
      if (protocol::is_degradation(err))
        mark_degraded(self, agent_kind::style_profiler, err);
      say(self, "I couldn't rank these by your style just now, so they're in search order.");
      show_page(std::move(r));
      return true;
    });
}

void do_recommend(conv_actor* self, const plan_step& step) {
  search_state s;
  s.active = true;
  s.query = step.slots.query;
  s.filters = filters_from(step.slots);
  call(
    self, protocol::profile_get{}, "style profile",
    [self, s](protocol::style_profile profile) mutable {
      learn_profile(self, profile);
      auto applied = apply_preferences(known_preferences(self), s.filters);
      if (!knows_style(profile)) {
        say(self, "I don't know your style yet, so these are popular picks. Like a few items "
                  "and I'll learn what you prefer.");
        return run_search(self, std::move(s), "search", "Picked for you", false,
                          std::move(applied));
      }
      protocol::search_request req;
      req.query = s.query.empty() ? s.filters.product_type : s.query;
      req.filters = s.filters;
      req.limit = recommend_pool;
      req.style_vector = profile.taste;
      req.style_weight = req.style_vector.empty() ? 0.f : style_share;
      call(self, std::move(req), "search",
           [self, s, applied](protocol::search_result r) {
             rank_candidates(self, s, std::move(r), applied);
           });
    },
    [self, s](const caf::error& err) mutable {
      if (!protocol::is_degradation(err))
        return false;
      mark_degraded(self, agent_kind::style_profiler, err);
      say(self, "Style profiles aren't available right now, so these picks aren't "
                "personalised.");
      // What this conversation already knows of the shopper's preferences still applies.
      auto applied = apply_preferences(known_preferences(self), s.filters);
      run_search(self, std::move(s), "search", "Popular picks", false, std::move(applied));
      return true;
    });
}

void do_image_search(conv_actor* self, const protocol::user_turn& turn) {
  if (turn.image.empty()) {
    stop_plan(self, "I didn't get an image there. Send a PNG or JPEG picture of what you're "
                    "looking for.");
    return;
  }
  protocol::image_analyse req;
  req.bytes = turn.image;
  call(self, std::move(req), "analyse image", [self](protocol::image_analysis a) {
    if (a.colours.empty()) {
      stop_plan(self, "I couldn't make out any colours in that image.");
      return;
    }
    search_state s;
    s.active = true;
    s.filters.colour = a.colours.front().colour;
    say(self, "Your image is mostly " + s.filters.colour + ".");
    with_preferences(self, [self, s]() mutable {
      auto applied = apply_preferences(known_preferences(self), s.filters);
      run_search(self, std::move(s), "search", "Matching your image", false, std::move(applied));
    });
  });
}

// -- context and history in their stores ---------------------------------------------------------

void count(runtime::counter* c) {
  if (c != nullptr)
    c->inc();
}

std::string session_of(const conv_actor* self) {
  return self->state.key.tenant + "/" + self->state.key.session_id;
}

void maybe_quit(conv_actor* self) {
  auto& st = self->state;
  // A save still in flight (or due after it) is the newest context: wait for it.
  if (st.stopping && !st.turn && st.queue.empty() && !st.loading && !st.save_in_flight)
    self->quit();
}

// What the store answered before a turn. The context in memory stays unless the store holds a
// context this actor has not seen: the session went on at another actor or node meanwhile.
void adopt_stored(conv_actor* self, caf::expected<std::optional<std::string>> got) {
  auto& st = self->state;
  if (!got) {
    count(st.deps.metrics.context_load_errors);
    spdlog::warn("session {}: context not loaded, going on with the one in memory ({})",
                 session_of(self), protocol::describe(got.error()));
    return;
  }
  if (!*got || **got == st.stored_blob)
    return;   // nothing stored (a new session, or expired), or what this actor wrote last
  auto ctx = decode_context(**got);
  if (!ctx) {
    count(st.deps.metrics.context_corrupt);
    spdlog::warn("session {}: stored context ignored, going on with the one in memory ({})",
                 session_of(self), protocol::describe(ctx.error()));
    return;
  }
  st.ctx = std::move(*ctx);
  st.stored_blob = std::move(**got);
  spdlog::debug("session {}: context loaded ({} turns so far)", session_of(self), st.ctx.turns);
}

// Saves of one session never overlap, so they cannot land out of order: a change made while
// a save is in flight is saved (as it is then) once that save is done.
void save_context(conv_actor* self) {
  auto& st = self->state;
  if (!st.persist)
    return;
  st.unsaved = true;
  if (st.save_in_flight) {
    st.save_again = true;
    return;
  }
  st.save_in_flight = true;
  auto blob = std::make_shared<const std::string>(encode_context(st.ctx));
  auto put = [store = st.deps.contexts.store, key = st.key, blob, ttl = st.deps.context_ttl] {
    return store->put(key, *blob, ttl);
  };
  actors::call_store(self, *st.deps.contexts.executor, std::move(put),
                     [self, blob](caf::expected<void> done) {
                       auto& st = self->state;
                       st.save_in_flight = false;
                       if (done) {
                         st.stored_blob = *blob;
                         st.unsaved = st.save_again;
                       } else {
                         count(st.deps.metrics.context_save_errors);
                         spdlog::warn("session {}: context not saved ({})", session_of(self),
                                      protocol::describe(done.error()));
                       }
                       if (std::exchange(st.save_again, false)) {
                         save_context(self);
                       } else if (std::exchange(st.answer_when_saved, false)) {
                         deliver_turn(self);   // saved, or failing: answer either way
                         start_when_ready(self);
                       } else {
                         maybe_quit(self);
                       }
                     });
}

stores::turn_record record_of(const conv_actor* self, const active_turn& t) {
  auto r = stores::make_turn_record(t.source.turn, t.summary, t.started_ms);
  r.seq = t.seq;
  // Text a store cannot hold (broken UTF-8, NUL) is kept as the turn read it.
  const auto max_bytes = self->state.deps.max_text_bytes;
  if (!stores::check_storable_text("user_text", r.user_text).empty())
    r.user_text = sanitise_text(r.user_text, max_bytes).text;
  if (!stores::check_storable_text("product_ref", r.product_ref).empty())
    r.product_ref = sanitise_text(r.product_ref, max_bytes).text;
  r.product_ids = t.product_ids;
  r.cart_items = t.cart_items;
  return r;
}

void append_history(conv_actor* self, stores::turn_record record) {
  auto& st = self->state;
  const auto& history = st.deps.history;
  if (!history.store || record.tenant.empty() || record.user.empty() || record.session_id.empty())
    return;
  auto rec = std::make_shared<const stores::turn_record>(std::move(record));
  actors::call_store(
    self, *history.executor, [store = history.store, rec] { return store->append(*rec); },
    [self, rec](caf::error err) {
      if (!err)
        return;
      count(self->state.deps.metrics.history_errors);
      spdlog::warn("session {}: turn {} not recorded in the history ({})", session_of(self),
                   rec->seq, protocol::describe(err));
    });
}

// Starts the next queued turn once the context is current: read from the store first, unless
// this actor holds changes the store has not taken yet (then its own context is the newest).
void start_when_ready(conv_actor* self) {
  auto& st = self->state;
  if (st.turn || st.loading)
    return;
  if (st.queue.empty())
    return maybe_quit(self);
  if (!st.persist || st.unsaved)
    return start_next_turn(self);
  st.loading = true;
  auto id = ++st.load_id;
  auto& executor = *st.deps.contexts.executor;
  if (!executor.runs_inline())
    self->delayed_send(self, st.deps.context_load_timeout, load_timeout_atom::value, id);
  actors::call_store(self, executor,
                     [store = st.deps.contexts.store, key = st.key] { return store->get(key); },
                     [self, id](caf::expected<std::optional<std::string>> got) {
                       auto& st = self->state;
                       if (!st.loading || st.load_id != id)
                         return;   // too late: the turn went ahead without it
                       st.loading = false;
                       adopt_stored(self, std::move(got));
                       start_next_turn(self);
                     });
}

// -- plan and turn --------------------------------------------------------------------------------

void execute(conv_actor* self, const plan_step& step) {
  if (step.from_image)
    return do_image_search(self, turn_of(self)->source.turn);
  switch (step.act) {
    case intent::greet: return say(self, greeting_text());
    case intent::help: return say(self, capabilities_text());
    case intent::unknown:
      return say(self, "I'm not sure what you mean, sorry. " + capabilities_text());
    case intent::search: return do_search(self, step);
    case intent::refine: return do_refine(self, step);
    case intent::show_more: return do_show_more(self);
    case intent::describe: return do_describe(self, step);
    case intent::add_to_cart: return do_add(self, step);
    case intent::remove_from_cart: return do_remove(self, step);
    case intent::change_quantity: return do_change_quantity(self, step);
    case intent::view_cart: return do_view_cart(self);
    case intent::checkout: return do_checkout(self);
    case intent::confirm: return do_confirm(self);
    case intent::cancel: return do_cancel(self, false);
    case intent::compare_prices: return do_compare(self, step);
    case intent::set_alert: return do_set_alert(self, step);
    case intent::list_alerts: return do_list_alerts(self);
    case intent::delete_alert: return do_delete_alert(self, step);
    case intent::like:
    case intent::dislike: return do_signal(self, step);
    case intent::remember_preference: return do_remember(self, step);
    case intent::show_profile: return do_show_profile(self);
    case intent::forget_preferences: return do_forget(self);
    case intent::recommend: return do_recommend(self, step);
    case intent::list_orders: return do_list_orders(self);
  }
}

bool phrase_reply(conv_actor* self);

void finish_turn(conv_actor* self) {
  auto& t = *self->state.turn;
  if (t.lines.empty())
    t.lines.push_back(capabilities_text());
  for (size_t i = 0; i < t.lines.size(); ++i)
    t.summary.reply += (i == 0 ? "" : "\n\n") + t.lines[i];
  if (phrase_reply(self))
    return;   // complete_turn runs when the phrasing ends or runs out of time
  complete_turn(self);
}

void complete_turn(conv_actor* self) {
  auto& st = self->state;
  if (st.persist && !st.deps.contexts.executor->runs_inline()) {
    // A shared store: save first (a round trip to Redis), so the answer never gets ahead of
    // what another gateway would read. The next turn waits: this one is still the turn.
    st.answer_when_saved = true;
    save_context(self);
    // A store slower than a context read may take does not hold the answer any longer.
    if (st.answer_when_saved)
      self->delayed_send(self, st.deps.context_load_timeout,
                         actors::store_continuation{[self, id = st.turn->summary.turn_id] {
                           auto& s = self->state;
                           if (!s.answer_when_saved || !s.turn || s.turn->summary.turn_id != id)
                             return;
                           s.answer_when_saved = false;
                           count(s.deps.metrics.context_save_errors);
                           spdlog::warn("session {}: context store too slow (over {} ms) to save "
                                        "turn {} first; answering anyway",
                                        session_of(self), s.deps.context_load_timeout.count(), id);
                           deliver_turn(self);
                           start_when_ready(self);
                         }});
    return;
  }
  deliver_turn(self);
  // In process the store is this node's own: answering first costs nothing in consistency.
  save_context(self);
  start_when_ready(self);
}

void deliver_turn(conv_actor* self) {
  auto t = std::move(*self->state.turn);
  self->state.turn.reset();
  auto& summary = t.summary;
  auto elapsed = self->clock().now() - t.started;
  summary.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  if (t.source.requester)
    self->send(caf::actor_cast<caf::actor>(t.source.requester),
               protocol::final_event{summary.turn_id, summary.reply, summary.confirmation_asked,
                                     summary.degraded});
  const auto& m = self->state.deps.metrics;
  if (m.turns)
    m.turns->inc();
  if (m.degraded && summary.degraded)
    m.degraded->inc();
  if (m.seconds)
    m.seconds->observe(std::chrono::duration<double>(elapsed).count());
  spdlog::info("turn {} of session {} done: intents [{}], agents [{}]{}", summary.turn_id,
               t.env.session, fmt::join(summary.intents, ","), fmt::join(summary.agents, ","),
               summary.degraded ? " (degraded)" : "");
  auto record = record_of(self, t);
  t.source.promise.deliver(std::move(summary));
  // After the answer: history never delays it.
  append_history(self, std::move(record));
}

void run_next(conv_actor* self) {
  while (self->state.turn) {
    auto& t = *self->state.turn;
    if (t.calls_in_flight > 0)
      return;
    if (t.abort_rest || t.next >= t.steps.size())
      return finish_turn(self);
    auto step = t.steps[t.next++];
    execute(self, step);
  }
}

nlu::dialogue_hints hints_of(const conversation_context& ctx) {
  nlu::dialogue_hints hints;
  hints.pending_confirmation = !ctx.pending_checkout_id.empty();
  hints.results_on_screen = static_cast<int32_t>(ctx.shown.size());
  return hints;
}

// What the turn asks for, before any agent is involved; `from_model` replaces the offline
// understanding of a message when the model answered in time.
std::vector<plan_step> plan_turn(conv_actor* self, active_turn& t,
                                 std::optional<nlu::understanding> from_model) {
  const auto& turn = t.source.turn;
  auto& ctx = self->state.ctx;
  std::vector<plan_step> steps;
  auto single = [&steps](intent act) {
    plan_step s;
    s.act = act;
    steps.push_back(std::move(s));
  };
  switch (turn.input) {
    case protocol::turn_input::confirm: single(intent::confirm); return steps;
    case protocol::turn_input::cancel: single(intent::cancel); return steps;
    case protocol::turn_input::image: {
      plan_step s;
      s.act = intent::search;
      s.from_image = true;
      steps.push_back(std::move(s));
      return steps;
    }
    case protocol::turn_input::like:
    case protocol::turn_input::dislike: {
      plan_step s;
      s.act = turn.input == protocol::turn_input::like ? intent::like : intent::dislike;
      auto ref = sanitise_text(turn.product_ref, self->state.deps.max_text_bytes).text;
      if (!ref.empty()) {
        // A reference in words ("the second one") or else a product id.
        auto u = self->state.deps.understanding->understand(ref, {});
        if (!u.steps.empty() && u.steps.front().slots.ref)
          s.slots.ref = u.steps.front().slots.ref;
        else
          s.product_id = ref;
      }
      steps.push_back(std::move(s));
      return steps;
    }
    case protocol::turn_input::message:
      break;
  }
  auto clean = sanitise_text(turn.text, self->state.deps.max_text_bytes);
  if (clean.text.empty()) {
    say(self, "I didn't get a message there. Tell me what you're looking for, e.g. \"black "
              "running shoes under 3000\", or say \"help\".");
    t.summary.intents.push_back(std::string{nlu::to_string(intent::unknown)});
    return steps;
  }
  if (clean.truncated)
    say(self, "Your message was very long, so I read only the first "
                + std::to_string(clean.text.size()) + " characters.");
  auto u = from_model ? std::move(*from_model)
                      : self->state.deps.understanding->understand(clean.text, hints_of(ctx));
  for (auto& st : u.steps) {
    plan_step s;
    s.act = st.act;
    s.slots = std::move(st.slots);
    steps.push_back(std::move(s));
  }
  return steps;
}

// -- the model (llm.provider openai) ----------------------------------------------------------
// The model is asked without blocking: its answer comes back as a continuation message, and a
// timer bounds the wait. Whichever comes first wins; the other finds the call id gone.

/// Less than this left for a model call: not worth asking.
constexpr auto min_model_budget = std::chrono::milliseconds{50};

std::chrono::milliseconds time_left(const active_turn& t) {
  return std::chrono::milliseconds{t.env.deadline_ms - runtime::wall_clock_ms()};
}

void count_model(conv_actor* self, const char* name, const char* help, const char* label,
                 std::string value) {
  if (auto* registry = self->state.deps.metrics.registry)
    registry->counter_for(name, help, {{label, std::move(value)}}).inc();
}

void count_request(conv_actor* self, std::string outcome) {
  count_model(self, "cartmate_llm_requests_total",
              "Model calls by outcome (ok, error, late: answered after the turn moved on)",
              "outcome", std::move(outcome));
}

void count_fallback(conv_actor* self, std::string reason) {
  count_model(self, "cartmate_llm_fallback_total",
              "Messages the offline understanding answered because the model could not",
              "reason", std::move(reason));
}

void count_phrasing(conv_actor* self, std::string outcome) {
  count_model(self, "cartmate_llm_replies_total",
              "Streamed reply phrasings by outcome (ok, or the reason the built-in text was used)",
              "outcome", std::move(outcome));
}

std::string reason_of(const caf::error& err) {
  if (auto code = protocol::errc_of(err))
    return std::string{protocol::to_string(*code)};
  return "error";
}

/// Runs `fn` in the conversation, later, as a message: from the model client's thread (which
/// must not touch actor state) or from a timer. Dropped when the actor is gone.
template <class Fn>
void post_to(const caf::weak_actor_ptr& weak, Fn fn) {
  if (auto strong = weak.lock())
    caf::anon_send(caf::actor_cast<caf::actor>(strong), actors::store_continuation{std::move(fn)});
}

void plan_offline(conv_actor* self, const std::string& reason, const std::string& detail) {
  auto& t = *self->state.turn;
  count_fallback(self, reason);
  spdlog::warn("trace {}: turn {} of session {}: the model could not plan the message ({}{}{}); "
               "the offline understanding answers", t.env.trace_id, t.summary.turn_id,
               t.env.session, reason, detail.empty() ? "" : ": ", detail);
  t.steps = plan_turn(self, t, std::nullopt);
  begin_plan(self);
}

void on_model_answer(conv_actor* self, uint64_t id, caf::expected<nlu::understanding> u) {
  auto& st = self->state;
  if (!st.turn || st.turn->model_call != id) {
    count_request(self, "late");
    spdlog::debug("a model answer after the turn moved on was dropped");
    return;
  }
  auto& t = *st.turn;
  t.model_call = 0;
  runtime::trace_scope scope{t.env.trace_id};
  if (!u) {
    count_request(self, "error");
    return plan_offline(self, reason_of(u.error()), error_detail(u.error()));
  }
  count_request(self, "ok");
  t.steps = plan_turn(self, t, std::move(*u));
  begin_plan(self);
}

void on_model_late(conv_actor* self, uint64_t id) {
  auto& st = self->state;
  if (!st.turn || st.turn->model_call != id)
    return;
  auto& t = *st.turn;
  t.model_call = 0;
  runtime::trace_scope scope{t.env.trace_id};
  plan_offline(self, "deadline", "no answer within its budget");
}

// Asks the model for the plan of a message turn; false when the offline understanding should
// plan it right away (no model, not a message, nothing to read, too little time).
bool ask_model(conv_actor* self, active_turn& t) {
  auto& st = self->state;
  if (!st.deps.model || t.source.turn.input != protocol::turn_input::message)
    return false;
  auto clean = sanitise_text(t.source.turn.text, st.deps.max_text_bytes);
  if (clean.text.empty())
    return false;
  // The agents get the larger part of the turn: the model at most 40 % of what is left.
  auto budget = std::min(st.deps.model_timeout, time_left(t) * 2 / 5);
  if (budget < min_model_budget) {
    count_fallback(self, "deadline");
    spdlog::warn("trace {}: only {} ms left for the model; the offline understanding answers",
                 t.env.trace_id, budget.count());
    return false;
  }
  auto id = ++st.model_calls;
  t.model_call = id;
  caf::weak_actor_ptr weak{self->ctrl()};
  st.deps.model->understand(
    clean.text, hints_of(st.ctx), std::chrono::steady_clock::now() + budget,
    [weak, self, id](caf::expected<nlu::understanding> u) {
      auto answer = std::make_shared<caf::expected<nlu::understanding>>(std::move(u));
      post_to(weak, [self, id, answer] { on_model_answer(self, id, std::move(*answer)); });
    });
  self->delayed_send(self, budget,
                     actors::store_continuation{[self, id] { on_model_late(self, id); }});
  return true;
}

void end_phrasing(conv_actor* self, std::optional<std::string> text, const std::string& reason,
                  const std::string& detail) {
  auto& t = *self->state.turn;
  t.phrase_call = 0;
  if (text) {
    count_phrasing(self, "ok");
    t.summary.reply = std::move(*text);
  } else {
    count_phrasing(self, reason);
    spdlog::warn("trace {}: the model did not phrase the reply of turn {} ({}{}{}); the "
                 "built-in text is used", t.env.trace_id, t.summary.turn_id, reason,
                 detail.empty() ? "" : ": ", detail);
  }
  complete_turn(self);
}

// Streams the model's phrasing of the reply as partial events; false when the built-in text
// should go out as it is. An order summary waiting for a yes stays word for word.
bool phrase_reply(conv_actor* self) {
  auto& st = self->state;
  auto& t = *st.turn;
  if (!st.deps.phraser || t.summary.confirmation_asked
      || t.source.turn.input != protocol::turn_input::message)
    return false;
  auto budget = std::min(st.deps.model_timeout, time_left(t) - min_model_budget);
  if (budget < min_model_budget) {
    count_phrasing(self, "deadline");
    return false;
  }
  auto id = ++st.model_calls;
  t.phrase_call = id;
  caf::weak_actor_ptr weak{self->ctrl()};
  auto shopper_text = sanitise_text(t.source.turn.text, st.deps.max_text_bytes).text;
  st.deps.phraser->phrase(
    shopper_text, t.summary.reply, std::chrono::steady_clock::now() + budget,
    [weak, self, id](const std::string& delta) {
      post_to(weak, [self, id, delta] {
        auto& st = self->state;
        if (st.turn && st.turn->phrase_call == id)
          emit(self, protocol::partial_event{st.turn->summary.turn_id, delta});
      });
    },
    [weak, self, id](caf::expected<std::string> text) {
      auto answer = std::make_shared<caf::expected<std::string>>(std::move(text));
      post_to(weak, [self, id, answer] {
        auto& st = self->state;
        if (!st.turn || st.turn->phrase_call != id)
          return;
        runtime::trace_scope scope{st.turn->env.trace_id};
        if (*answer)
          end_phrasing(self, std::move(**answer), {}, {});
        else
          end_phrasing(self, std::nullopt, reason_of(answer->error()),
                       error_detail(answer->error()));
      });
    });
  self->delayed_send(self, budget, actors::store_continuation{[self, id] {
                       auto& st = self->state;
                       if (!st.turn || st.turn->phrase_call != id)
                         return;
                       runtime::trace_scope scope{st.turn->env.trace_id};
                       end_phrasing(self, std::nullopt, "deadline", "no end within its budget");
                     }});
  return true;
}

void start_next_turn(conv_actor* self) {
  auto& st = self->state;
  if (st.queue.empty())
    return maybe_quit(self);
  st.turn.emplace();
  auto& t = *st.turn;
  t.source = std::move(st.queue.front());
  st.queue.pop_front();
  t.started = self->clock().now();
  const auto& in = t.source.turn.env;
  t.env.tenant = in.tenant;
  t.env.user = in.user;
  t.env.session = in.session;
  t.env.trace_id = in.trace_id.empty() ? runtime::new_trace_id() : in.trace_id;
  t.env.turn_id = in.turn_id != 0 ? in.turn_id : st.ctx.last_turn_id + 1;
  st.ctx.last_turn_id = std::max(st.ctx.last_turn_id, t.env.turn_id);
  t.seq = ++st.ctx.turns;
  t.started_ms = runtime::wall_clock_ms();
  t.env.deadline_ms = t.started_ms + st.deps.turn_deadline.count();
  t.summary.turn_id = t.env.turn_id;
  runtime::trace_scope scope{t.env.trace_id};
  if (ask_model(self, t))
    return;   // begin_plan runs when the model answers or its budget runs out
  t.steps = plan_turn(self, t, std::nullopt);
  begin_plan(self);
}

void begin_plan(conv_actor* self) {
  auto& st = self->state;
  auto& t = *st.turn;
  // Any answer but an explicit yes or no drops a pending checkout first: only a confirmation
  // given right after the summary may place the order.
  auto answers_confirmation = std::any_of(t.steps.begin(), t.steps.end(), [](const plan_step& s) {
    return s.act == intent::confirm || s.act == intent::cancel;
  });
  if (!st.ctx.pending_checkout_id.empty() && !answers_confirmation && !t.steps.empty()) {
    plan_step cancel;
    cancel.act = intent::cancel;
    t.steps.insert(t.steps.begin(), std::move(cancel));
    t.next = 1;
    do_cancel(self, true);
  }
  for (size_t i = t.next; i < t.steps.size(); ++i)
    t.summary.intents.push_back(std::string{nlu::to_string(t.steps[i].act)});
  std::string plan;
  for (size_t i = t.next; i < t.steps.size(); ++i)
    plan += std::string{i == t.next ? "" : ", then "} + action_of(t.steps[i].act);
  if (!plan.empty())
    emit(self, protocol::thinking_event{t.summary.turn_id, "Working on: " + plan + "."});
  spdlog::info("turn {} of session {} starts: {}", t.summary.turn_id, t.env.session,
               plan.empty() ? std::string{"(nothing to do)"} : plan);
  run_next(self);
}

caf::behavior conversation(conv_actor* self, conversation_deps deps) {
  self->state.deps = std::move(deps);
  self->state.caller = std::make_unique<runtime::resilient_caller>(*self->state.deps.resilience);
  auto parent = self->state.deps.parent;
  self->state.caller->install(self, [self, parent](caf::down_msg& msg) {
    if (parent && msg.source == parent)
      self->quit(msg.reason);
  });
  if (parent)
    self->monitor(parent);
  self->set_exception_handler([](caf::scheduled_actor* ptr, std::exception_ptr& eptr) -> caf::error {
    // A bug must not leave shoppers waiting: answer every open turn, then let the orchestrator
    // start a fresh conversation on the next message.
    auto* me = static_cast<conv_actor*>(ptr);
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      // nop
    }
    spdlog::error("conversation failed: {}", what);
    auto err = protocol::make_error(protocol::errc::agent_error, "conversation failed: " + what);
    if (me->state.turn) {
      auto& t = *me->state.turn;
      t.summary.degraded = true;
      t.summary.degraded_reasons.push_back("orchestrator: agent_error");
      t.summary.reply = "Sorry, something went wrong on my side. Please say that again.";
      if (t.source.requester)
        me->send(caf::actor_cast<caf::actor>(t.source.requester),
                 protocol::final_event{t.summary.turn_id, t.summary.reply, false, true});
      t.source.promise.deliver(t.summary);
      me->state.turn.reset();
    }
    for (auto& queued : me->state.queue)
      queued.promise.deliver(err);
    me->state.queue.clear();
    return err;
  });
  return {
    [self](protocol::user_turn& turn) -> caf::result<protocol::turn_summary> {
      auto& st = self->state;
      if (!st.key_known) {
        // One conversation serves one tenant + user + session: its first turn names it.
        st.key_known = true;
        st.key = stores::session_key{turn.env.tenant, turn.env.session};
        st.persist = st.deps.contexts.store != nullptr && !turn.env.session.empty();
      }
      // Before make_response_promise: the promise takes the sender out of the message.
      auto requester = self->current_sender();
      auto promise = self->make_response_promise<protocol::turn_summary>();
      st.queue.push_back(pending_turn{std::move(turn), promise, std::move(requester)});
      start_when_ready(self);
      return promise;
    },
    [self](idle_stop_atom) {
      self->state.stopping = true;
      maybe_quit(self);
    },
    [self](load_timeout_atom, uint64_t id) {
      auto& st = self->state;
      if (!st.loading || st.load_id != id)
        return;
      st.loading = false;
      count(st.deps.metrics.context_load_errors);
      spdlog::warn("session {}: context store too slow (over {} ms), going on with the context "
                   "in memory", session_of(self), st.deps.context_load_timeout.count());
      start_next_turn(self);
    },
    actors::store_continuation_handler(),
  };
}

}  // namespace

caf::actor spawn_conversation(caf::actor_system& sys, conversation_deps deps) {
  return sys.spawn(conversation, std::move(deps));
}

}  // namespace cartmate::orchestrator
