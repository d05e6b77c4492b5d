// price_comparison_agent.cpp — one comparison is a "job": the catalog price first (through the
// resilient caller), then every retailer at once (local offers at once, HTTP on the fetcher's
// thread, answers back as messages), then the deal analysis when all have answered or the
// job's deadline fires, whichever comes first. Late answers still feed the cache and breakers.
#include "actors/price/price_comparison_agent.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <spdlog/spdlog.h>

#include "adapters/pricing/retailer_answer.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilient_caller.hpp"

namespace cartmate::actors::price {

namespace {

using protocol::errc;
using protocol::make_error;
using clock_type = caf::actor_clock;

using fetched_atom = caf::atom_constant<caf::atom("pfetched")>;
using deadline_atom = caf::atom_constant<caf::atom("pdeadline")>;

/// Time kept back from the request's deadline so the answer still reaches the caller.
constexpr std::chrono::milliseconds deadline_margin{20};

struct job {
  caf::typed_response_promise<protocol::price_comparison> rp;
  protocol::envelope env;
  std::string product_id;
  std::chrono::milliseconds budget{0};
  bool product_known = false;            // the catalog lookup has answered (either way)
  std::optional<protocol::money> our_price;
  std::vector<std::string> notes;
  std::vector<protocol::offer> offers;
  std::vector<std::string> failed;
  std::vector<bool> pending;             // per retailer: asked, not answered yet
  size_t waiting = 0;
};

struct agent_counters {
  runtime::counter* requests = nullptr;
  runtime::counter* partial = nullptr;
  runtime::counter* cache_hits = nullptr;
  std::vector<runtime::counter*> failures;   // per retailer
};

struct price_state {
  price_agent_deps deps;
  std::unique_ptr<runtime::resilient_caller> caller;
  std::vector<runtime::circuit_breaker*> breakers;   // per retailer; null for local ones
  std::shared_ptr<runtime::breaker_registry> own_breakers;   // when deps bring none
  std::map<uint64_t, job> jobs;
  uint64_t next_job = 1;
  agent_counters counters;

  static inline const char* name = "price_comparison";
};

using price_actor = caf::stateful_actor<price_state>;

void count(runtime::counter* c) {
  if (c != nullptr)
    c->inc();
}

agent_counters make_counters(runtime::metrics_registry* reg,
                             const std::vector<retailer_entry>& retailers) {
  agent_counters out;
  out.failures.resize(retailers.size(), nullptr);
  if (reg == nullptr)
    return out;
  out.requests = &reg->counter_for("cartmate_price_requests_total",
                                   "Price comparisons asked of the price-comparison agent");
  out.partial = &reg->counter_for("cartmate_price_partial_answers_total",
                                  "Price comparisons answered without some retailers");
  out.cache_hits = &reg->counter_for("cartmate_price_cache_hits_total",
                                     "Retailer answers taken from the offer cache");
  for (size_t i = 0; i < retailers.size(); ++i)
    out.failures[i] = &reg->counter_for("cartmate_price_retailer_failures_total",
                                        "Retailer answers that were missing or unusable",
                                        {{"retailer", retailers[i].config.name}});
  return out;
}

void fail_retailer(price_actor* self, job& j, size_t idx, const std::string& why) {
  const auto& name = self->state.deps.retailers[idx].config.name;
  j.failed.push_back(name + " (" + why + ")");
  count(self->state.counters.failures[idx]);
}

/// Adds a quote of retailer `idx` to the job, or a failure when it cannot be normalised.
void add_quote(price_actor* self, job& j, size_t idx, const pricing::retailer_quote& q) {
  auto offer = pricing::normalise(q, self->state.deps.rates);
  if (!offer) {
    // A local retailer speaks for several sellers: name the seller that could not be used.
    auto why = pricing::reason_of(offer.error());
    if (q.retailer != self->state.deps.retailers[idx].config.name)
      why = q.retailer + ": " + why;
    fail_retailer(self, j, idx, why);
    return;
  }
  j.offers.push_back(std::move(*offer));
}

void deliver(price_actor* self, uint64_t id) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end())
    return;
  auto j = std::move(i->second);
  st.jobs.erase(i);
  runtime::trace_scope trace{j.env.trace_id};
  if (!j.product_known)
    j.notes.push_back("our own price did not arrive in time");
  for (size_t idx = 0; idx < j.pending.size(); ++idx)
    if (j.pending[idx])
      fail_retailer(self, j, idx, "no answer within " + std::to_string(j.budget.count()) + " ms");
  deal_inputs in;
  in.product_id = j.product_id;
  in.our_price = j.our_price;
  in.offers = std::move(j.offers);
  in.failed_retailers = std::move(j.failed);
  in.retailers_asked = st.deps.retailers.size();
  in.notes = std::move(j.notes);
  auto result = analyse_deal(std::move(in), st.deps.thresholds);
  if (!result.failed_retailers.empty()) {
    count(st.counters.partial);
    std::string names;
    for (const auto& f : result.failed_retailers)
      names += (names.empty() ? "" : ", ") + f;
    spdlog::warn("price: comparison of {} without {} of {} retailer(s): {}", result.product_id,
                 result.failed_retailers.size(), st.deps.retailers.size(), names);
  }
  spdlog::debug("price: {} has {} offer(s), verdict '{}'", result.product_id,
                result.offers.size(), result.verdict);
  j.rp.deliver(std::move(result));
}

