// product_discovery_agent_test.cpp — the product-discovery agent on the deterministic scheduler:
// filtered search, similar items, lookups, updates seen by later searches, the limit cap, a
// restart that keeps updates, catalog bootstrap with bad rows, and the demo catalog.
#include "actors/discovery/product_discovery_agent.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/discovery/catalog_bootstrap.hpp"
#include "actors/discovery/search_explanation.hpp"
#include "adapters/index/product_index.hpp"
#include "protocol/discovery_messages.hpp"
#include "protocol/errors.hpp"
#include "runtime/supervisor.hpp"
#include "tests/runtime/caf_test_fixture.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::errc;
using protocol::product;

product make_product(std::string id, std::string title, std::string brand, std::string type,
                     std::string gender, std::string colour, int64_t rupees, int32_t stock) {
  product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.brand = std::move(brand);
  p.product_type = std::move(type);
  p.gender = std::move(gender);
  p.colour = std::move(colour);
  p.description = p.title;
  p.sizes = {"7", "8", "9"};
  p.price = protocol::money{rupees * 100, "INR"};
  p.stock = stock;
  return p;
}

std::vector<product> small_catalog() {
  return {
    make_product("s1", "Swiftfoot Black Running Shoes", "Swiftfoot", "running shoes", "Men",
                 "Black", 2499, 10),
    make_product("s2", "Swiftfoot Blue Running Shoes", "Swiftfoot", "running shoes", "Men",
                 "Blue", 2799, 5),
    make_product("s3", "Trailking Black Running Shoes", "Trailking", "running shoes", "Men",
                 "Black", 4999, 3),
    make_product("s4", "Trailking Black Trail Running Shoes", "Trailking", "running shoes",
                 "Women", "Black", 2999, 0),
    make_product("k1", "Rangrez Red Cotton Kurta", "Rangrez", "kurta", "Women", "Red", 1299, 7),
    make_product("k2", "Rangrez Yellow Silk Kurta", "Rangrez", "kurta", "Women", "Yellow", 2199,
                 2),
    make_product("t1", "Basics White Cotton T-shirt", "Basics", "tshirt", "Men", "White", 499, 40),
  };
}

std::vector<std::string> ids_of(const protocol::search_result& r) {
  std::vector<std::string> out;
  for (const auto& p : r.products)
    out.push_back(p.id);
  return out;
}

std::shared_ptr<index::product_index> build_index(std::vector<product> products) {
  auto built = index::product_index::build(std::move(products), size_t{64});
  EXPECT_TRUE(built) << protocol::describe(built.error());
  return std::make_shared<index::product_index>(std::move(*built));
}

struct discovery_test : runtime_fixture {
  caf::scoped_actor self{sys};
  std::shared_ptr<index::product_index> idx = build_index(small_catalog());
  caf::actor agent;

  discovery_test() {
    agent = discovery::spawn_product_discovery_agent(sys, idx, metrics);
    sched.run();
  }

