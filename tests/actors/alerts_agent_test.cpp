// alerts_agent_test.cpp — the alert agent on the deterministic scheduler, against scripted
// product-discovery and price-comparison agents, on the memory stores: each condition, idempotent
// create, one notification per repeated event, pending until acknowledged (also across an agent
// restart after the publish), deletes, tenants, periodic re-checks and webhook delivery.
#include "actors/alerts/alerts_agent.hpp"

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "actors/alerts/alert_rules.hpp"
#include "adapters/stores/memory_alert_store.hpp"
#include "adapters/stores/memory_outbox_store.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "protocol/price_messages.hpp"
#include "runtime/notification_bus.hpp"
#include "tests/runtime/caf_test_fixture.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::alert_condition;
using protocol::errc;

struct fake_catalog {
  std::map<std::string, protocol::product> products;
};

caf::behavior fake_discovery(caf::event_based_actor*, std::shared_ptr<fake_catalog> catalog) {
  return {
    [catalog](const protocol::get_product_request& req) -> caf::result<protocol::product> {
      auto i = catalog->products.find(req.product_id);
      if (i == catalog->products.end())
        return protocol::make_error(errc::not_found, "unknown product " + req.product_id);
      return i->second;
    },
  };
}

/// What the scripted price-comparison agent answers, per product.
struct fake_prices {
  std::map<std::string, protocol::price_comparison> answers;
  int asked = 0;
};

caf::behavior fake_price_agent(caf::event_based_actor*, std::shared_ptr<fake_prices> prices) {
  return {
    [prices](const protocol::price_compare& req) -> caf::result<protocol::price_comparison> {
      ++prices->asked;
      auto i = prices->answers.find(req.product_id);
      if (i == prices->answers.end())
        return protocol::make_error(errc::not_found, "no offers");
      return i->second;
    },
  };
}

protocol::product make_product(std::string id, std::string title, int64_t price, int32_t stock) {
  protocol::product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.price = protocol::money{price, "INR"};
  p.stock = stock;
  return p;
}

/// Store calls that wait until the test runs them, as PostgreSQL's wait for a pool worker.
class queued_executor final : public stores::store_executor {
 public:
  bool runs_inline() const noexcept override { return false; }
  void execute(std::function<void()> job) override { jobs_.push_back(std::move(job)); }

  /// Runs every queued job (and those they queue); true when there was any.
  bool run_all() {
    bool any = false;
    while (!jobs_.empty()) {
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      job();
      any = true;
    }
    return any;
  }

  size_t waiting() const { return jobs_.size(); }

 private:
  std::deque<std::function<void()>> jobs_;
};

/// Everything the bus handed to subscribers, with its tenant and user.
struct received {
  std::string tenant;
  std::string user;
  protocol::notification_event event;
};

struct alerts_agent_test : runtime_fixture {
  std::shared_ptr<fake_catalog> catalog = std::make_shared<fake_catalog>();
  std::shared_ptr<fake_prices> prices = std::make_shared<fake_prices>();
  std::shared_ptr<stores::memory_outbox_store> outbox
    = std::make_shared<stores::memory_outbox_store>();
  std::shared_ptr<stores::memory_alert_store> alerts
    = std::make_shared<stores::memory_alert_store>(outbox);
  std::shared_ptr<runtime::in_process_notification_bus> bus
    = std::make_shared<runtime::in_process_notification_bus>();
  std::vector<received> delivered;
  std::unique_ptr<runtime::resilience_context> ctx;
  caf::actor discovery;
  caf::actor price_agent;
  caf::actor agent;
  std::shared_ptr<queued_executor> jobs;   // null: the memory stores run inline
  int next_key = 1;

