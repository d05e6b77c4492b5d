// tokens.hpp — splits a message into lower-case words, numbers and clause punctuation, the one
// normaliser both the vocabulary and the understanding use. Threading: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cartmate::nlu {

enum class token_kind : uint8_t { word, number, ordinal, punct };

/// One unit of a message. Numbers carry their value ("1,500" -> 1500, "2k" -> 2000,
/// "two thousand" -> 2000); ordinals are numerals with a suffix ("2nd"); punct is one of , ; . ? !
struct token {
  token_kind kind = token_kind::word;
  std::string text;
  double value = 0;
};

/// Bytes read from one message; the rest is ignored (and reported as truncated).
inline constexpr size_t max_message_bytes = 2000;

/// Tokenises at most `max_bytes` of `text`. Any byte sequence is accepted: non-ASCII bytes other
/// than a few currency signs and the typographic apostrophe separate words. Currency signs
/// become the word "rs", "%" becomes "percent", "&" becomes "and", a dash between numbers "to".
std::vector<token> tokenize(std::string_view text, size_t max_bytes = max_message_bytes);

}  // namespace cartmate::nlu