  ~discovery_test() override {
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Sends `req` to `to` and returns its answer after dispatching every message.
  template <class Request>
  caf::expected<protocol::response_t<Request>> ask(const caf::actor& to, Request req) {
    using response = protocol::response_t<Request>;
    caf::expected<response> out{caf::error{}};
    auto rh = self->request(to, caf::infinite, std::move(req));
    sched.run();
    rh.receive([&](response& r) { out = std::move(r); }, [&](caf::error& e) { out = std::move(e); });
    return out;
  }

  template <class Request>
  caf::expected<protocol::response_t<Request>> ask(Request req) {
    return ask(agent, std::move(req));
  }

  static protocol::search_request search(std::string query, protocol::search_filters f = {},
                                         uint32_t limit = 10) {
    protocol::search_request req;
    req.env.trace_id = "t-search";
    req.query = std::move(query);
    req.filters = std::move(f);
    req.limit = limit;
    return req;
  }

  static protocol::catalog_update update(std::string id, int64_t price_minor, int32_t stock) {
    protocol::catalog_update req;
    req.product_id = std::move(id);
    req.price_minor = price_minor;
    req.stock = stock;
    return req;
  }
};

TEST_F(discovery_test, search_applies_filters_and_explains_them) {
  protocol::search_filters f;
  f.colour = "black";
  f.max_price_minor = 300000;
  auto r = ask(search("running shoes", f));
  ASSERT_TRUE(r) << protocol::describe(r.error());
  auto ids = ids_of(*r);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"s1", "s4"}));  // s2 is blue, s3 costs ₹4,999
  EXPECT_EQ(r->total_matches, 2u);
  EXPECT_EQ(r->scores.size(), r->products.size());
  EXPECT_EQ(r->explanation, "2 matches for 'running shoes' in black, under \xE2\x82\xB9" "3,000");

  f.in_stock_only = true;
  auto in_stock = ask(search("running shoes", f));
  ASSERT_TRUE(in_stock);
  EXPECT_EQ(ids_of(*in_stock), (std::vector<std::string>{"s1"}));
  EXPECT_NE(in_stock->explanation.find("in stock"), std::string::npos);
  EXPECT_EQ(metrics.counter_value("cartmate_discovery_requests_total", {{"op", "search"}}), 2u);
  EXPECT_EQ(metrics.histogram_count("cartmate_discovery_request_seconds", {{"op", "search"}}), 2u);
}

TEST_F(discovery_test, search_without_matches_says_so) {
  auto r = ask(search("umbrella"));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->products.empty());
  EXPECT_EQ(r->total_matches, 0u);
  EXPECT_EQ(r->explanation, "No matches for 'umbrella'");
}

TEST_F(discovery_test, bad_searches_are_invalid_arguments) {
  protocol::search_filters f;
  f.min_price_minor = 500000;
  f.max_price_minor = 100000;
  auto range = ask(search("kurta", f));
  ASSERT_FALSE(range);
  EXPECT_EQ(protocol::errc_of(range.error()), errc::invalid_argument);

  auto styled = search("kurta");
  styled.style_vector = {1.f, 0.f, 0.f};  // the index has 64 dimensions
  styled.style_weight = 0.5f;
  auto style = ask(styled);
  ASSERT_FALSE(style);
  EXPECT_EQ(protocol::errc_of(style.error()), errc::invalid_argument);

  auto long_query = ask(search(std::string(discovery::max_query_bytes + 1, 'a')));
  ASSERT_FALSE(long_query);
  EXPECT_EQ(protocol::errc_of(long_query.error()), errc::invalid_argument);
  EXPECT_EQ(metrics.counter_value("cartmate_discovery_failures_total", {{"op", "search"}}), 3u);
}

TEST_F(discovery_test, style_vector_of_the_right_size_is_blended_in) {
  auto taste = idx->vector_of("k2");
  ASSERT_TRUE(taste);
  auto req = search("");
  req.filters.product_type = "kurta";
  req.style_vector = *taste;
  req.style_weight = 1.f;
  auto r = ask(req);
  ASSERT_TRUE(r) << protocol::describe(r.error());
  ASSERT_EQ(r->products.size(), 2u);
  EXPECT_EQ(r->products[0].id, "k2");  // its own vector is the closest to itself
  EXPECT_NE(r->explanation.find("ranked with your style"), std::string::npos);
}

TEST_F(discovery_test, similar_excludes_the_product_itself) {
  protocol::similar_request req;
  req.product_id = "s1";
  req.limit = 10;
  auto r = ask(req);
  ASSERT_TRUE(r) << protocol::describe(r.error());
  auto ids = ids_of(*r);
  EXPECT_EQ(ids.size(), small_catalog().size() - 1);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), "s1"), 0);
  EXPECT_EQ(r->explanation.rfind("6 items similar to 'Swiftfoot Black Running Shoes'", 0), 0u)
    << r->explanation;

  req.product_id = "nope";
  auto unknown = ask(req);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(protocol::errc_of(unknown.error()), errc::not_found);
}

