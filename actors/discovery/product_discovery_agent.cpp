// product_discovery_agent.cpp — request handlers of the product-discovery agent; see the header.
#include "actors/discovery/product_discovery_agent.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/result.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/discovery/search_explanation.hpp"
#include "adapters/index/product_index.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "runtime/logging.hpp"
#include "runtime/metrics_registry.hpp"

namespace cartmate::discovery {

namespace {

using protocol::errc;
using protocol::make_error;

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

struct discovery_state {
  std::shared_ptr<index::product_index> index;
  std::string currency;  // of the catalog, for prices in explanations
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

caf::behavior product_discovery_agent(caf::stateful_actor<discovery_state>* self,
                                      std::shared_ptr<index::product_index> idx,
                                      runtime::metrics_registry* metrics) {
  auto& st = self->state;
  st.index = std::move(idx);
  st.currency = catalog_currency(*st.index);
  st.search = op_metrics::of(*metrics, "search");
  st.similar = op_metrics::of(*metrics, "similar");
  st.get = op_metrics::of(*metrics, "get_product");
  st.update = op_metrics::of(*metrics, "catalog_update");
  return {
    [self](const protocol::search_request& req) -> caf::result<protocol::search_result> {
      runtime::trace_scope trace{req.env.trace_id};
      auto& st = self->state;
      op_timer timer{st.search};
      if (req.query.size() > max_query_bytes)
        return timer.fail(make_error(errc::invalid_argument,
                                     "query longer than " + std::to_string(max_query_bytes)
                                       + " bytes"));
      const auto* style = req.style_vector.empty() ? nullptr : &req.style_vector;
      auto found = st.index->search(req.query, req.filters, capped(req.limit), req.offset, style,
                                    req.style_weight);
      if (!found) {
        spdlog::debug("discovery: search '{}' failed: {}", req.query,
                      protocol::describe(found.error()));
        return timer.fail(std::move(found.error()));
      }
      found->explanation = explain_search(req, found->total_matches, found->products.size(),
                                          st.currency);
      spdlog::debug("discovery: {}", found->explanation);
      return std::move(*found);
    },
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
  return sys.spawn(product_discovery_agent, std::move(index), &metrics);
}

}  // namespace cartmate::discovery
