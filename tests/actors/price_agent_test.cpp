// price_agent_test.cpp — the price-comparison agent on a real actor system, fetching from the
// real fixture HTTP server on 127.0.0.1 through the libcurl fetcher: three good retailers, every
// kind of failure named with its reason, the breaker opening, cache hits, the deadline with
// partial results, an unknown product, a missing catalog and the embedded offline offers.
#include "actors/price/price_comparison_agent.hpp"

#include <algorithm>
#include <map>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/price/price_bootstrap.hpp"
#include "adapters/http/curl_http_client.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/type_registry.hpp"
#include "runtime/agent_directory.hpp"
#include "runtime/circuit_breaker.hpp"
#include "runtime/metrics_registry.hpp"
#include "runtime/resilient_caller.hpp"
#include "runtime/resilience_context.hpp"
#include "runtime/timer_service.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::actors::price {
namespace {

using namespace std::chrono_literals;
using protocol::errc;
using nlohmann::json;

// Bounds how long a broken agent can hang a test; generous so no result depends on speed.
constexpr auto safety = 10s;

std::string fixture_path(const std::string& name) {
  return std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/pricing/" + name;
}

struct real_config : caf::actor_system_config {
  real_config() {
    protocol::register_protocol_types(*this);
    set("scheduler.max-threads", 2);
    set("logger.console", caf::atom("none"));
  }
};

caf::behavior fake_discovery(caf::event_based_actor*,
                             std::map<std::string, protocol::product> products) {
  return {
    [products](const protocol::get_product_request& req) -> caf::result<protocol::product> {
      auto i = products.find(req.product_id);
      if (i == products.end())
        return protocol::make_error(errc::not_found, "unknown product " + req.product_id);
      return i->second;
    },
  };
}

protocol::product kurta() {
  protocol::product p;
  p.id = "kurta-1";
  p.title = "Blue Cotton Kurta";
  p.price = {129900, "INR"};
  p.stock = 4;
  return p;
}

struct price_agent_test : ::testing::Test {
  real_config cfg;
  caf::actor_system sys{cfg};
  runtime::metrics_registry metrics;
  runtime::agent_directory directory;
  runtime::breaker_registry breakers{runtime::breaker_settings{2, std::chrono::minutes{10}}};
  caf::actor timer = runtime::spawn_timer_service(sys);
  std::unique_ptr<runtime::resilience_context> ctx;
  testing::fixture_http_server server;
  std::shared_ptr<http::curl_http_client> fetcher
    = std::make_shared<http::curl_http_client>();
  caf::actor discovery;
  caf::actor agent;

  price_agent_test() {
    runtime::call_policy policy;
    policy.attempt_timeout = 300ms;
    policy.max_attempts = 1;
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer,
                                                        policy);
    discovery = sys.spawn(fake_discovery,
                          std::map<std::string, protocol::product>{{"kurta-1", kurta()}});
    directory.add(protocol::agent_kind::product_discovery,
                  runtime::agent_replica{discovery, "test", true});
    for (auto [path, file] : {std::pair{"/a/kurta-1", "shop_a.json"},
                              std::pair{"/b", "shop_b.json"},
                              std::pair{"/c/kurta-1.json", "shop_c_usd.json"},
                              std::pair{"/malformed", "malformed.json"},
                              std::pair{"/missing", "missing_price.json"},
                              std::pair{"/pounds", "pounds.json"}})
      EXPECT_TRUE(server.route_file(path, fixture_path(file))) << file;
  }

  ~price_agent_test() override {
    directory.clear();
    // The agent points at this fixture's breakers and metrics: wait until it is gone.
    caf::scoped_actor self{sys};
    for (auto* a : {&agent, &discovery, &timer}) {
      if (*a) {
        self->send_exit(*a, caf::exit_reason::user_shutdown);
        self->wait_for(*a);
      }
    }
    fetcher->stop();
    server.stop();
  }

