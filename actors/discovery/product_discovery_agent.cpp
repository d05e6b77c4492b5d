// product_discovery_agent.cpp — request handlers of the product-discovery agent; see the header.
#include "actors/discovery/product_discovery_agent.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <unordered_map>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/send.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/result.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/discovery/search_explanation.hpp"
#include "adapters/catalog/text.hpp"
#include "adapters/embeddings/embedding_client.hpp"
#include "adapters/index/product_index.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics_registry.hpp"

namespace cartmate::discovery {

namespace {

using protocol::errc;
using protocol::make_error;

using query_vector_atom = caf::atom_constant<caf::atom("dqvector")>;
using query_failed_atom = caf::atom_constant<caf::atom("dqfailed")>;
using query_expired_atom = caf::atom_constant<caf::atom("dqexpired")>;

// The metrics of one operation, looked up once per incarnation so handlers only touch atomics.
struct op_metrics {
  runtime::counter* requests = nullptr;
  runtime::counter* failures = nullptr;
  runtime::histogram* seconds = nullptr;

  static op_metrics of(runtime::metrics_registry& reg, const char* op) {
    runtime::labels lbls{{"op", op}};
    return {&reg.counter_for("cartmate_discovery_requests_total",
                             "Requests handled by the product-discovery agent", lbls),
            &reg.counter_for("cartmate_discovery_failures_total",
                             "Product-discovery requests answered with an error", lbls),
            &reg.histogram_for("cartmate_discovery_request_seconds",
                               "Time the product-discovery agent spent on one request", lbls)};
  }
};

// Counts one request and observes its duration when the handler returns.
class op_timer {
public:
  explicit op_timer(const op_metrics& m) : m_(m), start_(std::chrono::steady_clock::now()) {
    m_.requests->inc();
  }

  ~op_timer() {
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
    m_.seconds->observe(took.count());
  }

  op_timer(const op_timer&) = delete;
  op_timer& operator=(const op_timer&) = delete;