  alerts_agent_test() {
    catalog->products["kurta"] = make_product("kurta", "Blue Cotton Kurta", 200000, 10);
    catalog->products["shoes"] = make_product("shoes", "Running Shoes", 129900, 0);
    runtime::call_policy policy;
    policy.attempt_timeout = 200ms;
    policy.backoff = runtime::backoff_policy{20ms, 100ms, 2.0, 0.0};
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer,
                                                        policy);
    discovery = sys.spawn(fake_discovery, catalog);
    directory.add(protocol::agent_kind::product_discovery,
                  runtime::agent_replica{discovery, "test", true});
    price_agent = sys.spawn(fake_price_agent, prices);
    directory.add(protocol::agent_kind::price_comparison,
                  runtime::agent_replica{price_agent, "test", true});
    bus->subscribe([this](const std::string& tenant, const std::string& user,
                          const protocol::notification_event& n) {
      delivered.push_back(received{tenant, user, n});
    });
    agent = spawn({});
  }

  ~alerts_agent_test() override {
    for (auto* a : {&agent, &discovery, &price_agent})
      if (*a)
        caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  caf::actor spawn(actors::alerts::alerts_agent_options options,
                   std::shared_ptr<notify::webhook_sender> webhooks = nullptr,
                   notify::webhook_targets targets = {}) {
    actors::alerts::alerts_agent_deps deps;
    deps.alerts.store = alerts;
    deps.outbox.store = outbox;
    if (jobs)
      deps.alerts.executor = deps.outbox.executor = jobs;
    deps.bus = bus;
    deps.webhooks = std::move(webhooks);
    deps.targets = std::move(targets);
    deps.resilience = ctx.get();
    deps.options = std::move(options);
    auto a = actors::alerts::spawn_alerts_agent(sys, std::move(deps));
    sched.run();
    return a;
  }

  /// Restarts the agent (the stores live outside it, as in a node).
  void restart() {
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
    sched.run();
    agent = spawn({});
  }

  template <class Request>
  caf::expected<protocol::response_t<Request>> ask(Request req) {
    using response = protocol::response_t<Request>;
    auto out = std::make_shared<std::optional<caf::expected<response>>>();
    auto target = agent;
    sys.spawn([out, target, req](caf::event_based_actor* self) {
      self->request(target, caf::infinite, req)
        .then(
          [self, out](response& r) {
            *out = std::move(r);
            self->quit();
          },
          [self, out](caf::error& e) {
            *out = std::move(e);
            self->quit();
          });
    });
    settle([&] { return out->has_value(); });
    if (!out->has_value())
      return protocol::make_error(errc::timeout, "the test got no answer");
    return std::move(**out);
  }

  /// Like run_until, also running queued store jobs.
  void settle(const std::function<bool()>& done) {
    for (int i = 0; i < 10000; ++i) {
      sched.run();
      bool ran = jobs && jobs->run_all();
      if (done())
        return;
      if (ran)
        continue;
      if (!sched.clock().has_pending_timeout())
        return;
      sched.clock().trigger_timeout();
    }
  }

  protocol::envelope env(const std::string& user = "alice", const std::string& tenant = "shop-a") {
    protocol::envelope e;
    e.tenant = tenant;
    e.user = user;
    e.trace_id = "trace-1";
    e.idempotency_key = "key-" + std::to_string(next_key++);
    return e;
  }

  caf::expected<protocol::alert> create(const std::string& product, alert_condition c,
                                        int64_t threshold, protocol::envelope e) {
    return ask(protocol::alert_create{std::move(e), product, c, threshold});
  }

  caf::expected<protocol::alert> create(const std::string& product, alert_condition c,
                                        int64_t threshold) {
    return create(product, c, threshold, env());
  }

  /// A catalog event without an idempotency key (as `cartmate prices FILE` may send).
  caf::expected<protocol::ack> price(const std::string& product, int64_t old_price,
                                     int64_t new_price, int32_t old_stock, int32_t new_stock) {
    protocol::price_event e;
    e.env.trace_id = "trace-price";
    e.product_id = product;
    e.old_price_minor = old_price;
    e.new_price_minor = new_price;
    e.old_stock = old_stock;
    e.new_stock = new_stock;
    e.currency = "INR";
    return ask(std::move(e));
  }

  std::vector<protocol::alert> list(const std::string& user = "alice",
                                    const std::string& tenant = "shop-a") {
    auto l = ask(protocol::alert_list_request{env(user, tenant)});
    EXPECT_TRUE(l) << protocol::describe(l.error());
    return l ? l->alerts : std::vector<protocol::alert>{};
  }

  std::vector<protocol::notification_event> pending(const std::string& user = "alice",
                                                    const std::string& tenant = "shop-a") {
    auto p = outbox->pending(stores::user_key{tenant, user});
    EXPECT_TRUE(p) << protocol::describe(p.error());
    return p ? *p : std::vector<protocol::notification_event>{};
  }
};

