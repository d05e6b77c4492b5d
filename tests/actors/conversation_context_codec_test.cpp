// conversation_context_codec_test.cpp — the stored context's JSON: every field survives a round
// trip (descriptions are dropped on purpose), and blobs that are not a version-1 context are
// refused with a reason, never with a crash or an exception.
#include "actors/orchestrator/conversation_context_codec.hpp"

#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::orchestrator {
namespace {

protocol::product item(std::string id, std::string title, int64_t minor) {
  protocol::product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.brand = "Biba";
  p.product_type = "kurta";
  p.gender = "Women";
  p.colour = "Blue";
  p.description = "A long description nobody reads from the context.";
  p.sizes = {"S", "M"};
  p.price = protocol::money{minor, "INR"};
  p.stock = 4;
  return p;
}

conversation_context full_context() {
  conversation_context ctx;
  ctx.shown = {item("p8", "Biba Blue Kurta", 149900), item("p12", "Libas Blue Silk Kurta", 289900)};
  ctx.shown_kind = list_kind::cart;
  ctx.focused = item("p12", "Libas Blue Silk Kurta", 289900);
  ctx.search.active = true;
  ctx.search.query = "kurta with pockets";
  ctx.search.filters.colour = "Blue";
  ctx.search.filters.max_price_minor = 300000;
  ctx.search.filters.exclude_colours = {"Yellow"};
  ctx.search.filters.in_stock_only = true;
  ctx.search.offset = 5;
  ctx.search.total = 17;
  ctx.pending_checkout_id = "chk-42";
  ctx.confirm_uncertain = true;
  remember_products(ctx, {item("p7", "Biba Red Kurta", 129900), item("p8", "Biba Blue Kurta", 149900),
                          item("p12", "Libas Blue Silk Kurta", 289900)});
  ctx.currency = "USD";
  ctx.turns = 7;
  ctx.last_turn_id = 12;
  return ctx;
}

void expect_same_product(const protocol::product& got, const protocol::product& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.brand, want.brand);
  EXPECT_EQ(got.product_type, want.product_type);
  EXPECT_EQ(got.gender, want.gender);
  EXPECT_EQ(got.colour, want.colour);
  EXPECT_EQ(got.sizes, want.sizes);
  EXPECT_EQ(got.price.minor, want.price.minor);
  EXPECT_EQ(got.price.currency, want.price.currency);
  EXPECT_EQ(got.stock, want.stock);
  EXPECT_TRUE(got.description.empty()) << got.description;
}

std::string problem_of(std::string_view blob) {
  auto got = decode_context(blob);
  if (got)
    return {};
  EXPECT_EQ(protocol::errc_of(got.error()), protocol::errc::invalid_argument);
  return protocol::describe(got.error());
}

TEST(conversation_context_codec, every_field_survives_a_round_trip) {
  auto ctx = full_context();
  auto blob = encode_context(ctx);
  EXPECT_EQ(blob.find("nobody reads"), std::string::npos) << "descriptions are not stored";
  auto back = decode_context(blob);
  ASSERT_TRUE(back) << protocol::describe(back.error());
  ASSERT_EQ(back->shown.size(), 2u);
  expect_same_product(back->shown[0], ctx.shown[0]);
  expect_same_product(back->shown[1], ctx.shown[1]);
  EXPECT_EQ(back->shown_kind, list_kind::cart);
  ASSERT_TRUE(back->focused);
  expect_same_product(*back->focused, *ctx.focused);
  EXPECT_TRUE(back->search.active);
  EXPECT_EQ(back->search.query, "kurta with pockets");
  EXPECT_EQ(back->search.filters.colour, "Blue");
  EXPECT_EQ(back->search.filters.max_price_minor, 300000);
  EXPECT_EQ(back->search.filters.min_price_minor, -1);
  EXPECT_EQ(back->search.filters.exclude_colours, std::vector<std::string>{"Yellow"});
  EXPECT_TRUE(back->search.filters.in_stock_only);
  EXPECT_EQ(back->search.offset, 5u);
  EXPECT_EQ(back->search.total, 17u);
  EXPECT_EQ(back->pending_checkout_id, "chk-42");
  EXPECT_TRUE(back->confirm_uncertain);
  EXPECT_EQ(back->seen_order, ctx.seen_order);
  ASSERT_EQ(back->seen.size(), 3u);
  for (const auto& [id, p] : ctx.seen)
    expect_same_product(back->seen.at(id), p);
  EXPECT_EQ(back->currency, "USD");
  EXPECT_EQ(back->turns, 7u);
  EXPECT_EQ(back->last_turn_id, 12u);
  // Encoding what was decoded gives the same blob: nothing drifts across saves.
  EXPECT_EQ(encode_context(*back), blob);
}

TEST(conversation_context_codec, a_context_stored_before_confirm_uncertain_reads_as_certain) {
  auto ctx = full_context();
  ctx.confirm_uncertain = true;
  auto blob = encode_context(ctx);
  auto key = std::string{"\"confirm_uncertain\":true,"};
  auto at = blob.find(key);
  ASSERT_NE(at, std::string::npos) << blob;
  blob.erase(at, key.size());
  auto back = decode_context(blob);
  ASSERT_TRUE(back) << protocol::describe(back.error());
  EXPECT_FALSE(back->confirm_uncertain);
  EXPECT_EQ(back->pending_checkout_id, "chk-42");
}