  /// Passes `err` through, counting it as a failure.
  caf::error fail(caf::error err) {
    m_.failures->inc();
    return err;
  }

private:
  const op_metrics& m_;
  std::chrono::steady_clock::time_point start_;
};

// A search waiting for its query vector.
struct pending_search {
  protocol::search_request req;
  caf::response_promise promise;
  std::chrono::steady_clock::time_point start;
};

struct discovery_state {
  std::shared_ptr<index::product_index> index;
  std::string currency;  // of the catalog, for prices in explanations
  std::shared_ptr<embeddings::embedding_client> embedder;   // null: no model queries
  std::chrono::milliseconds query_timeout{300};
  uint64_t next_query = 0;
  std::unordered_map<uint64_t, pending_search> pending;
  bool falling_back = false;   // the last query fell back (logged once per outage)
  runtime::metrics_registry* metrics = nullptr;
  op_metrics search;
  op_metrics similar;
  op_metrics get;
  op_metrics update;
  static inline const char* name = "product_discovery";
};

// The catalog's currency, taken from its products (one catalog has one currency).
std::string catalog_currency(const index::product_index& idx) {
  for (const auto& p : idx.products())
    if (!p.price.currency.empty())
      return p.price.currency;
  return "INR";
}

size_t capped(uint32_t limit) {
  return std::min(limit, max_result_limit);
}

caf::error check_update(const protocol::catalog_update& req) {
  if (req.product_id.empty())
    return make_error(errc::invalid_argument, "catalog update without a product id");
  if (req.price_minor < -1 || req.stock < -1)
    return make_error(errc::invalid_argument,
                      "negative price or stock (use -1 to leave a field unchanged)");
  if (req.price_minor == 0)
    return make_error(errc::invalid_argument, "a price of zero is not a price");
  if (req.price_minor < 0 && req.stock < 0)
    return make_error(errc::invalid_argument, "catalog update changes neither price nor stock");
  return {};
}

using discovery_actor = caf::stateful_actor<discovery_state>;

// The label of cartmate_embedding_fallback_total for a failed query embedding.
std::string fallback_reason(const caf::error& err) {
  switch (protocol::errc_of(err).value_or(errc::unavailable)) {
    case errc::timeout: return "timeout";
    case errc::breaker_open: return "breaker_open";
    case errc::unavailable: return "unavailable";
    default: return "error";
  }
}

// What the shopper reads after the explanation of a lexical-only answer.
std::string fallback_note(const std::string& reason) {
  if (reason == "timeout" || reason == "deadline")
    return "matched by keywords only: the search model did not answer in time";
  if (reason == "error")
    return "matched by keywords only: the search model gave an unusable answer";
  return "matched by keywords only: the search model is unavailable";
}

// Ranks `req` with the query vector, or lexically when `query_vector` is null (`reason` then
// says why), and explains the answer.
caf::expected<protocol::search_result> run_search(discovery_actor* self,
                                                  const protocol::search_request& req,
                                                  const std::vector<float>* query_vector,
                                                  std::string reason) {
  auto& st = self->state;
  const auto* style = req.style_vector.empty() ? nullptr : &req.style_vector;
  auto limit = capped(req.limit);
  caf::expected<protocol::search_result> found{protocol::search_result{}};
  if (query_vector != nullptr) {
    found = st.index->search_with_vector(req.query, *query_vector, req.filters, limit, req.offset,
                                         style, req.style_weight);
    // A vector the index cannot use (another dimension) is the model's fault, not the shopper's.
    if (!found && protocol::errc_of(found.error()) == errc::invalid_argument
        && query_vector->size() != st.index->dim()) {
      spdlog::warn("discovery: the model's query vector has {} dimensions, the index {}",
                   query_vector->size(), st.index->dim());
      query_vector = nullptr;
      reason = "error";
    }
  }
  if (query_vector == nullptr)
    found = st.index->search(req.query, req.filters, limit, req.offset, style, req.style_weight);
  if (!found)
    return found;
  found->explanation = explain_search(req, found->total_matches, found->products.size(),
                                      st.currency);
  if (!reason.empty()) {
    st.metrics
      ->counter_for("cartmate_embedding_fallback_total",
                    "Searches answered by lexical matching because the query could not be embedded",
                    {{"reason", reason}})
      .inc();
    if (!st.falling_back)
      spdlog::warn("discovery: query embedding failed ({}); searching by keywords only until the "
                   "model answers again", reason);
    st.falling_back = true;
    found->degraded = "embeddings: " + reason;
    found->explanation += (found->explanation.empty() ? "" : "; ") + fallback_note(reason);
  } else if (query_vector != nullptr && st.falling_back) {
    spdlog::info("discovery: the search model answers again");
    st.falling_back = false;
  }
  return found;
}

// Answers the pending search `id` (if it still waits) with or without its query vector.
void finish_search(discovery_actor* self, uint64_t id, const std::vector<float>* query_vector,
                   std::string reason) {
  auto& st = self->state;
  auto it = st.pending.find(id);
  if (it == st.pending.end())
    return;   // answered already (the budget ran out first, or the vector came first)
  auto p = std::move(it->second);
  st.pending.erase(it);
  runtime::trace_scope trace{p.req.env.trace_id};
  auto found = run_search(self, p.req, query_vector, std::move(reason));
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - p.start;
  st.search.seconds->observe(took.count());
  if (!found) {
    st.search.failures->inc();
    p.promise.deliver(std::move(found.error()));
    return;
  }
  p.promise.deliver(std::move(*found));
}

// How long the query may wait for its vector: the configured budget, cut by the request's
// deadline less the time ranking and replying need; zero or less when no time is left.
std::chrono::milliseconds query_budget(const discovery_state& st, const protocol::envelope& env) {
  auto budget = st.query_timeout;
  if (env.deadline_ms > 0) {
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    budget = std::min(budget, std::chrono::milliseconds{env.deadline_ms - now_ms} - reply_margin);
  }
  return budget;
}

// Starts embedding the query of `req`; the answer arrives as a message (vector or failure), or
// the budget's timer answers lexically first.
caf::result<protocol::search_result> search_with_model(discovery_actor* self,
                                                       protocol::search_request req) {
  auto& st = self->state;
  auto budget = query_budget(st, req.env);
  if (budget.count() <= 0) {
    auto found = run_search(self, req, nullptr, "deadline");
    if (!found) {
      st.search.failures->inc();
      return std::move(found.error());
    }
    return std::move(*found);
  }
  auto id = ++st.next_query;
  auto promise = self->make_response_promise();
  auto text = req.query;
  st.pending.emplace(id, pending_search{std::move(req), promise, std::chrono::steady_clock::now()});
  auto me = caf::actor_cast<caf::actor>(self);
  st.embedder->embed_query(std::move(text), std::chrono::steady_clock::now() + budget,
                           [me, id](caf::expected<std::vector<float>> v) {
                             if (v)
                               caf::anon_send(me, query_vector_atom::value, id, std::move(*v));
                             else
                               caf::anon_send(me, query_failed_atom::value, id,
                                              fallback_reason(v.error()),
                                              protocol::describe(v.error()));
                           });
  self->delayed_send(self, budget, query_expired_atom::value, id);
  return caf::delegated<protocol::search_result>{};
}

caf::behavior product_discovery_agent(caf::stateful_actor<discovery_state>* self,
                                      discovery_deps deps) {
  auto& st = self->state;
  st.index = std::move(deps.index);
  st.embedder = st.index->has_model_vectors() ? std::move(deps.query_embedder) : nullptr;
  st.query_timeout = deps.query_timeout;
  st.metrics = deps.metrics;
  auto* metrics = deps.metrics;
  st.currency = catalog_currency(*st.index);
  st.search = op_metrics::of(*metrics, "search");
  st.similar = op_metrics::of(*metrics, "similar");
  st.get = op_metrics::of(*metrics, "get_product");
  st.update = op_metrics::of(*metrics, "catalog_update");
  return {
    [self](protocol::search_request& req) -> caf::result<protocol::search_result> {
      runtime::trace_scope trace{req.env.trace_id};
      auto& st = self->state;
      if (st.embedder && !catalog::tokenize(req.query).empty()
          && req.query.size() <= max_query_bytes) {
        st.search.requests->inc();
        return search_with_model(self, std::move(req));
      }
      op_timer timer{st.search};
      if (req.query.size() > max_query_bytes)
        return timer.fail(make_error(errc::invalid_argument,
                                     "query longer than " + std::to_string(max_query_bytes)
                                       + " bytes"));
      auto found = run_search(self, req, nullptr, "");
      if (!found) {
        spdlog::debug("discovery: search '{}' failed: {}", req.query,
                      protocol::describe(found.error()));
        return timer.fail(std::move(found.error()));
      }
      spdlog::debug("discovery: {}", found->explanation);
      return std::move(*found);
    },
    [self](query_vector_atom, uint64_t id, const std::vector<float>& v) {
      finish_search(self, id, &v, "");
    },
    [self](query_failed_atom, uint64_t id, std::string& reason, const std::string& why) {
      spdlog::debug("discovery: query embedding failed: {}", why);
      finish_search(self, id, nullptr, std::move(reason));
    },
    [self](query_expired_atom, uint64_t id) { finish_search(self, id, nullptr, "timeout"); },
    [self](const protocol::similar_request& req) -> caf::result<protocol::search_result> {
      runtime::trace_scope trace{req.env.trace_id};
      auto& st = self->state;
      op_timer timer{st.similar};
      const auto* base = st.index->find(req.product_id);
      if (base == nullptr)
        return timer.fail(make_error(errc::not_found, "no product " + req.product_id));
      auto title = base->title;  // copied: the pointer is not ours to keep
      auto found = st.index->similar(req.product_id, req.filters, capped(req.limit));
      if (!found)
        return timer.fail(std::move(found.error()));
      found->explanation = explain_similar(title, req.filters, found->products.size(),
                                           st.currency);
      return std::move(*found);
    },
    [self](const protocol::get_product_request& req) -> caf::result<protocol::product> {
      runtime::trace_scope trace{req.env.trace_id};
      auto& st = self->state;
      op_timer timer{st.get};
      auto found = st.index->get(req.product_id);
      if (!found)
        return timer.fail(std::move(found.error()));
      return std::move(*found);
    },
    [self](const protocol::catalog_update& req) -> caf::result<protocol::catalog_change> {
      runtime::trace_scope trace{req.env.trace_id};
      auto& st = self->state;
      op_timer timer{st.update};
      if (auto err = check_update(req)) {
        spdlog::warn("discovery: rejected update of '{}': {}", req.product_id,
                     protocol::describe(err));
        return timer.fail(std::move(err));
      }
      auto change = st.index->update(req.product_id, req.price_minor, req.stock);
      if (!change)
        return timer.fail(std::move(change.error()));
      spdlog::info("discovery: product {} price {} -> {}, stock {} -> {}", req.product_id,
                   change->old_price_minor, change->after.price.minor, change->old_stock,
                   change->after.stock);
      return std::move(*change);
    },
  };
}

}  // namespace

caf::actor spawn_product_discovery_agent(caf::actor_system& sys,
                                         std::shared_ptr<index::product_index> index,
                                         runtime::metrics_registry& metrics) {
  discovery_deps deps;
  deps.index = std::move(index);
  deps.metrics = &metrics;
  return spawn_product_discovery_agent(sys, std::move(deps));
}

caf::actor spawn_product_discovery_agent(caf::actor_system& sys, discovery_deps deps) {
  return sys.spawn(product_discovery_agent, std::move(deps));
}

}  // namespace cartmate::discovery