TEST_F(alerts_agent_test, price_below_fires_only_under_the_threshold) {
  auto a = create("kurta", alert_condition::price_below, 150000);
  ASSERT_TRUE(a) << protocol::describe(a.error());
  EXPECT_EQ(a->product_id, "kurta");
  EXPECT_EQ(a->reference_price_minor, 200000);   // the catalog price when it was set
  EXPECT_TRUE(a->active);

  auto same = price("kurta", 200000, 150000, 10, 10);   // at the threshold: not below
  ASSERT_TRUE(same) << protocol::describe(same.error());
  EXPECT_TRUE(delivered.empty());
  EXPECT_TRUE(pending().empty());

  auto below = price("kurta", 150000, 149900, 10, 10);
  ASSERT_TRUE(below) << protocol::describe(below.error());
  EXPECT_EQ(below->detail, "1 notification(s)");
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].tenant, "shop-a");
  EXPECT_EQ(delivered[0].user, "alice");
  EXPECT_EQ(delivered[0].event.product_id, "kurta");
  EXPECT_EQ(delivered[0].event.notification_id.rfind(a->alert_id + ":", 0), 0u);
  EXPECT_NE(delivered[0].event.text.find("Blue Cotton Kurta"), std::string::npos);
  EXPECT_NE(delivered[0].event.text.find("1,499.00"), std::string::npos);
  // Written to the outbox with the trigger, pending until the session acknowledges it.
  auto waiting = pending();
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].notification_id, delivered[0].event.notification_id);
  auto now = list();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_FALSE(now[0].active);   // fired alerts fire once
}

TEST_F(alerts_agent_test, drop_percent_compares_with_the_price_when_the_alert_was_set) {
  auto a = create("kurta", alert_condition::drop_percent, 10);
  ASSERT_TRUE(a) << protocol::describe(a.error());
  EXPECT_EQ(a->reference_price_minor, 200000);
  ASSERT_TRUE(price("kurta", 200000, 185000, 10, 10));   // 7.5 % off
  EXPECT_TRUE(delivered.empty());
  ASSERT_TRUE(price("kurta", 185000, 180000, 10, 10));   // exactly 10 % off
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_NE(delivered[0].event.text.find("10%"), std::string::npos);
  EXPECT_EQ(pending().size(), 1u);
}

TEST_F(alerts_agent_test, back_in_stock_fires_when_stock_returns) {
  auto a = create("shoes", alert_condition::back_in_stock, 0);
  ASSERT_TRUE(a) << protocol::describe(a.error());
  ASSERT_TRUE(price("shoes", 129900, 119900, 0, 0));   // cheaper, still none in stock
  EXPECT_TRUE(delivered.empty());
  ASSERT_TRUE(price("shoes", 119900, 119900, 0, 4));
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_NE(delivered[0].event.text.find("Back in stock"), std::string::npos);
}

