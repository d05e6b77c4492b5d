// auth_token_test.cpp — tokens: a good one verifies; tampering, another secret, expiry and
// malformed input are refused with a reason; base64url round-trips.
// Threading: single-threaded tests.
#include "adapters/auth/token.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/errors.hpp"

namespace cartmate::auth {
namespace {

constexpr int64_t now = 1'800'000'000;

std::string reason(const caf::expected<token_claims>& r) {
  return r ? std::string{"(accepted)"} : protocol::describe(r.error());
}

TEST(auth_token, a_good_token_gives_its_claims) {
  auto token = issue_token("s3cret", {"acme", "alice", now + 60});
  auto claims = verify_token("s3cret", token, now);
  ASSERT_TRUE(claims) << reason(claims);
  EXPECT_EQ(claims->tenant, "acme");
  EXPECT_EQ(claims->user, "alice");
  EXPECT_EQ(claims->expires_s, now + 60);
}

TEST(auth_token, the_format_is_base64url_payload_dot_signature) {
  auto token = issue_token("k", {"t", "u", 123});
  auto dot = token.find('.');
  ASSERT_NE(dot, std::string::npos);
  auto payload = base64url_decode(token.substr(0, dot));
  ASSERT_TRUE(payload);
  EXPECT_EQ(*payload, R"({"exp":123,"tenant":"t","user":"u"})");
  auto sig = base64url_decode(token.substr(dot + 1));
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->size(), 32u);   // SHA-256
  EXPECT_EQ(token.find('='), std::string::npos);
}

TEST(auth_token, another_secret_is_a_bad_signature) {
  auto token = issue_token("right", {"acme", "alice", now + 60});
  auto claims = verify_token("wrong", token, now);
  ASSERT_FALSE(claims);
  EXPECT_NE(reason(claims).find("bad signature"), std::string::npos) << reason(claims);
}

TEST(auth_token, a_changed_payload_is_a_bad_signature) {
  auto token = issue_token("k", {"acme", "alice", now + 60});
  auto forged_payload = base64url_encode(R"({"exp":1900000000,"tenant":"acme","user":"mallory"})");
  auto forged = forged_payload + token.substr(token.find('.'));
  auto claims = verify_token("k", forged, now);
  ASSERT_FALSE(claims);
  EXPECT_NE(reason(claims).find("bad signature"), std::string::npos) << reason(claims);
  // One flipped signature character is refused as well.
  auto flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_token("k", flipped, now));
}

TEST(auth_token, expired_tokens_are_refused) {
  auto token = issue_token("k", {"acme", "alice", now});
  auto claims = verify_token("k", token, now);   // exp <= now
  ASSERT_FALSE(claims);
  EXPECT_NE(reason(claims).find("expired"), std::string::npos) << reason(claims);
  EXPECT_TRUE(verify_token("k", token, now - 1));
}

TEST(auth_token, malformed_tokens_are_refused) {
  for (const std::string& bad : std::vector<std::string>{"", "abc", "a.b.c", ".", "!!!.???", std::string(5000, 'a') + ".x"}) {
    auto claims = verify_token("k", bad, now);
    EXPECT_FALSE(claims) << "accepted '" << bad.substr(0, 20) << "'";
  }
  EXPECT_NE(reason(verify_token("k", "", now)).find("missing"), std::string::npos);
}

TEST(auth_token, signed_but_malformed_payloads_are_refused) {
  // Correctly signed payloads whose claims break the rules: an empty user, a long tenant.
  auto token = issue_token("k", {"acme", "", now + 60});
  auto claims = verify_token("k", token, now);
  ASSERT_FALSE(claims);
  EXPECT_NE(reason(claims).find("'user'"), std::string::npos) << reason(claims);
  auto long_tenant = issue_token("k", {std::string(129, 't'), "alice", now + 60});
  EXPECT_FALSE(verify_token("k", long_tenant, now));
}

TEST(auth_token, base64url_round_trips_every_length) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    auto encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    auto decoded = base64url_decode(encoded);
    ASSERT_TRUE(decoded) << i;
    EXPECT_EQ(*decoded, bytes);
    bytes += static_cast<char>(i * 37 + 200);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("a"));      // impossible length
  EXPECT_FALSE(base64url_decode("ab=="));   // padding is not base64url here
  EXPECT_FALSE(base64url_decode("-_9"));    // stray low bits: not a canonical encoding
}

TEST(auth_token, random_hex_is_hex_of_the_asked_size_and_differs) {
  auto a = random_hex(16);
  auto b = random_hex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace cartmate::auth
