// style_taste_test.cpp — learning a style from signals (weights, decay, likes against dislikes),
// ranking by style with its reason, stated preferences, and the profile's storage (codec,
// memory store) and settings.
#include <cmath>
#include <tuple>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/index/product_index.hpp"
#include "adapters/style/memory_profile_store.hpp"
#include "adapters/style/profile_codec.hpp"
#include "adapters/style/style_ranker.hpp"
#include "adapters/style/style_settings.hpp"
#include "adapters/style/taste_model.hpp"
#include "protocol/errors.hpp"

namespace cartmate::style {
namespace {

using protocol::signal_kind;

constexpr int64_t day_ms = 86400000;
constexpr int64_t t0 = 1700000000000;   // any fixed wall-clock time

product_facts make(std::string id, std::string colour, std::string type, std::string brand,
                   int64_t price, std::vector<float> v) {
  return product_facts{std::move(id), std::move(colour), std::move(brand), std::move(type),
                       price, std::move(v)};
}

/// Four-dimensional vectors: axis 0 "navy kurta-ness", 1 "red dress-ness", 2 shoes, 3 tops.
std::shared_ptr<const style_catalog> test_catalog() {
  auto c = style_catalog::from_facts(
    {
      make("kurta-1", "Navy", "kurta", "Biba", 99900, {1.f, 0.f, 0.f, 0.f}),
      make("kurta-2", "Navy", "kurta", "W", 119900, {0.9f, 0.1f, 0.f, 0.f}),
      make("kurta-3", "Navy", "kurta", "Aurelia", 109900, {0.95f, 0.f, 0.05f, 0.f}),
      make("kurta-red", "Red", "kurta", "Biba", 99900, {0.6f, 0.4f, 0.f, 0.f}),
      make("dress-1", "Red", "dress", "Zara", 299900, {0.f, 1.f, 0.f, 0.f}),
      make("dress-2", "Red", "dress", "Mango", 349900, {0.1f, 0.9f, 0.f, 0.f}),
      make("shoes-1", "Black", "running shoes", "Nike", 499900, {0.f, 0.f, 1.f, 0.f}),
      make("top-1", "Yellow", "top", "Zara", 79900, {0.f, 0.f, 0.f, 1.f}),
      make("top-2", "Navy", "top", "H&M", 89900, {0.3f, 0.f, 0.f, 0.95f}),
    },
    4);
  EXPECT_TRUE(c) << protocol::describe(c.error());
  return *c;
}

struct style_taste : ::testing::Test {
  std::shared_ptr<const style_catalog> catalog = test_catalog();
  taste_model model;
  learned_profile profile;

  product_facts facts(const std::string& id) {
    auto f = catalog->facts(id);
    EXPECT_TRUE(f) << id;
    return f ? *f : product_facts{};
  }

  void signal(const std::string& id, signal_kind kind, int64_t at = t0) {
    model.observe(profile, facts(id), kind, at);
  }

  float cosine_to(const std::string& id) {
    auto summary = model.summarise(profile, "u", t0);
    auto v = facts(id).vector;
    float dot = 0.f;
    for (size_t i = 0; i < v.size(); ++i)
      dot += summary.taste.at(i) * v[i];
    return dot;
  }

  float attribute_weight(const protocol::style_profile& p, const std::string& kind,
                         const std::string& value) {
    for (const auto& a : p.attributes)
      if (a.attribute == kind && a.value == value)
        return a.weight;
    return 0.f;
  }