TEST_F(alerts_agent_test, an_alert_on_another_product_or_a_price_in_another_currency_stays_quiet) {
  ASSERT_TRUE(create("kurta", alert_condition::price_below, 150000));
  ASSERT_TRUE(price("shoes", 129900, 100, 0, 5));
  protocol::price_event usd;
  usd.product_id = "kurta";
  usd.old_price_minor = 200000;
  usd.new_price_minor = 1000;
  usd.old_stock = usd.new_stock = 10;
  usd.currency = "USD";
  auto answer = ask(usd);
  ASSERT_TRUE(answer) << protocol::describe(answer.error());
  EXPECT_TRUE(delivered.empty());
  EXPECT_TRUE(list().at(0).active);
}

TEST_F(alerts_agent_test, create_is_idempotent_by_the_envelope_key) {
  auto e = env();
  auto first = create("kurta", alert_condition::price_below, 150000, e);
  ASSERT_TRUE(first) << protocol::describe(first.error());
  catalog->products.erase("kurta");   // a retry must not need the catalog
  auto again = create("kurta", alert_condition::price_below, 150000, e);
  ASSERT_TRUE(again) << protocol::describe(again.error());
  EXPECT_EQ(again->alert_id, first->alert_id);
  EXPECT_EQ(list().size(), 1u);
  auto other = create("kurta", alert_condition::price_below, 99, e);
  ASSERT_FALSE(other);
  EXPECT_EQ(protocol::errc_of(other.error()), errc::conflict);
}

TEST_F(alerts_agent_test, bad_requests_are_refused) {
  auto unknown = create("nope", alert_condition::price_below, 100);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(protocol::errc_of(unknown.error()), errc::not_found);
  auto no_price = create("kurta", alert_condition::price_below, 0);
  ASSERT_FALSE(no_price);
  EXPECT_EQ(protocol::errc_of(no_price.error()), errc::invalid_argument);
  auto too_much = create("kurta", alert_condition::drop_percent, 100);
  ASSERT_FALSE(too_much);
  EXPECT_EQ(protocol::errc_of(too_much.error()), errc::invalid_argument);
  auto e = env();
  e.idempotency_key.clear();
  auto keyless = create("kurta", alert_condition::price_below, 100, e);
  ASSERT_FALSE(keyless);
  EXPECT_EQ(protocol::errc_of(keyless.error()), errc::invalid_argument);
  EXPECT_TRUE(list().empty());
}

TEST_F(alerts_agent_test, a_repeated_price_event_notifies_once) {
  ASSERT_TRUE(create("kurta", alert_condition::price_below, 150000));
  ASSERT_TRUE(create("kurta", alert_condition::drop_percent, 20));
  for (int i = 0; i < 3; ++i) {
    auto answer = price("kurta", 200000, 140000, 10, 10);
    ASSERT_TRUE(answer) << protocol::describe(answer.error());
    EXPECT_EQ(answer->detail, i == 0 ? "2 notification(s)" : "0 notification(s)");
  }
  EXPECT_EQ(delivered.size(), 2u);
  EXPECT_EQ(pending().size(), 2u);
}