void ask_retailers(price_actor* self, uint64_t id, const std::string& title) {
  auto& st = self->state;
  auto& j = st.jobs.at(id);
  auto now = self->clock().now();
  j.pending.assign(st.deps.retailers.size(), false);
  for (size_t idx = 0; idx < st.deps.retailers.size(); ++idx) {
    const auto& entry = st.deps.retailers[idx];
    const auto& cfg = entry.config;
    if (cfg.kind == pricing::retailer_kind::local) {
      if (entry.book)
        for (const auto& q : entry.book->quotes(j.product_id))
          add_quote(self, j, idx, q);
      continue;
    }
    if (st.deps.cache) {
      if (auto hit = st.deps.cache->find(cfg.name, j.product_id, now)) {
        count(st.counters.cache_hits);
        if (*hit)
          add_quote(self, j, idx, **hit);
        continue;
      }
    }
    if (pricing::needs_query(cfg) && title.empty()) {
      fail_retailer(self, j, idx, "it is searched by title, and the title is unknown");
      continue;
    }
    if (!st.deps.fetcher) {
      fail_retailer(self, j, idx, "no HTTP fetcher is configured");
      continue;
    }
    // The breaker's half-open trial must report back: acquire only right before the fetch.
    if (!st.breakers[idx]->try_acquire(now)) {
      fail_retailer(self, j, idx, "circuit open after repeated failures");
      continue;
    }
    j.pending[idx] = true;
    ++j.waiting;
    http::http_request req;
    req.url = pricing::expand_url(cfg.url_template, j.product_id, title);
    // The retailer's own timeout, not the job's: an answer after the job ended still feeds the
    // cache and the breaker, and a shorter cut would blame the retailer for our deadline.
    req.timeout = cfg.timeout;
    req.max_body_bytes = st.deps.max_body_bytes;
    caf::weak_actor_ptr weak{self->ctrl()};
    auto product_id = j.product_id;
    auto retailer = static_cast<uint32_t>(idx);
    st.deps.fetcher->send(std::move(req), [weak, id, retailer, product_id](
                                             caf::expected<http::http_response> res) {
      auto strong = weak.lock();
      if (!strong)
        return;
      auto target = caf::actor_cast<caf::actor>(strong);
      if (res)
        caf::anon_send(target, fetched_atom::value, id, retailer, product_id,
                       static_cast<int64_t>(res->status), std::move(res->body), caf::error{});
      else
        caf::anon_send(target, fetched_atom::value, id, retailer, product_id, int64_t{0},
                       std::string{}, std::move(res.error()));
    });
  }
  if (j.waiting == 0)
    deliver(self, id);
}

void on_fetched(price_actor* self, uint64_t id, uint32_t retailer, const std::string& product_id,
                int64_t status, const std::string& body, const caf::error& fetch_error) {
  auto& st = self->state;
  if (retailer >= st.deps.retailers.size())
    return;
  size_t idx = retailer;
  const auto& cfg = st.deps.retailers[idx].config;
  auto* breaker = st.breakers[idx];
  auto now = self->clock().now();
  caf::expected<std::optional<pricing::retailer_quote>> answer{std::nullopt};
  if (fetch_error)
    answer = fetch_error;
  else
    answer = pricing::read_retailer_answer(cfg, static_cast<long>(status), body);
  if (answer) {
    breaker->record_success();
    if (st.deps.cache)
      st.deps.cache->put(cfg.name, product_id, *answer, now);
  } else {
    breaker->record_failure(now);
  }
  auto i = st.jobs.find(id);
  if (i == st.jobs.end() || !i->second.pending[idx]) {
    if (!answer)
      spdlog::debug("price: late answer of {} for {}: {}", cfg.name, product_id,
                    pricing::reason_of(answer.error()));
    return;
  }
  auto& j = i->second;
  runtime::trace_scope trace{j.env.trace_id};
  j.pending[idx] = false;
  --j.waiting;
  if (!answer) {
    auto why = pricing::reason_of(answer.error());
    spdlog::warn("price: retailer {} failed for {}: {}", cfg.name, product_id, why);
    fail_retailer(self, j, idx, why);
  } else if (*answer) {
    add_quote(self, j, idx, **answer);
  }
  if (j.waiting == 0 && j.product_known)
    deliver(self, id);
}

