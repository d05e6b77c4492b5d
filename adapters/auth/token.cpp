// token.cpp — HMAC-SHA256 tokens on OpenSSL; nlohmann for the payload.
// Threading: stateless; OpenSSL 3's one-shot HMAC and RAND_bytes are thread-safe.
#include "adapters/auth/token.hpp"

#include <array>
#include <cstdlib>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "protocol/errors.hpp"

namespace cartmate::auth {
namespace {

using protocol::errc;
using protocol::make_error;

constexpr std::string_view alphabet
  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// A token is tiny; anything longer is refused before any work is done on it.
constexpr size_t max_token_bytes = 2048;

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

caf::expected<std::string> name_claim(const nlohmann::json& payload, const char* key) {
  auto i = payload.find(key);
  if (i == payload.end() || !i->is_string())
    return make_error(errc::invalid_argument,
                      std::string{"malformed token: '"} + key + "' must be a string");
  auto value = i->get<std::string>();
  if (value.empty() || value.size() > max_name_bytes)
    return make_error(errc::invalid_argument, std::string{"malformed token: '"} + key
                                                + "' must have 1 to 128 bytes");
  return value;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (auto rest = bytes.size() - i; rest == 1) {
    uint32_t v = byte(i) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;
}

caf::expected<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1)
    return make_error(errc::invalid_argument, "base64url text has an impossible length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = decode_char(c);
    if (v < 0)
      return make_error(errc::invalid_argument, "not base64url text");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, so every byte string has exactly one encoding.
  if ((acc & ((1u << bits) - 1)) != 0)
    return make_error(errc::invalid_argument, "base64url text has stray bits");
  return out;
}

std::string issue_token(std::string_view secret, const token_claims& claims) {
  nlohmann::json payload{{"tenant", claims.tenant}, {"user", claims.user}, {"exp", claims.expires_s}};
  auto head = base64url_encode(payload.dump());
  auto mac = hmac_sha256(secret, head);
  return head + "." + base64url_encode({reinterpret_cast<const char*>(mac.data()), mac.size()});
}

caf::expected<token_claims> verify_token(std::string_view secret, std::string_view token,
                                         int64_t now_s) {
  if (token.empty())
    return make_error(errc::invalid_argument, "missing token");
  if (token.size() > max_token_bytes)
    return make_error(errc::invalid_argument, "malformed token: too long");
  auto dot = token.find('.');
  if (dot == std::string_view::npos || token.find('.', dot + 1) != std::string_view::npos)
    return make_error(errc::invalid_argument, "malformed token: expected payload.signature");
  auto head = token.substr(0, dot);
  auto sig = base64url_decode(token.substr(dot + 1));
  if (!sig)
    return make_error(errc::invalid_argument, "malformed token: signature is not base64url");
  auto mac = hmac_sha256(secret, head);
  // Signature first, in constant time: nothing about an unsigned payload is looked at.
  if (sig->size() != mac.size() || CRYPTO_memcmp(sig->data(), mac.data(), mac.size()) != 0)
    return make_error(errc::invalid_argument, "bad signature");
  auto raw = base64url_decode(head);
  if (!raw)
    return make_error(errc::invalid_argument, "malformed token: payload is not base64url");
  auto payload = nlohmann::json::parse(*raw, nullptr, false);
  if (payload.is_discarded() || !payload.is_object())
    return make_error(errc::invalid_argument, "malformed token: payload is not a JSON object");
  token_claims claims;
  auto tenant = name_claim(payload, "tenant");
  if (!tenant)
    return std::move(tenant.error());
  auto user = name_claim(payload, "user");
  if (!user)
    return std::move(user.error());
  auto exp = payload.find("exp");
  if (exp == payload.end() || !exp->is_number_integer())
    return make_error(errc::invalid_argument, "malformed token: 'exp' must be an integer");
  claims.tenant = std::move(*tenant);
  claims.user = std::move(*user);
  claims.expires_s = exp->get<int64_t>();
  if (claims.expires_s <= now_s)
    return make_error(errc::invalid_argument, "token expired");
  return claims;
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    std::abort();  // the CSPRNG failing is not something to serve through
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

}  // namespace cartmate::auth