TEST_F(discovery_test, get_product_finds_known_ids_and_reports_unknown_ones) {
  protocol::get_product_request req;
  req.product_id = "k1";
  auto known = ask(req);
  ASSERT_TRUE(known);
  EXPECT_EQ(known->title, "Rangrez Red Cotton Kurta");
  EXPECT_EQ(known->price.minor, 129900);

  req.product_id = "missing";
  auto unknown = ask(req);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(protocol::errc_of(unknown.error()), errc::not_found);
  EXPECT_EQ(metrics.counter_value("cartmate_discovery_requests_total", {{"op", "get_product"}}),
            2u);
  EXPECT_EQ(metrics.counter_value("cartmate_discovery_failures_total", {{"op", "get_product"}}),
            1u);
}

TEST_F(discovery_test, price_update_is_seen_by_a_following_filtered_search) {
  protocol::search_filters f;
  f.max_price_minor = 300000;
  auto before = ask(search("running shoes", f));
  ASSERT_TRUE(before);
  auto before_ids = ids_of(*before);
  EXPECT_EQ(std::count(before_ids.begin(), before_ids.end(), "s3"), 0);

  auto change = ask(update("s3", 199900, -1));
  ASSERT_TRUE(change) << protocol::describe(change.error());
  EXPECT_EQ(change->old_price_minor, 499900);
  EXPECT_EQ(change->after.price.minor, 199900);
  EXPECT_EQ(change->old_stock, 3);
  EXPECT_EQ(change->after.stock, 3);  // -1 left it alone

  auto after = ask(search("running shoes", f));
  ASSERT_TRUE(after);
  auto after_ids = ids_of(*after);
  EXPECT_EQ(std::count(after_ids.begin(), after_ids.end(), "s3"), 1);
  EXPECT_EQ(after->total_matches, before->total_matches + 1);

  protocol::get_product_request get;
  get.product_id = "s3";
  auto fetched = ask(get);
  ASSERT_TRUE(fetched);
  EXPECT_EQ(fetched->price.minor, 199900);
}

TEST_F(discovery_test, stock_update_changes_in_stock_filtering) {
  protocol::search_filters f;
  f.in_stock_only = true;
  f.gender = "Women";
  f.product_type = "running shoes";
  auto before = ask(search("", f));
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->products.empty());
  ASSERT_TRUE(ask(update("s4", -1, 12)));
  auto after = ask(search("", f));
  ASSERT_TRUE(after);
  EXPECT_EQ(ids_of(*after), (std::vector<std::string>{"s4"}));
}