  /// The fixture retailers.json with this server's port.
  pricing::pricing_config fixture_config() {
    auto text = testing::read_text_file(fixture_path("retailers.json")).value_or("");
    for (auto at = text.find("{port}"); at != std::string::npos; at = text.find("{port}"))
      text.replace(at, 6, std::to_string(server.port()));
    auto parsed = pricing::parse_pricing_config(json::parse(text), "INR", 500ms);
    EXPECT_TRUE(parsed) << pricing::reason_of(parsed.error());
    return parsed ? std::move(*parsed) : pricing::pricing_config{};
  }

  static pricing::retailer_config http_retailer(const std::string& name, const std::string& url,
                                                std::chrono::milliseconds timeout = 2000ms) {
    pricing::retailer_config r;
    r.name = name;
    r.url_template = url;
    r.currency = "INR";
    r.price_path = *pricing::json_path::parse("data.offer.price");
    r.currency_path = *pricing::json_path::parse("data.offer.currency");
    r.timeout = timeout;
    return r;
  }

  price_agent_deps deps_for(pricing::pricing_config config,
                            std::chrono::milliseconds budget = 3000ms) {
    pricing::pricing_settings settings;
    settings.answer_budget = budget;
    auto deps = make_price_agent_deps(std::move(config), settings);
    EXPECT_TRUE(deps) << pricing::reason_of(deps.error());
    deps->fetcher = fetcher;
    deps->breakers = &breakers;
    deps->resilience = ctx.get();
    deps->metrics = &metrics;
    return std::move(*deps);
  }

  void start(price_agent_deps deps) { agent = spawn_price_comparison_agent(sys, std::move(deps)); }

