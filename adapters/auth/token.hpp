// token.hpp — signed bearer tokens naming a tenant, a user and an expiry, as the WebSocket
// hello carries them: base64url(payload JSON) "." base64url(HMAC-SHA256(secret, first part)).
// Threading: stateless free functions; safe to call concurrently from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace cartmate::auth {

/// What a token says about its bearer.
struct token_claims {
  std::string tenant;
  std::string user;
  int64_t expires_s = 0;   // Unix seconds; the token is valid while now < expires_s
};

/// Longest tenant or user name a token may carry.
inline constexpr size_t max_name_bytes = 128;

/// Signs `claims` with `secret`. Claims are not checked here: verify_token refuses empty or
/// oversized names, so do not mint them.
std::string issue_token(std::string_view secret, const token_claims& claims);

/// The claims of `token` when its signature matches `secret` (compared in constant time), its
/// payload is well formed and it has not expired at `now_s`. Every refusal is
/// protocol::errc::invalid_argument with a short reason ("bad signature", "token expired",
/// "malformed token: ..."), safe to show the client.
[[nodiscard]] caf::expected<token_claims> verify_token(std::string_view secret,
                                                       std::string_view token, int64_t now_s);

/// RFC 4648 §5 base64url without padding.
std::string base64url_encode(std::string_view bytes);

/// Inverse of base64url_encode; refuses padding, other alphabets and impossible lengths.
[[nodiscard]] caf::expected<std::string> base64url_decode(std::string_view text);

/// `bytes` random bytes from OpenSSL's CSPRNG as lowercase hex (session ids, anonymous users).
std::string random_hex(size_t bytes);

}  // namespace cartmate::auth