TEST_F(discovery_test, invalid_updates_are_rejected_without_changing_anything) {
  for (auto bad : {update("", 1000, -1), update("s1", -1, -1), update("s1", 0, -1),
                   update("s1", -5, -1), update("s1", -1, -7)}) {
    auto r = ask(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(protocol::errc_of(r.error()), errc::invalid_argument)
      << bad.product_id << " " << bad.price_minor << " " << bad.stock;
  }
  auto unknown = ask(update("zz", 1000, -1));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(protocol::errc_of(unknown.error()), errc::not_found);
  EXPECT_EQ(idx->find("s1")->price.minor, 249900);
  EXPECT_EQ(idx->find("s1")->stock, 10);
  EXPECT_EQ(metrics.counter_value("cartmate_discovery_failures_total",
                                  {{"op", "catalog_update"}}),
            6u);
}

TEST_F(discovery_test, limit_is_capped_and_offset_pages) {
  std::vector<product> many;
  for (int i = 0; i < 70; ++i)
    many.push_back(make_product("p" + std::to_string(i), "Basics Plain Cotton T-shirt " + std::to_string(i),
                                "Basics", "tshirt", "Men", "White", 300 + i, 5));
  auto big = discovery::spawn_product_discovery_agent(sys, build_index(std::move(many)), metrics);
  auto capped = ask(big, search("t-shirt", {}, 1000));
  ASSERT_TRUE(capped) << protocol::describe(capped.error());
  EXPECT_EQ(capped->products.size(), discovery::max_result_limit);
  EXPECT_EQ(capped->total_matches, 70u);
  EXPECT_NE(capped->explanation.find("(showing 1\xE2\x80\x93" "50)"), std::string::npos)
    << capped->explanation;

  auto req = search("t-shirt", {}, 30);
  req.offset = 60;
  auto last = ask(big, req);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->products.size(), 10u);
  for (const auto& p : last->products)
    for (const auto& q : capped->products)
      EXPECT_NE(p.id, q.id);  // page 61..70 shares nothing with page 1..50
  caf::anon_send_exit(big, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_F(discovery_test, restarted_agent_keeps_catalog_updates) {
  runtime::child_spec spec{protocol::agent_kind::product_discovery, {},
                           [this](caf::actor_system& s) {
                             return discovery::spawn_product_discovery_agent(s, idx, metrics);
                           }};
  runtime::supervisor_deps deps{&directory, &metrics, "node-a", caf::actor{}};
  auto sup = runtime::spawn_supervisor(sys, {spec}, runtime::restart_policy{3, 10s, 10ms}, deps);
  ASSERT_TRUE(sup);
  sched.run();
  auto first = directory.lookup(protocol::agent_kind::product_discovery);
  ASSERT_TRUE(first);
  ASSERT_TRUE(ask(*first, update("t1", 39900, 0)));

  caf::anon_send_exit(*first, caf::exit_reason::kill);
  sched.run();
  sched.clock().advance_time(10ms);
  sched.run();
  auto second = directory.lookup(protocol::agent_kind::product_discovery);
  ASSERT_TRUE(second);
  ASSERT_NE(*first, *second);

  protocol::get_product_request get;
  get.product_id = "t1";
  auto after = ask(*second, get);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->price.minor, 39900);
  EXPECT_EQ(after->stock, 0);
  protocol::search_filters f;
  f.max_price_minor = 40000;
  auto cheap = ask(*second, search("t-shirt", f));
  ASSERT_TRUE(cheap);
  EXPECT_EQ(ids_of(*cheap), (std::vector<std::string>{"t1"}));

  caf::anon_send_exit(*sup, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST(search_explanation, formats_money_as_shoppers_read_it) {
  EXPECT_EQ(discovery::format_money(300000, "INR"), "\xE2\x82\xB9" "3,000");
  EXPECT_EQ(discovery::format_money(12499950, "INR"), "\xE2\x82\xB9" "1,24,999.50");
  EXPECT_EQ(discovery::format_money(99, "INR"), "\xE2\x82\xB9" "0.99");
  EXPECT_EQ(discovery::format_money(123456789, "USD"), "$1,234,567.89");
  EXPECT_EQ(discovery::format_money(500, "CHF"), "CHF 5");
}

TEST(search_explanation, names_every_filter_and_price_range) {
  protocol::search_request req;
  req.query = "kurta";
  req.filters.gender = "Women";
  req.filters.brand = "Rangrez";
  req.filters.min_price_minor = 100000;
  req.filters.max_price_minor = 250000;
  req.filters.exclude_colours = {"yellow"};
  EXPECT_EQ(discovery::explain_search(req, 1, 1, "INR"),
            "1 match for 'kurta' for Women, by Rangrez, between \xE2\x82\xB9" "1,000 and "
            "\xE2\x82\xB9" "2,500, excluding yellow");
  protocol::search_request browse;
  browse.filters.min_price_minor = 100000;
  EXPECT_EQ(discovery::explain_search(browse, 3, 3, "INR"), "3 products from \xE2\x82\xB9" "1,000");
}

// A scratch directory removed at the end of the test.
struct scratch_dir {
  std::filesystem::path path;
  scratch_dir() {
    path = std::filesystem::temp_directory_path()
           / ("cartmate_discovery_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed())
              + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(path);
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = (path / name).string();
    std::ofstream{p, std::ios::binary} << text;
    return p;
  }
};

config::node_config config_for(std::string path, int dim = 32) {
  config::node_config cfg;
  cfg.catalog.path = std::move(path);
  cfg.catalog.currency = "INR";
  cfg.index.embedding_dim = dim;
  return cfg;
}

TEST(catalog_bootstrap, skips_bad_rows_and_indexes_the_rest) {
  scratch_dir dir;
  auto path = dir.write("c.jsonl",
                        R"({"id": "a", "title": "Swiftfoot Black Running Shoes", "price": 2499, "stock": 3})"
                        "\n"
                        "not json at all\n"
                        R"({"id": "b", "title": "Rangrez Red Kurta", "price": 1299})"
                        "\n"
                        R"({"id": "c", "title": "No Price Here"})"
                        "\n");
  size_t progress_calls = 0;
  auto idx = discovery::load_product_index(config_for(path),
                                           [&](const catalog::load_progress&) { ++progress_calls; });
  ASSERT_TRUE(idx) << protocol::describe(idx.error());
  ASSERT_NE(*idx, nullptr);
  EXPECT_EQ((*idx)->size(), 2u);
  EXPECT_EQ((*idx)->dim(), 32u);
  EXPECT_NE((*idx)->find("a"), nullptr);
  EXPECT_EQ((*idx)->find("c"), nullptr);
  EXPECT_EQ((*idx)->find("b")->price.currency, "INR");
  EXPECT_GE(progress_calls, 1u);
}

TEST(catalog_bootstrap, fails_clearly_on_missing_empty_or_misconfigured_catalogs) {
  scratch_dir dir;
  auto missing = discovery::load_product_index(config_for((dir.path / "nope.jsonl").string()));
  ASSERT_FALSE(missing);
  EXPECT_EQ(protocol::errc_of(missing.error()), errc::not_found);

  auto all_bad = discovery::load_product_index(config_for(dir.write("bad.jsonl", "{\n[]\n")));
  ASSERT_FALSE(all_bad);
  EXPECT_EQ(protocol::errc_of(all_bad.error()), errc::invalid_argument);

  auto good = dir.write("good.jsonl", R"({"id": "a", "title": "Plain Tee", "price": 499})" "\n");
  auto zero_dim = discovery::load_product_index(config_for(good, 0));
  ASSERT_FALSE(zero_dim);
  EXPECT_EQ(protocol::errc_of(zero_dim.error()), errc::invalid_argument);
  ASSERT_TRUE(discovery::load_product_index(config_for(good, 8)));
}

struct demo_catalog_test : discovery_test {};

TEST_F(demo_catalog_test, demo_catalog_answers_filtered_searches) {
  auto demo = discovery::load_product_index(
    config_for(CARTMATE_SOURCE_DIR "/examples/catalog/demo_catalog.jsonl", 256));
  ASSERT_TRUE(demo) << protocol::describe(demo.error());
  EXPECT_GE((*demo)->size(), 2500u);
  auto agent2 = discovery::spawn_product_discovery_agent(sys, *demo, metrics);
  protocol::search_filters f;
  f.gender = "Women";
  f.max_price_minor = 150000;
  auto r = ask(agent2, search("kurta", f, 20));
  ASSERT_TRUE(r) << protocol::describe(r.error());
  ASSERT_FALSE(r->products.empty());
  EXPECT_LE(r->products.size(), 20u);
  for (const auto& p : r->products) {
    EXPECT_LE(p.price.minor, 150000) << p.id;
    EXPECT_EQ(p.price.currency, "INR");
  }
  EXPECT_NE(r->explanation.find("for 'kurta' for Women, under \xE2\x82\xB9" "1,500"),
            std::string::npos)
    << r->explanation;

  protocol::similar_request sim;
  sim.product_id = r->products[0].id;
  sim.limit = 5;
  auto similar = ask(agent2, sim);
  ASSERT_TRUE(similar);
  EXPECT_EQ(similar->products.size(), 5u);
  for (const auto& p : similar->products)
    EXPECT_NE(p.id, sim.product_id);
  caf::anon_send_exit(agent2, caf::exit_reason::user_shutdown);
  sched.run();
}

}  // namespace
}  // namespace cartmate::testing
