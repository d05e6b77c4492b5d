// style_profiler_agent_test.cpp — the style profiler on the deterministic scheduler: signals to
// profile to ranking end to end, idempotent signals, stated preferences across restarts, image
// analysis (bytes and paths, broken images) and per-user ordering when the store answers later.
#include "actors/style/style_profiler_agent.hpp"

#include <deque>
#include <fstream>
#include <iterator>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "adapters/style/memory_profile_store.hpp"
#include "adapters/style/worker_executor.hpp"
#include "protocol/errors.hpp"
#include "tests/runtime/caf_test_fixture.hpp"

namespace cartmate::testing {
namespace {

using protocol::errc;
using protocol::signal_kind;

constexpr int64_t day_ms = 86400000;

style::product_facts make(std::string id, std::string colour, std::string type,
                          std::string brand, int64_t price, std::vector<float> v) {
  return style::product_facts{std::move(id), std::move(colour), std::move(brand), std::move(type),
                              price, std::move(v)};
}

std::vector<uint8_t> fixture(const std::string& name) {
  std::ifstream in(std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/images/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Store calls wait here until the test runs them, as PostgreSQL's would on a pool.
struct queued_executor final : stores::store_executor {
  std::deque<std::function<void()>> jobs;
  bool runs_inline() const noexcept override { return false; }
  void execute(std::function<void()> job) override { jobs.push_back(std::move(job)); }
};

struct style_agent_test : runtime_fixture {
  std::shared_ptr<style::memory_profile_store> store
    = std::make_shared<style::memory_profile_store>();
  std::shared_ptr<queued_executor> queue;   // set by tests that delay the store
  std::shared_ptr<int64_t> clock = std::make_shared<int64_t>(1700000000000);
  style::style_settings settings;
  caf::actor agent;
  int next_key = 1;

  style_agent_test() { spawn_agent(); }

  ~style_agent_test() override {
    if (agent)
      caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
    sched.run();
  }

  static std::shared_ptr<const style::style_catalog> catalog() {
    auto c = style::style_catalog::from_facts(
      {
        make("kurta-1", "Navy", "kurta", "Biba", 99900, {1.f, 0.f, 0.f}),
        make("kurta-2", "Navy", "kurta", "W", 119900, {0.9f, 0.1f, 0.f}),
        make("kurta-3", "Navy", "kurta", "Aurelia", 109900, {0.95f, 0.f, 0.05f}),
        make("dress-1", "Red", "dress", "Zara", 299900, {0.f, 1.f, 0.f}),
        make("dress-2", "Red", "dress", "Mango", 349900, {0.1f, 0.9f, 0.f}),
        make("shoes-1", "Black", "running shoes", "Nike", 499900, {0.f, 0.f, 1.f}),
      },
      3);
    EXPECT_TRUE(c);
    return *c;
  }

  void spawn_agent() {
    actors::style_agent_deps deps;
    deps.store.store = store;
    if (queue)
      deps.store.executor = queue;
    deps.catalog = catalog();
    deps.settings = settings;
    deps.now_ms = [c = clock] { return *c; };
    agent = actors::spawn_style_profiler_agent(sys, std::move(deps));
    sched.run();
  }

  void restart_agent() {
    caf::anon_send_exit(agent, caf::exit_reason::kill);
    sched.run();
    spawn_agent();
  }

  template <class Request>
  using answer_slot
    = std::shared_ptr<std::optional<caf::expected<protocol::response_t<Request>>>>;

  template <class Request>
  answer_slot<Request> start(Request req) {
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
    return out;
  }

  /// Runs the scheduler and the queued store jobs until nothing is left.
  void drain() {
    for (int i = 0; i < 1000; ++i) {
      sched.run();
      if (!queue || queue->jobs.empty())
        return;
      auto job = std::move(queue->jobs.front());
      queue->jobs.pop_front();
      job();
    }
  }

  template <class Request>
  caf::expected<protocol::response_t<Request>> ask(Request req) {
    auto out = start(std::move(req));
    drain();
    if (!out->has_value())
      return protocol::make_error(errc::timeout, "the test got no answer");
    return std::move(**out);
  }

  protocol::envelope env(const std::string& user = "alice", const std::string& tenant = "shop-a") {
    protocol::envelope e;
    e.tenant = tenant;
    e.user = user;
    e.trace_id = "trace-1";
    e.idempotency_key = "key-" + std::to_string(next_key++);
    return e;
  }

  caf::expected<protocol::ack> signal(const std::string& id, signal_kind kind,
                                      protocol::envelope e) {
    return ask(protocol::style_signal{std::move(e), id, kind, 0});
  }

  caf::expected<protocol::ack> signal(const std::string& id, signal_kind kind) {
    return signal(id, kind, env());
  }

  protocol::style_profile profile(const std::string& user = "alice") {
    auto p = ask(protocol::profile_get{env(user)});
    EXPECT_TRUE(p) << protocol::describe(p.error());
    return p ? *p : protocol::style_profile{};
  }

  static void expect_code(const caf::error& err, errc code) {
    EXPECT_EQ(protocol::errc_of(err), code) << protocol::describe(err);
  }

  static float weight_of(const protocol::style_profile& p, const std::string& attribute,
                         const std::string& value) {
    for (const auto& a : p.attributes)
      if (a.attribute == attribute && a.value == value)
        return a.weight;
    return 0.f;
  }
};

TEST_F(style_agent_test, signals_shape_the_profile_and_the_ranking) {
  EXPECT_TRUE(signal("kurta-1", signal_kind::liked));
  EXPECT_TRUE(signal("kurta-2", signal_kind::purchased));
  EXPECT_TRUE(signal("dress-1", signal_kind::disliked));
  auto p = profile();
  EXPECT_EQ(p.user, "alice");
  EXPECT_EQ(p.signal_count, 3u);
  ASSERT_EQ(p.taste.size(), 3u);
  EXPECT_GT(p.taste[0], 0.f);
  EXPECT_LT(p.taste[1], 0.f);
  ASSERT_FALSE(p.attributes.empty());
  EXPECT_GT(weight_of(p, "colour", "Navy"), 0.f);
  EXPECT_GT(weight_of(p, "product_type", "kurta"), 0.f);
  EXPECT_EQ(weight_of(p, "colour", "Red"), 0.f);
  EXPECT_GT(p.price_band_min_minor, 0);

  auto r = ask(protocol::style_rank{env(), {"dress-2", "shoes-1", "kurta-3"}});
  ASSERT_TRUE(r) << protocol::describe(r.error());
  EXPECT_EQ(r->product_ids, (std::vector<std::string>{"kurta-3", "shoes-1", "dress-2"}));
  EXPECT_EQ(r->reason, "you liked several navy kurtas");
}

TEST_F(style_agent_test, profiles_are_per_user_and_tenant_and_cold_ranking_says_so) {
  EXPECT_TRUE(signal("kurta-1", signal_kind::liked));
  EXPECT_EQ(profile("bob").signal_count, 0u);
  EXPECT_TRUE(profile("bob").taste.empty());
  auto other_tenant = ask(protocol::profile_get{env("alice", "shop-b")});
  ASSERT_TRUE(other_tenant);
  EXPECT_EQ(other_tenant->signal_count, 0u);
  std::vector<std::string> ids{"dress-2", "kurta-3"};
  auto cold = ask(protocol::style_rank{env("bob"), ids});
  ASSERT_TRUE(cold);
  EXPECT_EQ(cold->product_ids, ids);
  EXPECT_EQ(cold->reason, style::cold_start_reason);
  auto anonymous = ask(protocol::style_rank{protocol::envelope{}, ids});
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->product_ids, ids);
}

TEST_F(style_agent_test, a_repeated_signal_counts_once) {
  auto e = env();
  auto first = signal("kurta-1", signal_kind::liked, e);
  auto again = signal("kurta-1", signal_kind::liked, e);
  ASSERT_TRUE(first && again);
  EXPECT_EQ(again->detail, "already counted");
  EXPECT_EQ(profile().signal_count, 1u);
}

TEST_F(style_agent_test, bad_signals_are_refused) {
  expect_code(signal("no-such-product", signal_kind::liked).error(), errc::not_found);
  expect_code(signal("", signal_kind::liked).error(), errc::invalid_argument);
  expect_code(signal("kurta-1", signal_kind::liked, env("")).error(), errc::invalid_argument);
  expect_code(signal("kurta-1", static_cast<signal_kind>(42)).error(), errc::invalid_argument);
  EXPECT_EQ(profile().signal_count, 0u);
}

TEST_F(style_agent_test, signals_decay_with_the_injected_clock) {
  EXPECT_TRUE(signal("kurta-1", signal_kind::liked));
  auto fresh = weight_of(profile(), "colour", "Navy");
  *clock += 30 * day_ms;   // one half-life later
  EXPECT_NEAR(weight_of(profile(), "colour", "Navy"), fresh / 2, 1e-4f);
  // A signal's own time counts: a like stamped a half-life ago adds half a like.
  auto old_like = ask(protocol::style_signal{env(), "kurta-2", signal_kind::liked,
                                             *clock - 30 * day_ms});
  ASSERT_TRUE(old_like);
  EXPECT_NEAR(weight_of(profile(), "colour", "Navy"), fresh, 1e-4f);
}

TEST_F(style_agent_test, stated_preferences_persist_across_restarts_and_can_be_forgotten) {
  auto set = ask(protocol::preference_set{env(), {"size", "M", 0}});
  ASSERT_TRUE(set) << protocol::describe(set.error());
  ASSERT_EQ(set->stated.size(), 1u);
  EXPECT_EQ(set->stated[0].stated_ms, *clock);   // stamped by the agent
  ASSERT_TRUE(ask(protocol::preference_set{env(), {"avoid_colour", "Red", 5}}));
  ASSERT_TRUE(ask(protocol::preference_set{env(), {"size", "L", 6}}));
  EXPECT_TRUE(signal("kurta-1", signal_kind::liked));
  restart_agent();
  auto p = profile();
  ASSERT_EQ(p.stated.size(), 2u);
  EXPECT_EQ(p.stated[0].key, "size");
  EXPECT_EQ(p.stated[0].value, "L");
  EXPECT_EQ(p.signal_count, 1u);

  auto forgot = ask(protocol::preference_forget{env(), "size"});
  ASSERT_TRUE(forgot);
  ASSERT_EQ(forgot->stated.size(), 1u);
  EXPECT_EQ(forgot->stated[0].key, "avoid_colour");
  auto all = ask(protocol::preference_forget{env(), ""});
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->stated.empty());
  EXPECT_EQ(all->signal_count, 1u);   // forgetting stated preferences keeps what was learned
  expect_code(ask(protocol::preference_set{env(), {"", "x", 0}}).error(), errc::invalid_argument);
}

TEST_F(style_agent_test, image_bytes_are_analysed_and_shape_the_profile) {
  auto a = ask(protocol::image_analyse{env(), fixture("red_white.png"), ""});
  ASSERT_TRUE(a) << protocol::describe(a.error());
  ASSERT_EQ(a->colours.size(), 2u);
  EXPECT_EQ(a->colours[0].colour, "Red");
  EXPECT_EQ(a->width, 40u);
  auto p = profile();
  EXPECT_GT(weight_of(p, "colour", "Red"), 0.f);
  EXPECT_EQ(p.signal_count, 1u);
  auto r = ask(protocol::style_rank{env(), {"kurta-3", "dress-2"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->product_ids.front(), "dress-2");
}

TEST_F(style_agent_test, image_paths_are_read_and_checked) {
  auto a = ask(protocol::image_analyse{
    env(), {}, std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/images/solid_green.jpg"});
  ASSERT_TRUE(a) << protocol::describe(a.error());
  ASSERT_FALSE(a->colours.empty());
  EXPECT_EQ(a->colours[0].colour, "Green");
  auto missing = ask(protocol::image_analyse{env(), {}, "/nonexistent/cartmate/image.png"});
  ASSERT_FALSE(missing);
  expect_code(missing.error(), errc::not_found);
}

TEST_F(style_agent_test, broken_images_are_clear_invalid_arguments) {
  for (const char* name : {"corrupt.png", "truncated.png", "truncated.jpg", "corrupt.jpg",
                           "huge_header.png", "not_an_image.png", "pixel.gif"}) {
    auto r = ask(protocol::image_analyse{env(), fixture(name), ""});
    ASSERT_FALSE(r) << name;
    expect_code(r.error(), errc::invalid_argument);
  }
  auto none = ask(protocol::image_analyse{env(), {}, ""});
  ASSERT_FALSE(none);
  EXPECT_NE(protocol::describe(none.error()).find("empty image"), std::string::npos);
  auto both = ask(protocol::image_analyse{env(), fixture("solid_navy.png"), "x.png"});
  ASSERT_FALSE(both);
  expect_code(both.error(), errc::invalid_argument);
  EXPECT_EQ(profile().signal_count, 0u);   // nothing was learned from broken images
}

TEST_F(style_agent_test, image_size_limit_comes_from_the_settings) {
  settings.limits.max_bytes = 100;
  restart_agent();
  auto r = ask(protocol::image_analyse{env(), fixture("red_white.png"), ""});
  ASSERT_FALSE(r);
  expect_code(r.error(), errc::invalid_argument);
  EXPECT_NE(protocol::describe(r.error()).find("too large"), std::string::npos);
}

TEST_F(style_agent_test, overlapping_requests_of_one_user_lose_no_update) {
  queue = std::make_shared<queued_executor>();
  restart_agent();
  // Three signals in flight at once while the store answers later: each is applied to the
  // profile the previous one stored.
  auto a = start(protocol::style_signal{env(), "kurta-1", signal_kind::liked, 0});
  auto b = start(protocol::style_signal{env(), "kurta-2", signal_kind::liked, 0});
  auto c = start(protocol::style_signal{env("bob"), "dress-1", signal_kind::liked, 0});
  auto d = start(protocol::preference_set{env(), {"size", "M", 0}});
  sched.run();
  EXPECT_FALSE(a->has_value());   // waiting for the store
  drain();
  ASSERT_TRUE(a->has_value() && b->has_value() && c->has_value() && d->has_value());
  EXPECT_TRUE(**a && **b && **c && **d);
  auto p = profile();
  EXPECT_EQ(p.signal_count, 2u);
  EXPECT_EQ(p.stated.size(), 1u);
  EXPECT_EQ(profile("bob").signal_count, 1u);
}

// The node's arrangement: a real scheduler, images decoded on a worker thread, the result
// handed back to the agent as a message.
TEST(style_agent_real_system, decodes_images_on_the_worker_pool) {
  struct config : caf::actor_system_config {
    config() { protocol::register_protocol_types(*this); }
  } cfg;
  caf::actor_system sys{cfg};
  auto store = std::make_shared<style::memory_profile_store>();
  actors::style_agent_deps deps;
  deps.store.store = store;
  deps.catalog = style_agent_test::catalog();
  deps.image_executor = style::make_worker_executor(1);
  auto agent = actors::spawn_style_profiler_agent(sys, deps);
  caf::scoped_actor self{sys};
  protocol::envelope e;
  e.user = "alice";
  std::optional<protocol::image_analysis> got;
  // The timeout only keeps a broken build from hanging; nothing is measured.
  self->request(agent, std::chrono::seconds(30),
                protocol::image_analyse{e, fixture("solid_navy.png"), ""})
    .receive([&](const protocol::image_analysis& a) { got = a; },
             [&](const caf::error& err) { ADD_FAILURE() << protocol::describe(err); });
  ASSERT_TRUE(got);
  ASSERT_EQ(got->colours.size(), 1u);
  EXPECT_EQ(got->colours[0].colour, "Navy");
  auto stored = store->get({"", "alice"});
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->signal_count, 1u);
  self->send_exit(agent, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace cartmate::testing
