// style_profiler_agent.cpp — request handlers of the style profiler. Every request that reads or
// writes a profile becomes a job on the user's lane: load, change, store, answer, then the next
// job of that user, so overlapping requests (a retry, a like while an image is decoded) never
// lose each other's changes, even when the store answers on another thread.
#include "actors/style/style_profiler_agent.hpp"

#include <deque>
#include <exception>
#include <map>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/store_call.hpp"
#include "adapters/style/colour_extractor.hpp"
#include "adapters/style/style_ranker.hpp"
#include "protocol/errors.hpp"
#include "runtime/logging.hpp"
#include "runtime/resilient_caller.hpp"

namespace cartmate::actors {

namespace {

using protocol::errc;
using protocol::make_error;

/// Longest stated-preference key and value accepted, in bytes.
constexpr size_t max_key_bytes = 64;
constexpr size_t max_value_bytes = 256;

/// The jobs of one user: at most one runs; the rest wait in arrival order.
struct user_lane {
  bool busy = false;
  std::deque<std::function<void()>> waiting;
};

struct style_state {
  style_agent_deps deps;
  style::taste_model model;
  std::shared_ptr<const style::colour_palette> palette;
  std::map<stores::user_key, user_lane> lanes;

  static inline const char* name = "style_profiler";
};

using style_actor = caf::stateful_actor<style_state>;

template <class T>
void deliver(caf::typed_response_promise<T>& rp, caf::expected<T> x) {
  if (x)
    rp.deliver(std::move(*x));
  else
    rp.deliver(std::move(x.error()));
}

int64_t now_ms(style_actor* self) {
  return self->state.deps.now_ms();
}

caf::expected<stores::user_key> owner_of(const protocol::envelope& env) {
  if (env.user.empty())
    return make_error(errc::invalid_argument, "the request names no user");
  return stores::user_key{env.tenant, env.user};
}

// Store calls may run on another thread; a throwing store still produces an answer.
caf::expected<style::learned_profile> load(style::profile_store& store, const stores::user_key& who) {
  try {
    return store.get(who);
  } catch (const std::exception& e) {
    return make_error(errc::agent_error, std::string{"profile store failed: "} + e.what());
  }
}

caf::error save(style::profile_store& store, const stores::user_key& who,
                const style::learned_profile& p) {
  try {
    return store.put(who, p);
  } catch (const std::exception& e) {
    return make_error(errc::agent_error, std::string{"profile store failed: "} + e.what());
  }
}

void next_job(style_actor* self, const stores::user_key& who) {
  auto i = self->state.lanes.find(who);
  if (i == self->state.lanes.end())
    return;
  if (i->second.waiting.empty()) {
    self->state.lanes.erase(i);
    return;
  }
  auto job = std::move(i->second.waiting.front());
  i->second.waiting.pop_front();
  job();
}

void enqueue(style_actor* self, const stores::user_key& who, std::function<void()> job) {
  auto& lane = self->state.lanes[who];
  if (lane.busy) {
    lane.waiting.push_back(std::move(job));
    return;
  }
  lane.busy = true;
  job();
}

/// Loads `who`'s profile, applies `change(profile, changed) -> caf::expected<T>`, stores the
/// profile when `changed` was set, then calls `done(caf::expected<T>)`, all in the actor.
template <class T, class Change, class Done>
void with_profile(style_actor* self, const stores::user_key& who, std::string trace_id,
                  Change change, Done done) {
  enqueue(self, who, [self, who, trace_id, change, done]() mutable {
    auto store = self->state.deps.store.store;
    call_store(
      self, *self->state.deps.store.executor, [store, who] { return load(*store, who); },
      [self, who, trace_id, change, done](caf::expected<style::learned_profile> p) mutable {
        runtime::trace_scope trace{trace_id};
        if (!p) {
          done(caf::expected<T>{std::move(p.error())});
          next_job(self, who);
          return;
        }
        bool changed = false;
        caf::expected<T> result = change(*p, changed);
        if (!result || !changed) {
          done(std::move(result));
          next_job(self, who);
          return;
        }
        auto store = self->state.deps.store.store;
        call_store(
          self, *self->state.deps.store.executor,
          [store, who, profile = std::move(*p)] { return save(*store, who, profile); },
          [self, who, trace_id, done, result = std::move(result)](caf::error err) mutable {
            runtime::trace_scope trace{trace_id};
            if (err)
              done(caf::expected<T>{std::move(err)});
            else
              done(std::move(result));
            next_job(self, who);
          });
      });
  });
}

/// with_profile answering a request with the result.
template <class T, class Change>
caf::result<T> answer_with_profile(style_actor* self, const stores::user_key& who,
                                   const std::string& trace_id, Change change) {
  auto rp = self->make_response_promise<T>();
  with_profile<T>(self, who, trace_id, std::move(change),
                  [rp](caf::expected<T> x) mutable { deliver(rp, std::move(x)); });
  return rp;
}

caf::result<protocol::ack> on_signal(style_actor* self, const protocol::style_signal& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  if (static_cast<uint8_t>(req.kind) > static_cast<uint8_t>(protocol::signal_kind::purchased))
    return make_error(errc::invalid_argument, "unknown signal kind");
  if (req.product_id.empty())
    return make_error(errc::invalid_argument, "a style signal needs a product id");
  auto facts = self->state.deps.catalog->facts(req.product_id);
  if (!facts)
    return std::move(facts.error());
  auto now = now_ms(self);
  // A missing time means now; a time from a fast clock is no newer than now.
  auto at = req.at_ms > 0 ? std::min(req.at_ms, now) : now;
  return answer_with_profile<protocol::ack>(
    self, *who, req.env.trace_id,
    [self, key = req.env.idempotency_key, facts = std::move(*facts), kind = req.kind,
     at](style::learned_profile& p, bool& changed) -> caf::expected<protocol::ack> {
      if (!style::remember_key(p, key))
        return protocol::ack{"already counted"};
      self->state.model.observe(p, facts, kind, at);
      changed = true;
      return protocol::ack{"observed"};
    });
}

/// The summary answer of the profile requests.
auto summary_of(style_actor* self, const protocol::envelope& env) {
  return [self, user = env.user](const style::learned_profile& p) {
    return self->state.model.summarise(p, user, now_ms(self));
  };
}

caf::result<protocol::style_profile> on_get(style_actor* self, const protocol::profile_get& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  return answer_with_profile<protocol::style_profile>(
    self, *who, req.env.trace_id,
    [summary = summary_of(self, req.env)](style::learned_profile& p, bool&)
      -> caf::expected<protocol::style_profile> { return summary(p); });
}

caf::result<protocol::style_profile> on_set(style_actor* self, const protocol::preference_set& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  auto pref = req.preference;
  if (pref.key.empty() || pref.value.empty())
    return make_error(errc::invalid_argument, "a stated preference needs a key and a value");
  if (pref.key.size() > max_key_bytes || pref.value.size() > max_value_bytes)
    return make_error(errc::invalid_argument, "stated preference key or value too long");
  if (pref.stated_ms <= 0)
    pref.stated_ms = now_ms(self);
  return answer_with_profile<protocol::style_profile>(
    self, *who, req.env.trace_id,
    [pref, summary = summary_of(self, req.env)](style::learned_profile& p, bool& changed)
      -> caf::expected<protocol::style_profile> {
      style::set_stated(p, pref);
      changed = true;
      return summary(p);
    });
}

caf::result<protocol::style_profile> on_forget(style_actor* self,
                                               const protocol::preference_forget& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto who = owner_of(req.env);
  if (!who)
    return std::move(who.error());
  return answer_with_profile<protocol::style_profile>(
    self, *who, req.env.trace_id,
    [key = req.key, summary = summary_of(self, req.env)](style::learned_profile& p, bool& changed)
      -> caf::expected<protocol::style_profile> {
      changed = style::forget_stated(p, key) > 0;
      return summary(p);
    });
}

caf::result<protocol::style_ranking> on_rank(style_actor* self, const protocol::style_rank& req) {
  runtime::trace_scope trace{req.env.trace_id};
  if (req.product_ids.size() > max_rank_candidates)
    return make_error(errc::invalid_argument, "at most " + std::to_string(max_rank_candidates)
                                                + " candidates can be ranked at once");
  const auto& catalog = *self->state.deps.catalog;
  const auto& options = self->state.deps.settings.ranking;
  if (req.env.user.empty())
    return style::rank_by_style(style::learned_profile{}, req.product_ids, catalog, options);
  return answer_with_profile<protocol::style_ranking>(
    self, stores::user_key{req.env.tenant, req.env.user}, req.env.trace_id,
    [ids = req.product_ids, catalog = self->state.deps.catalog,
     options](style::learned_profile& p, bool&) -> caf::expected<protocol::style_ranking> {
      return style::rank_by_style(p, ids, *catalog, options);
    });
}

caf::result<protocol::image_analysis> on_image(style_actor* self,
                                               const protocol::image_analyse& req) {
  runtime::trace_scope trace{req.env.trace_id};
  if (!req.bytes.empty() && !req.path.empty())
    return make_error(errc::invalid_argument, "send image bytes or a path, not both");
  if (req.bytes.empty() && req.path.empty())
    return make_error(errc::invalid_argument, "empty image: send image bytes or a path");
  const auto& settings = self->state.deps.settings;
  // The bytes' size is checked before they are copied to the decoder.
  if (req.bytes.size() > settings.limits.max_bytes)
    return make_error(errc::invalid_argument,
                      "image too large: " + std::to_string(req.bytes.size())
                        + " bytes, the limit is " + std::to_string(settings.limits.max_bytes));
  auto rp = self->make_response_promise<protocol::image_analysis>();
  auto analyse = [bytes = req.bytes, path = req.path, palette = self->state.palette,
                  limits = settings.limits, extraction = settings.extraction]()
    -> caf::expected<protocol::image_analysis> {
    try {
      if (path.empty())
        return style::analyse_image(bytes, *palette, limits, extraction);
      auto read = style::read_image_file(path, limits);
      if (!read)
        return std::move(read.error());
      return style::analyse_image(*read, *palette, limits, extraction);
    } catch (const std::exception& e) {   // std::bad_alloc from a decoder
      return make_error(errc::invalid_argument, std::string{"cannot decode the image: "} + e.what());
    }
  };
  auto on_analysed = [self, rp, env = req.env](caf::expected<protocol::image_analysis> a) mutable {
    runtime::trace_scope trace{env.trace_id};
    if (!a) {
      spdlog::info("style: image rejected: {}", protocol::describe(a.error()));
      rp.deliver(std::move(a.error()));
      return;
    }
    auto who = owner_of(env);
    if (!who || a->colours.empty()) {
      rp.deliver(std::move(*a));
      return;
    }
    auto at = now_ms(self);
    auto analysis = *a;
    with_profile<protocol::image_analysis>(
      self, *who, env.trace_id,
      [self, analysis, at, key = env.idempotency_key](style::learned_profile& p, bool& changed)
        -> caf::expected<protocol::image_analysis> {
        if (style::remember_key(p, key)) {
          self->state.model.observe_colours(p, analysis.colours, at);
          changed = true;
        }
        return analysis;
      },
      [rp, analysis](caf::expected<protocol::image_analysis> x) mutable {
        // The colours are the answer; a profile that could not be updated is only logged.
        if (!x)
          spdlog::warn("style: image colours not added to the profile: {}",
                       protocol::describe(x.error()));
        rp.deliver(std::move(analysis));
      });
  };
  call_store(self, *self->state.deps.image_executor, std::move(analyse), std::move(on_analysed));
  return rp;
}

caf::behavior style_profiler_agent(style_actor* self, style_agent_deps deps) {
  auto& st = self->state;
  st.deps = std::move(deps);
  if (!st.deps.store.executor)
    st.deps.store.executor = stores::inline_executor();
  if (!st.deps.image_executor)
    st.deps.image_executor = stores::inline_executor();
  if (!st.deps.now_ms)
    st.deps.now_ms = [] { return runtime::wall_clock_ms(); };
  st.model = style::taste_model{st.deps.settings.taste};
  st.palette = std::make_shared<const style::colour_palette>(
    style::colour_palette::for_catalog(st.deps.catalog->colour_vocabulary()));
  return {
    [self](const protocol::style_signal& req) { return on_signal(self, req); },
    [self](const protocol::profile_get& req) { return on_get(self, req); },
    [self](const protocol::preference_set& req) { return on_set(self, req); },
    [self](const protocol::preference_forget& req) { return on_forget(self, req); },
    [self](const protocol::style_rank& req) { return on_rank(self, req); },
    [self](const protocol::image_analyse& req) { return on_image(self, req); },
    store_continuation_handler(),
  };
}

}  // namespace

caf::actor spawn_style_profiler_agent(caf::actor_system& sys, style_agent_deps deps) {
  return sys.spawn(style_profiler_agent, std::move(deps));
}

}  // namespace cartmate::actors