  protocol::style_ranking rank(const std::vector<std::string>& ids) {
    return rank_by_style(profile, ids, *catalog);
  }
};

TEST_F(style_taste, likes_pull_the_taste_vector_and_dislikes_push_it_away) {
  signal("kurta-1", signal_kind::liked);
  signal("dress-1", signal_kind::disliked);
  EXPECT_GT(cosine_to("kurta-1"), 0.5f);
  EXPECT_LT(cosine_to("dress-1"), -0.5f);
  auto p = model.summarise(profile, "u", t0);
  EXPECT_NEAR(std::sqrt(p.taste[0] * p.taste[0] + p.taste[1] * p.taste[1]), 1.f, 1e-5f);
  EXPECT_EQ(p.signal_count, 2u);
  // Only likings are shown; the disliked red dress is not.
  EXPECT_GT(attribute_weight(p, "colour", "Navy"), 0.f);
  EXPECT_EQ(attribute_weight(p, "colour", "Red"), 0.f);
}

TEST_F(style_taste, signal_kinds_weigh_differently) {
  signal("kurta-1", signal_kind::viewed);
  signal("dress-1", signal_kind::purchased);
  // One view is much less than one purchase: the taste points at the dress.
  EXPECT_GT(cosine_to("dress-1"), 0.9f);
  auto p = model.summarise(profile, "u", t0);
  EXPECT_NEAR(attribute_weight(p, "colour", "Red"), model.weight_of(signal_kind::purchased), 1e-5f);
  EXPECT_EQ(attribute_weight(p, "colour", "Navy"), 0.f);   // a view alone is no liking
}

TEST_F(style_taste, older_signals_weigh_less) {
  // Two likes two half-lives apart: the older counts a quarter, whichever arrives first.
  learned_profile newer_first;
  model.observe(newer_first, facts("dress-1"), signal_kind::liked, t0 + 60 * day_ms);
  model.observe(newer_first, facts("kurta-1"), signal_kind::liked, t0);
  signal("kurta-1", signal_kind::liked, t0);
  signal("dress-1", signal_kind::liked, t0 + 60 * day_ms);
  for (const auto* p : {&profile, &newer_first}) {
    ASSERT_EQ(p->taste.size(), 4u);
    EXPECT_NEAR(p->taste[0] / p->taste[1], 0.25f, 1e-4f);
  }
  auto now = t0 + 60 * day_ms;
  auto summary = model.summarise(profile, "u", now);
  EXPECT_NEAR(attribute_weight(summary, "colour", "Red"), 1.f, 1e-4f);
  EXPECT_NEAR(attribute_weight(summary, "colour", "Navy"), 0.25f, 1e-4f);
  // Reading the profile later decays everything alike.
  auto later = model.summarise(profile, "u", now + 30 * day_ms);
  EXPECT_NEAR(attribute_weight(later, "colour", "Red"), 0.5f, 1e-4f);
  // Navy has faded to an eighth of a like: too little to show as a liking any more.
  EXPECT_EQ(attribute_weight(later, "colour", "Navy"), 0.f);
}

TEST_F(style_taste, half_life_is_configurable) {
  taste_settings fast;
  fast.half_life_days = 1;
  taste_model quick{fast};
  EXPECT_NEAR(quick.decay(day_ms), 0.5, 1e-12);
  EXPECT_NEAR(model.decay(30 * day_ms), 0.5, 1e-12);
  EXPECT_EQ(model.decay(-5), 1.0);
}

TEST_F(style_taste, a_like_and_a_dislike_of_the_same_product_cancel_out) {
  signal("kurta-1", signal_kind::liked);
  signal("kurta-1", signal_kind::disliked);
  auto p = model.summarise(profile, "u", t0);
  EXPECT_TRUE(p.taste.empty());
  EXPECT_TRUE(p.attributes.empty());
}

TEST_F(style_taste, price_band_surrounds_liked_prices) {
  signal("kurta-1", signal_kind::liked);
  signal("kurta-2", signal_kind::liked);
  signal("shoes-1", signal_kind::disliked);   // dislikes say nothing about the budget
  auto p = model.summarise(profile, "u", t0);
  EXPECT_GT(p.price_band_min_minor, 0);
  EXPECT_LE(p.price_band_min_minor, 99900);
  EXPECT_GE(p.price_band_max_minor, 119900);
  EXPECT_LT(p.price_band_max_minor, 499900);
  EXPECT_EQ(model.summarise(learned_profile{}, "u", t0).price_band_min_minor, -1);
}

TEST_F(style_taste, ranking_puts_products_like_the_liked_ones_first_and_says_why) {
  signal("kurta-1", signal_kind::liked);
  signal("kurta-2", signal_kind::liked);
  auto r = rank({"dress-2", "shoes-1", "top-1", "kurta-3", "top-2"});
  ASSERT_EQ(r.product_ids.size(), 5u);
  EXPECT_EQ(r.product_ids[0], "kurta-3");
  EXPECT_EQ(r.product_ids[1], "top-2");   // navy, and close to the kurtas
  EXPECT_EQ(r.reason, "you liked several navy kurtas");
  ASSERT_EQ(r.scores.size(), 5u);
  EXPECT_TRUE(std::is_sorted(r.scores.rbegin(), r.scores.rend()));
}

TEST_F(style_taste, one_like_is_not_several) {
  signal("kurta-1", signal_kind::liked);
  auto r = rank({"dress-2", "kurta-3"});
  EXPECT_EQ(r.product_ids[0], "kurta-3");
  EXPECT_EQ(r.reason, "you liked a navy kurta");
}

TEST_F(style_taste, reason_names_a_shared_attribute_when_the_look_differs) {
  signal("kurta-1", signal_kind::liked);
  signal("kurta-2", signal_kind::liked);
  auto r = rank({"dress-2", "top-2"});
  EXPECT_EQ(r.product_ids[0], "top-2");
  EXPECT_EQ(r.reason, "you liked navy things");
}

TEST_F(style_taste, dislikes_sink_similar_products) {
  signal("dress-1", signal_kind::disliked);
  auto r = rank({"dress-2", "top-1", "shoes-1"});
  EXPECT_EQ(r.product_ids.back(), "dress-2");
  EXPECT_LT(r.scores.back(), 0.f);
}

TEST_F(style_taste, cold_start_keeps_the_order_and_says_so) {
  std::vector<std::string> ids{"dress-2", "kurta-3", "shoes-1"};
  auto r = rank(ids);
  EXPECT_EQ(r.product_ids, ids);
  EXPECT_EQ(r.scores, std::vector<float>(3, 0.f));
  EXPECT_EQ(r.reason, cold_start_reason);
  // A stated size alone does not rank anything.
  set_stated(profile, {"size", "M", t0});
  EXPECT_EQ(rank(ids).reason, cold_start_reason);
}

TEST_F(style_taste, unknown_products_go_last_in_their_order) {
  signal("kurta-1", signal_kind::liked);
  auto r = rank({"nope-1", "dress-2", "nope-2", "kurta-3"});
  EXPECT_EQ(r.product_ids, (std::vector<std::string>{"kurta-3", "dress-2", "nope-1", "nope-2"}));
}

TEST_F(style_taste, stated_preferences_rank_and_explain) {
  set_stated(profile, {"colour", "red", t0});
  auto r = rank({"top-1", "kurta-3", "dress-2"});
  EXPECT_EQ(r.product_ids[0], "dress-2");
  EXPECT_EQ(r.reason, "you told me you like red");

  learned_profile avoid;
  signal("kurta-1", signal_kind::liked);
  avoid = profile;
  forget_stated(avoid, "colour");
  set_stated(avoid, {"avoid_colour", "Navy", t0});
  auto a = rank_by_style(avoid, {"kurta-3", "kurta-red"}, *catalog);
  EXPECT_EQ(a.product_ids[0], "kurta-red");   // the navy one is avoided despite the like
}

TEST_F(style_taste, a_budget_sinks_what_costs_more) {
  set_stated(profile, {"budget", "100000", t0});
  auto r = rank({"dress-1", "top-1"});
  EXPECT_EQ(r.product_ids[0], "top-1");
}

TEST_F(style_taste, image_colours_become_colour_preferences) {
  model.observe_colours(profile, {{"Yellow", 0.8f, 0xF5D90A}, {"White", 0.2f, 0xFFFFFF}}, t0);
  auto p = model.summarise(profile, "u", t0);
  EXPECT_NEAR(attribute_weight(p, "colour", "Yellow"), 0.8f * model.settings().weights.image, 1e-5f);
  EXPECT_TRUE(p.taste.empty());
  auto r = rank({"dress-2", "top-1"});
  EXPECT_EQ(r.product_ids[0], "top-1");
  EXPECT_EQ(r.reason, "the images you showed me were mostly yellow");
}

TEST_F(style_taste, stated_preferences_are_replaced_by_key_and_forgotten) {
  set_stated(profile, {"size", "M", 1});
  set_stated(profile, {"size", "L", 2});
  set_stated(profile, {"budget", "2000", 3});
  ASSERT_EQ(profile.stated.size(), 2u);
  EXPECT_EQ(stated(profile, "size")->value, "L");
  EXPECT_EQ(forget_stated(profile, "size"), 1u);
  EXPECT_EQ(forget_stated(profile, "size"), 0u);
  EXPECT_EQ(forget_stated(profile, ""), 1u);
  EXPECT_TRUE(profile.stated.empty());
}

TEST_F(style_taste, keys_are_counted_once_and_only_recent_ones_are_kept) {
  EXPECT_TRUE(remember_key(profile, "k1"));
  EXPECT_FALSE(remember_key(profile, "k1"));
  EXPECT_TRUE(remember_key(profile, ""));
  EXPECT_TRUE(remember_key(profile, ""));
  for (int i = 0; i < 100; ++i)
    remember_key(profile, "x" + std::to_string(i));
  EXPECT_EQ(profile.recent_keys.size(), max_recent_keys);
  EXPECT_TRUE(remember_key(profile, "k1"));   // long forgotten
}

TEST(style_plural, product_types) {
  EXPECT_EQ(plural_of("kurta"), "kurtas");
  EXPECT_EQ(plural_of("dress"), "dresses");
  EXPECT_EQ(plural_of("running shoes"), "running shoes");
  EXPECT_EQ(plural_of("watch"), "watches");
  EXPECT_EQ(plural_of("jersey"), "jerseys");
  EXPECT_EQ(plural_of("panty"), "panties");
}

TEST_F(style_taste, profile_codec_round_trips) {
  signal("kurta-1", signal_kind::liked);
  signal("dress-1", signal_kind::disliked, t0 + day_ms);
  set_stated(profile, {"size", "M", t0});
  remember_key(profile, "key-1");
  auto text = encode_profile(profile);
  auto back = decode_profile(text);
  ASSERT_TRUE(back) << protocol::describe(back.error());
  EXPECT_EQ(back->taste, profile.taste);
  EXPECT_EQ(back->as_of_ms, profile.as_of_ms);
  EXPECT_EQ(back->signal_count, profile.signal_count);
  EXPECT_EQ(back->recent_keys, profile.recent_keys);
  EXPECT_EQ(back->stated.size(), 1u);
  EXPECT_EQ(back->attributes.at("look").at("Navy kurta").positives, 1u);
  EXPECT_EQ(back->attributes.at("colour").at("Red").negatives, 1u);
  EXPECT_EQ(encode_profile(*back), text);
  for (const char* bad : {"", "{}", "[1,2]", "{\"v\": 2}", "{\"v\": 1, \"taste\": \"x\"}"}) {
    auto r = decode_profile(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(protocol::errc_of(r.error()), protocol::errc::invalid_argument);
  }
}

TEST(style_catalog_from_index, copies_attributes_and_reads_unit_vectors) {
  std::vector<protocol::product> products;
  for (auto [id, title, colour] : {std::tuple{"p1", "Navy Cotton Kurta", "Navy"},
                                   std::tuple{"p2", "Red Silk Dress", "Red"},
                                   std::tuple{"p3", "Plain Socks", ""}}) {
    protocol::product p;
    p.id = id;
    p.title = title;
    p.colour = colour;
    p.brand = "Brand";
    p.product_type = "kurta";
    p.price = protocol::money{49900, "INR"};
    products.push_back(p);
  }
  auto idx = index::product_index::build(products, 64);
  ASSERT_TRUE(idx) << protocol::describe(idx.error());
  auto shared = std::make_shared<const index::product_index>(std::move(*idx));
  auto catalog = style_catalog::from_index(shared);
  EXPECT_EQ(catalog->dim(), 64u);
  EXPECT_EQ(catalog->size(), 3u);
  EXPECT_EQ(catalog->colour_vocabulary(), (std::vector<std::string>{"Navy", "Red"}));
  auto f = catalog->facts("p1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->colour, "Navy");
  EXPECT_EQ(f->price_minor, 49900);
  ASSERT_EQ(f->vector.size(), 64u);
  float norm = 0.f;
  for (float x : f->vector)
    norm += x * x;
  EXPECT_NEAR(norm, 1.f, 1e-4f);
  auto missing = catalog->facts("p9");
  ASSERT_FALSE(missing);
  EXPECT_EQ(protocol::errc_of(missing.error()), protocol::errc::not_found);
}

TEST(style_memory_store, keeps_profiles_per_tenant_and_user) {
  memory_profile_store store;
  learned_profile p;
  p.signal_count = 3;
  ASSERT_FALSE(store.put({"shop-a", "alice"}, p));
  auto same = store.get({"shop-a", "alice"});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->signal_count, 3u);
  auto other_tenant = store.get({"shop-b", "alice"});
  ASSERT_TRUE(other_tenant);
  EXPECT_EQ(other_tenant->signal_count, 0u);
  EXPECT_EQ(store.size(), 1u);
}

TEST(style_settings_reader, defaults_overrides_and_errors) {
  auto defaults = read_style_settings(nlohmann::json::object());
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->limits.max_bytes, image_limits{}.max_bytes);
  EXPECT_NEAR(defaults->ranking.taste_weight, rank_options{}.taste_weight, 1e-6f);
  auto set = read_style_settings(nlohmann::json{
    {"style", {{"half_life_days", 7}, {"max_image_bytes", 1000}, {"max_image_pixels", 4096},
               {"image_colours", 3}, {"taste_weight", 1.0}, {"image_threads", 2}}}});
  ASSERT_TRUE(set) << protocol::describe(set.error());
  EXPECT_EQ(set->taste.half_life_days, 7.0);
  EXPECT_EQ(set->limits.max_bytes, 1000u);
  EXPECT_EQ(set->limits.max_pixels, 4096u);
  EXPECT_EQ(set->extraction.max_colours, 3u);
  EXPECT_NEAR(set->ranking.attribute_weight, 0.f, 1e-6f);
  EXPECT_EQ(set->image_threads, 2u);
  for (auto bad : {nlohmann::json{{"style", 3}}, nlohmann::json{{"style", {{"image_colours", 0}}}},
                   nlohmann::json{{"style", {{"half_life_days", "long"}}}},
                   nlohmann::json{{"style", {{"taste_weight", 1.5}}}}}) {
    auto r = read_style_settings(bad);
    ASSERT_FALSE(r) << bad.dump();
    EXPECT_EQ(protocol::errc_of(r.error()), protocol::errc::invalid_argument);
  }
}

}  // namespace
}  // namespace cartmate::style
