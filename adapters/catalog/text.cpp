// text.cpp — normalisation rules; scripts/make_demo_catalog.py mirrors singular() and the spellings.
#include "adapters/catalog/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

namespace cartmate::catalog {

namespace {

// Plural nouns with no singular in shop talk.
constexpr std::array<std::string_view, 27> pluralia = {
  "jeans", "trousers", "shorts", "pants", "leggings", "pyjamas", "pajamas", "tights", "briefs",
  "boxers", "sunglasses", "glasses", "chinos", "joggers", "palazzos", "capris", "culottes",
  "jeggings", "treggings", "dungarees", "cargos", "trunks", "overalls", "spectacles",
  "scissors", "clothes", "dress"};

// Stop words carry no product meaning; BM25's idf would discount them anyway, dropping them
// keeps posting lists short.
constexpr std::array<std::string_view, 14> stop_words = {
  "a", "an", "and", "the", "of", "with", "for", "in", "on", "to", "by", "or", "me", "some"};

struct spelling {
  std::string_view from;
  std::string_view to;
};

// Spelling variants after hyphen joining, so "Tee", "T-Shirt" and "Tshirt" meet.
constexpr std::array<spelling, 8> spellings = {{
  {"tee", "tshirt"}, {"tees", "tshirt"}, {"tshirts", "tshirt"}, {"jewelry", "jewellery"},
  {"organizer", "organiser"}, {"color", "colour"}, {"colors", "colour"}, {"gray", "grey"},
}};

template <size_t N>
bool contains(const std::array<std::string_view, N>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// ASCII base letter of a Latin-1 supplement code point, or 0 when there is none.
char latin1_base(uint32_t cp) {
  static constexpr std::string_view table =
    // U+00C0 .. U+00FF
    "aaaaaaaceeeeiiii"   // C0-CF
    "dnooooo*ouuuuyts"   // D0-DF (D7 multiplication sign, DE thorn, DF sharp s)
    "aaaaaaaceeeeiiii"   // E0-EF
    "dnooooo/ouuuuyty";  // F0-FF
  if (cp < 0xC0 || cp > 0xFF)
    return 0;
  char c = table[cp - 0xC0];
  return (c == '*' || c == '/') ? 0 : c;
}

// Decodes one UTF-8 sequence at `i`; returns its length, or 0 when malformed.
size_t decode_utf8(std::string_view s, size_t i, uint32_t& cp) {
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t len = 0;
  uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size())
    return 0;
  for (size_t k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

std::string_view respell(std::string_view word) {
  for (const auto& s : spellings)
    if (s.from == word)
      return s.to;
  return word;
}

}  // namespace

bool valid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    auto len = decode_utf8(text, i, cp);
    if (len == 0)
      return false;
    i += len;
  }
  return true;
}

std::string fold_lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    auto len = decode_utf8(text, i, cp);
    if (len == 0) {  // keep malformed bytes as they are; callers validate first
      out.push_back(text[i]);
      ++i;
      continue;
    }
    if (cp < 0x80) {
      auto c = static_cast<char>(cp);
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    } else if (char base = latin1_base(cp)) {
      out.push_back(base);
      if (cp == 0xDF)  // sharp s
        out.push_back('s');
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string singular(std::string_view word) {
  std::string w{word};
  if (w.size() <= 3 || contains(pluralia, word))
    return w;
  if (ends_with(word, "ies") && w.size() > 4)
    return w.substr(0, w.size() - 3) + "y";
  if (ends_with(word, "lves"))
    return w.substr(0, w.size() - 3) + "f";
  for (std::string_view suffix : {"sses", "shes", "ches", "xes", "zes"})
    if (ends_with(word, suffix))
      return w.substr(0, w.size() - 2);
  if (ends_with(word, "ss") || ends_with(word, "us") || ends_with(word, "is"))
    return w;
  if (ends_with(word, "s"))
    return w.substr(0, w.size() - 1);
  return w;
}

std::vector<std::string> tokenize(std::string_view text) {
  auto folded = fold_lower(text);
  std::vector<std::string> out;
  std::string_view s{folded};
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && !is_word_byte(static_cast<unsigned char>(s[i])))
      ++i;
    size_t start = i;
    while (i < s.size() && is_word_byte(static_cast<unsigned char>(s[i])))
      ++i;
    if (start == i)
      break;
    std::string word{s.substr(start, i - start)};
    // "t-shirt", "a-line", "x-ray": a one-letter prefix is part of the word.
    if (word.size() == 1 && i + 1 < s.size() && s[i] == '-'
        && is_word_byte(static_cast<unsigned char>(s[i + 1]))) {
      size_t j = i + 1;
      while (j < s.size() && is_word_byte(static_cast<unsigned char>(s[j])))
        ++j;
      word += s.substr(i + 1, j - i - 1);
      i = j;
    }
    auto respelled = respell(word);
    auto token = singular(respelled);
    token = std::string{respell(token)};
    if (contains(stop_words, token))
      continue;
    if (token.size() == 1 && !(token[0] >= '0' && token[0] <= '9'))
      continue;  // stray letters such as the "s" of "men's"
    out.push_back(std::move(token));
  }
  return out;
}

std::string compact_key(std::string_view text) {
  auto folded = fold_lower(text);
  std::string out;
  for (char c : folded)
    if (is_word_byte(static_cast<unsigned char>(c)))
      out.push_back(c);
  return out;
}

}  // namespace cartmate::catalog