TEST(conversation_context_codec, an_empty_context_round_trips) {
  conversation_context ctx;
  auto back = decode_context(encode_context(ctx));
  ASSERT_TRUE(back) << protocol::describe(back.error());
  EXPECT_TRUE(back->shown.empty());
  EXPECT_EQ(back->shown_kind, list_kind::none);
  EXPECT_FALSE(back->focused);
  EXPECT_FALSE(back->search.active);
  EXPECT_TRUE(back->seen.empty());
  EXPECT_EQ(back->turns, 0u);
  EXPECT_EQ(back->currency, "INR");
}

TEST(conversation_context_codec, the_blob_says_its_version) {
  auto j = nlohmann::json::parse(encode_context(full_context()));
  EXPECT_EQ(j.at("v"), context_format_version);
  EXPECT_EQ(context_format_version, 1);
}

TEST(conversation_context_codec, other_versions_and_non_contexts_are_refused) {
  auto good = nlohmann::json::parse(encode_context(full_context()));
  auto with = [&](const char* key, nlohmann::json value) {
    auto j = good;
    j[key] = std::move(value);
    return j.dump();
  };
  auto without = [&](const char* key) {
    auto j = good;
    j.erase(key);
    return j.dump();
  };
  EXPECT_NE(problem_of("").find("session context"), std::string::npos);
  EXPECT_FALSE(problem_of("{not json").empty());
  EXPECT_FALSE(problem_of("[1,2,3]").empty());
  EXPECT_FALSE(problem_of(std::string_view{"\x00\xff\xfe", 3}).empty());
  EXPECT_NE(problem_of(with("v", 2)).find("version"), std::string::npos);
  EXPECT_NE(problem_of(with("v", "1")).find("version"), std::string::npos);
  EXPECT_NE(problem_of(without("v")).find("version"), std::string::npos);
  EXPECT_NE(problem_of(without("turns")).find("'turns'"), std::string::npos);
  EXPECT_NE(problem_of(with("turns", -3)).find("'turns'"), std::string::npos);
  EXPECT_NE(problem_of(with("shown", "p1")).find("'shown'"), std::string::npos);
  EXPECT_NE(problem_of(with("shown_kind", "wishlist")).find("wishlist"), std::string::npos);
  EXPECT_NE(problem_of(with("focused", 5)).find("'focused'"), std::string::npos);
  EXPECT_NE(problem_of(without("search")).find("'search'"), std::string::npos);
  EXPECT_NE(problem_of(without("pending_checkout_id")).find("pending_checkout_id"),
            std::string::npos);
  auto offset_too_big = good;
  offset_too_big["search"]["offset"] = uint64_t{1} << 40;
  EXPECT_NE(problem_of(offset_too_big.dump()).find("search.offset"), std::string::npos);
  auto bad_product = good;
  bad_product["shown"][1].erase("price");
  EXPECT_NE(problem_of(bad_product.dump()).find("shown[1]"), std::string::npos);
  auto twice = good;
  twice["seen"].push_back(twice["seen"][0]);
  EXPECT_NE(problem_of(twice.dump()).find("occurs twice"), std::string::npos);
  // The untouched document is fine: the refusals above are about what was changed.
  EXPECT_TRUE(decode_context(good.dump()));
}

TEST(conversation_context_codec, damaged_blobs_never_throw_and_are_refused) {
  auto blob = encode_context(full_context());
  // Every cut of a valid blob is invalid JSON or an incomplete context.
  for (size_t n = 0; n < blob.size(); n += 7)
    EXPECT_FALSE(decode_context(blob.substr(0, n))) << "prefix of " << n << " bytes";
  std::mt19937 rng{20240605};
  for (int round = 0; round < 300; ++round) {
    auto damaged = blob;
    auto flips = 1 + rng() % 4;
    for (uint32_t k = 0; k < flips; ++k)
      damaged[rng() % damaged.size()] = static_cast<char>(rng() % 256);
    // Whatever the outcome, it is a value: a decoded context encodes again.
    auto got = decode_context(damaged);
    if (got) {
      EXPECT_FALSE(encode_context(*got).empty());
    }
  }
}

TEST(conversation_context_codec, seen_keeps_only_the_newest_max_seen) {
  conversation_context ctx;
  for (size_t i = 0; i < max_seen; ++i)
    remember_products(ctx, {item("p" + std::to_string(i), "Item", 100)});
  auto j = nlohmann::json::parse(encode_context(ctx));
  // A blob written with a larger bound (or by hand) is trimmed the way remember_products trims.
  auto extra = j["seen"][0];
  extra["id"] = "newest";
  j["seen"].push_back(extra);
  auto back = decode_context(j.dump());
  ASSERT_TRUE(back) << protocol::describe(back.error());
  EXPECT_EQ(back->seen.size(), max_seen);
  EXPECT_EQ(back->seen.count("p0"), 0u);
  EXPECT_EQ(back->seen_order.front(), "p1");
  EXPECT_EQ(back->seen_order.back(), "newest");
}

}  // namespace
}  // namespace cartmate::orchestrator