  caf::expected<protocol::price_comparison> compare(const std::string& product_id,
                                                    int64_t deadline_ms = 0) {
    protocol::price_compare req;
    req.env.user = "alice";
    req.env.trace_id = "trace-price";
    req.env.deadline_ms = deadline_ms;
    req.product_id = product_id;
    caf::scoped_actor self{sys};
    caf::expected<protocol::price_comparison> out{protocol::make_error(errc::timeout, "no answer")};
    self->request(agent, safety, req)
      .receive([&](protocol::price_comparison& c) { out = std::move(c); },
               [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  static const protocol::offer* offer_of(const protocol::price_comparison& c,
                                         const std::string& retailer) {
    for (const auto& o : c.offers)
      if (o.retailer == retailer)
        return &o;
    return nullptr;
  }

  static std::string failure_of(const protocol::price_comparison& c, const std::string& retailer) {
    for (const auto& f : c.failed_retailers)
      if (f.rfind(retailer + " (", 0) == 0)
        return f;
    return {};
  }

  static std::string reasons(const protocol::price_comparison& c) {
    std::string out;
    for (const auto& r : c.reasons)
      out += r + " | ";
    return out;
  }
};

TEST_F(price_agent_test, three_retailers_normalised_and_judged) {
  start(deps_for(fixture_config()));
  auto c = compare("kurta-1");
  ASSERT_TRUE(c) << protocol::describe(c.error());
  EXPECT_TRUE(c->failed_retailers.empty()) << c->failed_retailers.front();
  ASSERT_EQ(c->offers.size(), 3u);
  // Sorted by normalised price: 1,199.00 < 1,249.50 < 15.49 USD * 83 = 1,285.67.
  EXPECT_EQ(c->offers[0].retailer, "shop-a");
  EXPECT_EQ(c->offers[1].retailer, "shop-b");
  EXPECT_EQ(c->offers[2].retailer, "shop-c");
  const auto* usd = offer_of(*c, "shop-c");
  ASSERT_NE(usd, nullptr);
  EXPECT_EQ(usd->price.minor, 128567);
  EXPECT_EQ(usd->price.currency, "INR");
  EXPECT_EQ(usd->original_price.minor, 1549);
  EXPECT_EQ(usd->original_price.currency, "USD");
  EXPECT_EQ(usd->url, "https://shop-c.example/items/kurta");
  EXPECT_EQ(c->best_offer, 0);
  EXPECT_EQ(c->our_price.minor, 129900);
  EXPECT_EQ(c->min_price.minor, 119900);
  EXPECT_EQ(c->median_price.minor, 124950);
  // 1,299 is 4% above the median of 1,249.50: within the fair band.
  EXPECT_EQ(c->verdict, "fair");
  EXPECT_NE(reasons(*c).find("4% above the median"), std::string::npos) << reasons(*c);
  EXPECT_NE(reasons(*c).find("shop-a is cheapest"), std::string::npos) << reasons(*c);
  // The title went into shop-b's query, URL-escaped.
  auto reqs = server.requests();
  auto b = std::find_if(reqs.begin(), reqs.end(), [](const auto& r) { return r.path == "/b"; });
  ASSERT_NE(b, reqs.end());
  EXPECT_EQ(b->target, "/b?q=Blue%20Cotton%20Kurta");
}

TEST_F(price_agent_test, failing_retailers_are_named_with_their_reasons) {
  testing::fixture_route slow;
  slow.delay = 5000ms;
  slow.body = "{}";
  server.route("/slow", slow);
  testing::fixture_route boom;
  boom.status = 500;
  boom.body = "oops";
  server.route("/boom", boom);
  auto url = [&](const char* path) { return server.base_url() + path + "?id={product_id}"; };
  pricing::pricing_config config{{}, pricing::rate_table{"INR"}};
  config.retailers.push_back(http_retailer("good", server.base_url() + "/a/{product_id}"));
  config.retailers.push_back(http_retailer("slow", url("/slow"), 200ms));
  config.retailers.push_back(http_retailer("boom", url("/boom")));
  config.retailers.push_back(http_retailer("broken", url("/malformed")));
  config.retailers.push_back(http_retailer("noprice", url("/missing")));
  auto pounds = http_retailer("pounds", url("/pounds"));
  pounds.price_path = *pricing::json_path::parse("price.value");
  pounds.currency_path = *pricing::json_path::parse("price.currency");
  config.retailers.push_back(pounds);
  start(deps_for(std::move(config)));

  auto c = compare("kurta-1");
  ASSERT_TRUE(c) << protocol::describe(c.error());
  ASSERT_EQ(c->offers.size(), 1u);
  EXPECT_EQ(c->offers[0].retailer, "good");
  EXPECT_EQ(c->best_offer, 0);
  EXPECT_EQ(c->failed_retailers.size(), 5u);
  EXPECT_EQ(failure_of(*c, "slow"), "slow (timed out after 200 ms)");
  EXPECT_EQ(failure_of(*c, "boom"), "boom (HTTP 500)");
  EXPECT_EQ(failure_of(*c, "broken"), "broken (malformed JSON)");
  EXPECT_EQ(failure_of(*c, "noprice"), "noprice (no price at 'data.offer.price')");
  EXPECT_EQ(failure_of(*c, "pounds"), "pounds (quoted in GBP, which has no rate to INR)");
  EXPECT_NE(reasons(*c).find("compared with 1 of 6 retailers"), std::string::npos) << reasons(*c);
  EXPECT_EQ(c->verdict, "overpriced");   // 1,299 against the one offer of 1,199
}

TEST_F(price_agent_test, known_foreign_currency_is_converted_with_the_configured_rate) {
  pricing::pricing_config config{{}, pricing::rate_table{"INR"}};
  ASSERT_FALSE(config.rates.set("GBP", 105.0));
  auto pounds = http_retailer("pounds", server.base_url() + "/pounds?id={product_id}");
  pounds.price_path = *pricing::json_path::parse("price.value");
  pounds.currency_path = *pricing::json_path::parse("price.currency");
  config.retailers.push_back(pounds);
  start(deps_for(std::move(config)));
  auto c = compare("kurta-1");
  ASSERT_TRUE(c) << protocol::describe(c.error());
  ASSERT_EQ(c->offers.size(), 1u);
  EXPECT_EQ(c->offers[0].price.minor, 125895);   // 11.99 GBP * 105
  EXPECT_EQ(c->offers[0].original_price.currency, "GBP");
  EXPECT_EQ(c->verdict, "fair");   // 1,299 is 3% above 1,258.95
}

TEST_F(price_agent_test, breaker_opens_after_repeated_failures) {
  testing::fixture_route boom;
  boom.status = 503;
  server.route("/boom", boom);
  pricing::pricing_config config{{}, pricing::rate_table{"INR"}};
  config.retailers.push_back(http_retailer("flaky", server.base_url() + "/boom?id={product_id}"));
  config.retailers.push_back(http_retailer("good", server.base_url() + "/a/{product_id}"));
  start(deps_for(std::move(config)));
  for (int i = 0; i < 2; ++i) {
    auto c = compare("kurta-1");
    ASSERT_TRUE(c);
    EXPECT_EQ(failure_of(*c, "flaky"), "flaky (HTTP 503)");
  }
  EXPECT_EQ(server.hits("/boom"), 2);
  EXPECT_EQ(breakers.get(retailer_breaker_name("flaky")).state(), runtime::breaker_state::open);
  auto c = compare("kurta-1");
  ASSERT_TRUE(c);
  EXPECT_EQ(failure_of(*c, "flaky"), "flaky (circuit open after repeated failures)");
  EXPECT_EQ(server.hits("/boom"), 2);   // not asked while open
  ASSERT_EQ(c->offers.size(), 1u);      // the healthy retailer still counts
  EXPECT_EQ(breakers.get(retailer_breaker_name("good")).state(), runtime::breaker_state::closed);
}

TEST_F(price_agent_test, repeated_comparison_is_served_from_the_cache) {
  start(deps_for(fixture_config()));
  auto first = compare("kurta-1");
  auto second = compare("kurta-1");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(server.hits("/a/kurta-1"), 1);
  EXPECT_EQ(server.hits("/b"), 1);
  EXPECT_EQ(server.hits("/c/kurta-1.json"), 1);
  ASSERT_EQ(second->offers.size(), first->offers.size());
  for (size_t i = 0; i < first->offers.size(); ++i) {
    EXPECT_EQ(second->offers[i].retailer, first->offers[i].retailer);
    EXPECT_EQ(second->offers[i].price.minor, first->offers[i].price.minor);
  }
  EXPECT_EQ(second->verdict, first->verdict);
}

TEST_F(price_agent_test, failures_are_not_cached) {
  testing::fixture_route boom;
  boom.status = 500;
  server.route("/boom", boom);
  pricing::pricing_config config{{}, pricing::rate_table{"INR"}};
  config.retailers.push_back(http_retailer("flaky", server.base_url() + "/boom?id={product_id}"));
  start(deps_for(std::move(config)));
  ASSERT_TRUE(compare("kurta-1"));
  // The retailer recovers: the next comparison asks again and gets the offer.
  EXPECT_TRUE(server.route_file("/boom", fixture_path("shop_a.json")));
  auto c = compare("kurta-1");
  ASSERT_TRUE(c);
  EXPECT_EQ(server.hits("/boom"), 2);
  ASSERT_EQ(c->offers.size(), 1u);
  EXPECT_TRUE(c->failed_retailers.empty());
}

TEST_F(price_agent_test, answers_by_its_deadline_with_partial_results) {
  testing::fixture_route stuck;
  stuck.delay = 8000ms;   // longer than the test's own wait: only the agent's deadline helps
  stuck.body = "{}";
  server.route("/stuck", stuck);
  pricing::pricing_config config{{}, pricing::rate_table{"INR"}};
  config.retailers.push_back(
    http_retailer("stuck", server.base_url() + "/stuck?id={product_id}", 20000ms));
  config.retailers.push_back(http_retailer("good", server.base_url() + "/a/{product_id}"));
  start(deps_for(std::move(config), 400ms));
  protocol::price_compare req;
  req.product_id = "kurta-1";
  caf::scoped_actor self{sys};
  caf::expected<protocol::price_comparison> c{protocol::make_error(errc::timeout, "none")};
  // Less than the stuck retailer's delay: an agent waiting for it would miss this.
  self->request(agent, 6s, req)
    .receive([&](protocol::price_comparison& r) { c = std::move(r); },
             [&](caf::error& e) { c = std::move(e); });
  ASSERT_TRUE(c) << protocol::describe(c.error());
  ASSERT_EQ(c->offers.size(), 1u);
  EXPECT_EQ(c->offers[0].retailer, "good");
  EXPECT_EQ(failure_of(*c, "stuck"), "stuck (no answer within 400 ms)");
  EXPECT_EQ(c->verdict, "overpriced");
}

TEST_F(price_agent_test, request_deadline_shortens_the_budget) {
  testing::fixture_route stuck;
  stuck.delay = 8000ms;
  server.route("/stuck", stuck);
  pricing::pricing_config config{{}, pricing::rate_table{"INR"}};
  config.retailers.push_back(
    http_retailer("stuck", server.base_url() + "/stuck?id={product_id}", 20000ms));
  start(deps_for(std::move(config), 60000ms));
  auto c = compare("kurta-1", runtime::wall_clock_ms() + 500);
  ASSERT_TRUE(c) << protocol::describe(c.error());
  EXPECT_NE(failure_of(*c, "stuck").find("no answer within"), std::string::npos)
    << failure_of(*c, "stuck");
  auto late = compare("kurta-1", runtime::wall_clock_ms() - 1);
  ASSERT_FALSE(late);
  EXPECT_EQ(protocol::errc_of(late.error()), errc::timeout);
}

TEST_F(price_agent_test, unknown_product_asks_no_retailer) {
  start(deps_for(fixture_config()));
  auto c = compare("no-such-id");
  ASSERT_FALSE(c);
  EXPECT_EQ(protocol::errc_of(c.error()), errc::not_found);
  EXPECT_EQ(server.total_hits(), 0);
  auto empty = compare("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(protocol::errc_of(empty.error()), errc::invalid_argument);
}

TEST_F(price_agent_test, missing_catalog_still_lists_offers_without_a_verdict) {
  directory.clear();   // no product-discovery agent anywhere
  start(deps_for(fixture_config()));
  auto c = compare("kurta-1");
  ASSERT_TRUE(c) << protocol::describe(c.error());
  // shop-b searches by title, which only the catalog knows.
  EXPECT_EQ(failure_of(*c, "shop-b"),
            "shop-b (it is searched by title, and the title is unknown)");
  EXPECT_EQ(c->offers.size(), 2u);
  EXPECT_EQ(c->verdict, "");
  EXPECT_NE(reasons(*c).find("our own price is unavailable"), std::string::npos) << reasons(*c);
  EXPECT_EQ(server.hits("/b"), 0);
}

TEST_F(price_agent_test, embedded_offers_work_offline) {
  auto offers = json::parse(pricing::embedded_offers_json()).at("offers");
  ASSERT_FALSE(offers.empty());
  auto id = offers.begin().key();
  auto expected = offers.begin().value().size();
  protocol::product p;
  p.id = id;
  p.title = "demo item";
  p.price = {100000, "INR"};
  auto demo_catalog = sys.spawn(fake_discovery, std::map<std::string, protocol::product>{{id, p}});
  directory.clear();
  directory.add(protocol::agent_kind::product_discovery,
                runtime::agent_replica{demo_catalog, "test", true});
  start(deps_for(default_pricing_config("INR", "")));
  auto c = compare(id);
  caf::anon_send_exit(demo_catalog, caf::exit_reason::user_shutdown);
  ASSERT_TRUE(c) << protocol::describe(c.error());
  EXPECT_EQ(c->offers.size(), expected);
  EXPECT_TRUE(c->failed_retailers.empty());
  EXPECT_FALSE(c->verdict.empty());
  EXPECT_EQ(server.total_hits(), 0);
  for (const auto& o : c->offers)
    EXPECT_NE(o.url.find(".example/"), std::string::npos) << o.url;
}

}  // namespace
}  // namespace cartmate::actors::price