void on_product(price_actor* self, uint64_t id, caf::expected<protocol::product> found) {
  auto& st = self->state;
  auto i = st.jobs.find(id);
  if (i == st.jobs.end())
    return;
  auto& j = i->second;
  runtime::trace_scope trace{j.env.trace_id};
  j.product_known = true;
  std::string title;
  if (found) {
    j.our_price = found->price;
    title = found->title;
  } else if (protocol::errc_of(found.error()) == errc::not_found) {
    // Nothing to compare: asking retailers about an id the catalog does not know is pointless.
    auto rp = j.rp;
    auto product_id = j.product_id;
    st.jobs.erase(i);
    rp.deliver(make_error(errc::not_found, "no product " + product_id + " in the catalog"));
    return;
  } else {
    spdlog::warn("price: catalog price of {} unavailable: {}", j.product_id,
                 protocol::describe(found.error()));
    j.notes.push_back("our own price is unavailable (" + pricing::reason_of(found.error()) + ")");
  }
  ask_retailers(self, id, title);
}

caf::result<protocol::price_comparison> on_compare(price_actor* self,
                                                   const protocol::price_compare& req) {
  runtime::trace_scope trace{req.env.trace_id};
  auto& st = self->state;
  count(st.counters.requests);
  if (req.product_id.empty())
    return make_error(errc::invalid_argument, "which product should I compare prices for?");
  auto budget = st.deps.answer_budget;
  if (req.env.deadline_ms > 0) {
    auto left = std::chrono::milliseconds{req.env.deadline_ms - runtime::wall_clock_ms()}
                - deadline_margin;
    if (left.count() <= 0)
      return make_error(errc::timeout, "no time left to compare prices");
    budget = std::min(budget, left);
  }
  auto id = st.next_job++;
  auto& j = st.jobs[id];
  j.rp = self->make_response_promise<protocol::price_comparison>();
  j.env = req.env;
  j.product_id = req.product_id;
  j.budget = budget;
  auto rp = j.rp;
  self->delayed_send(self, budget, deadline_atom::value, id);
  if (!st.caller) {
    j.product_known = true;
    j.notes.push_back("our own price is unknown (no catalog to ask)");
    ask_retailers(self, id, "");
    return rp;
  }
  protocol::get_product_request lookup;
  lookup.env = req.env;
  lookup.env.idempotency_key.clear();
  lookup.env.deadline_ms = runtime::wall_clock_ms() + budget.count();
  lookup.product_id = req.product_id;
  st.caller->request(self, std::move(lookup),
                     [self, id](caf::expected<protocol::product> found) {
                       on_product(self, id, std::move(found));
                     });
  return rp;
}

caf::behavior price_comparison_agent(price_actor* self, price_agent_deps deps) {
  auto& st = self->state;
  st.deps = std::move(deps);
  st.counters = make_counters(st.deps.metrics, st.deps.retailers);
  for (const auto& r : st.deps.retailers)
    st.breakers.push_back(r.config.kind == pricing::retailer_kind::http && st.deps.breakers
                            ? &st.deps.breakers->get(retailer_breaker_name(r.config.name))
                            : nullptr);
  // Without a registry each incarnation gets breakers of its own (tests, tools).
  if (!st.deps.breakers) {
    st.own_breakers = std::make_shared<runtime::breaker_registry>(runtime::breaker_settings{});
    for (size_t i = 0; i < st.breakers.size(); ++i) {
      const auto& r = st.deps.retailers[i].config;
      if (r.kind == pricing::retailer_kind::http)
        st.breakers[i] = &st.own_breakers->get(retailer_breaker_name(r.name));
    }
  }
  if (st.deps.resilience) {
    st.caller = std::make_unique<runtime::resilient_caller>(*st.deps.resilience);
    st.caller->install(self);
  }
  return {
    [self](const protocol::price_compare& req) { return on_compare(self, req); },
    [self](fetched_atom, uint64_t id, uint32_t retailer, const std::string& product_id,
           int64_t status, const std::string& body, const caf::error& err) {
      on_fetched(self, id, retailer, product_id, status, body, err);
    },
    [self](deadline_atom, uint64_t id) { deliver(self, id); },
  };
}

}  // namespace

std::string retailer_breaker_name(const std::string& retailer) {
  return "retailer:" + retailer;
}

caf::actor spawn_price_comparison_agent(caf::actor_system& sys, price_agent_deps deps) {
  return sys.spawn(price_comparison_agent, std::move(deps));
}

}  // namespace cartmate::actors::price