TEST_F(alerts_agent_test, a_published_notification_stays_pending_until_acknowledged) {
  ASSERT_TRUE(create("kurta", alert_condition::price_below, 150000));
  ASSERT_TRUE(price("kurta", 200000, 140000, 10, 10));
  ASSERT_EQ(delivered.size(), 1u);
  auto id = delivered[0].event.notification_id;
  // The process dies after the publish, before any ack: the next connect still finds it.
  restart();
  auto waiting = pending();
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].notification_id, id);

  auto wrong_user = ask(protocol::notification_ack{env("bob"), id});
  ASSERT_FALSE(wrong_user);
  EXPECT_EQ(protocol::errc_of(wrong_user.error()), errc::not_found);
  EXPECT_EQ(pending().size(), 1u);

  auto acked = ask(protocol::notification_ack{env(), id});
  ASSERT_TRUE(acked) << protocol::describe(acked.error());
  EXPECT_TRUE(pending().empty());
  auto again = ask(protocol::notification_ack{env(), id});   // a retried ack is fine
  EXPECT_TRUE(again) << protocol::describe(again.error());
  auto unknown = ask(protocol::notification_ack{env(), "alr-x:nothing"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(protocol::errc_of(unknown.error()), errc::not_found);
}

TEST_F(alerts_agent_test, deleted_alerts_neither_list_nor_fire_and_stay_with_their_owner) {
  auto a = create("kurta", alert_condition::price_below, 150000);
  ASSERT_TRUE(a);
  auto foreign = ask(protocol::alert_delete{env("bob"), a->alert_id});
  ASSERT_FALSE(foreign);
  EXPECT_EQ(protocol::errc_of(foreign.error()), errc::not_found);
  auto other_tenant = ask(protocol::alert_delete{env("alice", "shop-b"), a->alert_id});
  ASSERT_FALSE(other_tenant);
  EXPECT_EQ(list().size(), 1u);
  EXPECT_TRUE(list("alice", "shop-b").empty());

  ASSERT_TRUE(ask(protocol::alert_delete{env(), a->alert_id}));
  EXPECT_TRUE(ask(protocol::alert_delete{env(), a->alert_id}));   // a retried delete is fine
  EXPECT_TRUE(list().empty());
  ASSERT_TRUE(price("kurta", 200000, 100000, 10, 10));
  EXPECT_TRUE(delivered.empty());
  EXPECT_TRUE(pending().empty());
}

TEST_F(alerts_agent_test, alerts_of_several_users_fire_for_their_own_owners) {
  ASSERT_TRUE(create("kurta", alert_condition::price_below, 150000, env("alice")));
  ASSERT_TRUE(create("kurta", alert_condition::price_below, 150000, env("alice", "shop-b")));
  ASSERT_TRUE(create("kurta", alert_condition::price_below, 100000, env("bob")));
  ASSERT_TRUE(price("kurta", 200000, 140000, 10, 10));
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(pending("alice").size(), 1u);
  EXPECT_EQ(pending("alice", "shop-b").size(), 1u);
  EXPECT_TRUE(pending("bob").empty());
  EXPECT_TRUE(list("bob").at(0).active);
}

TEST_F(alerts_agent_test, periodic_rechecks_ask_price_comparison_and_fire_on_a_cheaper_offer) {
  caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  sched.run();
  actors::alerts::alerts_agent_options options;
  options.recheck_interval = 60s;
  agent = spawn(options);
  ASSERT_TRUE(create("kurta", alert_condition::price_below, 150000));
  protocol::price_comparison c;
  c.product_id = "kurta";
  c.our_price = protocol::money{200000, "INR"};
  protocol::offer sold_out{"ShopX", {100000, "INR"}, {100000, "INR"}, "", false};
  protocol::offer cheaper{"ShopY", {145000, "INR"}, {145000, "INR"}, "", true};
  c.offers = {sold_out, cheaper};
  prices->answers["kurta"] = c;
  EXPECT_EQ(prices->asked, 0);
  run_until([&] { return !delivered.empty(); });
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_GE(prices->asked, 1);
  EXPECT_NE(delivered[0].event.text.find("ShopY"), std::string::npos);
  EXPECT_EQ(pending().size(), 1u);
}

TEST_F(alerts_agent_test, a_user_with_a_webhook_gets_the_notification_posted) {
  fixture_http_server server;
  fixture_route ok;
  ok.body = "{}";
  server.route("/hook", ok);
  notify::webhook_options wopts;
  wopts.backoff = runtime::backoff_policy{10ms, 50ms, 2.0, 0.0};
  auto webhooks = std::make_shared<notify::webhook_sender>(wopts);
  notify::webhook_targets targets;
  targets.per_user["shop-a/alice"] = server.base_url() + "/hook";
  caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  sched.run();
  agent = spawn({}, webhooks, targets);
  ASSERT_TRUE(create("kurta", alert_condition::price_below, 150000));
  ASSERT_TRUE(create("kurta", alert_condition::price_below, 150000, env("bob")));
  ASSERT_TRUE(price("kurta", 200000, 140000, 10, 10));
  ASSERT_EQ(delivered.size(), 2u);
  // The sender posts from its own thread; wait for it (a hang guard, not a timing check).
  for (int i = 0; i < 2000 && server.hits("/hook") < 1; ++i)
    std::this_thread::sleep_for(10ms);
  webhooks->stop();
  ASSERT_EQ(server.hits("/hook"), 1);   // bob has no webhook
  auto posted = server.requests().at(0);
  EXPECT_EQ(posted.method, "POST");
  auto body = nlohmann::json::parse(posted.body);
  EXPECT_EQ(body.at("user"), "alice");
  EXPECT_EQ(body.at("tenant"), "shop-a");
  EXPECT_EQ(posted.headers.at("idempotency-key"), body.at("notification_id").get<std::string>());
}

/// The same agent on stores whose calls run off the actor (as PostgreSQL's on a pool).
struct alerts_agent_queued_store_test : alerts_agent_test {
  alerts_agent_queued_store_test() {
    jobs = std::make_shared<queued_executor>();
    restart();
  }
};

TEST_F(alerts_agent_queued_store_test, answers_wait_for_the_store_and_then_follow) {
  auto a = create("kurta", alert_condition::price_below, 150000);
  ASSERT_TRUE(a) << protocol::describe(a.error());
  EXPECT_EQ(a->reference_price_minor, 200000);
  ASSERT_EQ(list().size(), 1u);

  protocol::price_event e;
  e.product_id = "kurta";
  e.new_price_minor = 140000;
  e.old_stock = e.new_stock = 10;
  auto out = std::make_shared<std::optional<caf::expected<protocol::ack>>>();
  auto target = agent;
  sys.spawn([out, target, e](caf::event_based_actor* self) {
    self->request(target, caf::infinite, e).then([out](protocol::ack& r) { *out = r; },
                                                 [out](caf::error& err) { *out = err; });
  });
  sched.run();
  EXPECT_FALSE(out->has_value());   // the trigger waits for its store job
  EXPECT_TRUE(delivered.empty());
  EXPECT_EQ(jobs->waiting(), 1u);
  settle([&] { return out->has_value(); });
  ASSERT_TRUE(out->has_value());
  ASSERT_TRUE(**out) << protocol::describe((*out)->error());
  ASSERT_EQ(delivered.size(), 1u);
  auto id = delivered[0].event.notification_id;
  EXPECT_TRUE(ask(protocol::notification_ack{env(), id}));
  EXPECT_TRUE(pending().empty());
  auto missing = ask(protocol::alert_delete{env("bob"), a->alert_id});
  ASSERT_FALSE(missing);
  EXPECT_EQ(protocol::errc_of(missing.error()), errc::not_found);
}

TEST(alert_rules, price_event_of_a_catalog_change_carries_old_and_new_values) {
  protocol::catalog_change change;
  change.after = make_product("kurta", "Kurta", 1400, 3);
  change.old_price_minor = 2000;
  change.old_stock = 0;
  protocol::envelope e;
  e.idempotency_key = "upd-1";
  auto ev = actors::alerts::price_event_of(change, e);
  EXPECT_EQ(ev.product_id, "kurta");
  EXPECT_EQ(ev.old_price_minor, 2000);
  EXPECT_EQ(ev.new_price_minor, 1400);
  EXPECT_EQ(ev.old_stock, 0);
  EXPECT_EQ(ev.new_stock, 3);
  EXPECT_EQ(ev.currency, "INR");
  auto seen = actors::alerts::observe(ev, "INR");
  EXPECT_EQ(seen.event_key, "evt-upd-1");
  EXPECT_EQ(actors::alerts::format_price(123456789, "INR"), "INR 1,234,567.89");
}

}  // namespace
}  // namespace cartmate::testing
