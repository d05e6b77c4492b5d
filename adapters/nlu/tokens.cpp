// tokens.cpp — the byte-level tokeniser and the merging of spelled-out numbers.
// Threading: pure functions over constant tables.
#include "adapters/nlu/tokens.hpp"

#include <array>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace cartmate::nlu {

namespace {

bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

char lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
}

// Multi-byte UTF-8 sequences we give a meaning; everything else non-ASCII separates words.
bool starts_with(std::string_view s, size_t i, std::string_view prefix) {
  return s.size() - i >= prefix.size() && s.compare(i, prefix.size(), prefix) == 0;
}

constexpr std::string_view rupee = "\xE2\x82\xB9";
constexpr std::string_view euro = "\xE2\x82\xAC";
constexpr std::string_view pound = "\xC2\xA3";
constexpr std::string_view right_quote = "\xE2\x80\x99";

struct number_word {
  std::string_view word;
  int value;
};

// 100 and above multiply; below add.
constexpr std::array<number_word, 31> number_words = {{
  {"zero", 0},      {"one", 1},        {"two", 2},          {"three", 3},     {"four", 4},
  {"five", 5},      {"six", 6},        {"seven", 7},        {"eight", 8},     {"nine", 9},
  {"ten", 10},      {"eleven", 11},    {"twelve", 12},      {"thirteen", 13}, {"fourteen", 14},
  {"fifteen", 15},  {"sixteen", 16},   {"seventeen", 17},   {"eighteen", 18}, {"nineteen", 19},
  {"twenty", 20},   {"thirty", 30},    {"forty", 40},       {"fifty", 50},    {"sixty", 60},
  {"seventy", 70},  {"eighty", 80},    {"ninety", 90},      {"hundred", 100}, {"thousand", 1000},
  {"lakh", 100000},
}};

int number_word_value(std::string_view w) {
  if (w == "lakhs" || w == "lac" || w == "lacs")
    return 100000;
  for (const auto& nw : number_words)
    if (nw.word == w)
      return nw.value;
  return -1;
}

// A comma inside a number groups digits: three digits follow (then no digit), or two digits and
// another comma (Indian grouping).
bool thousands_comma(std::string_view s, size_t i) {
  auto digit_at = [&](size_t k) { return k < s.size() && is_digit(static_cast<unsigned char>(s[k])); };
  bool three = digit_at(i + 1) && digit_at(i + 2) && digit_at(i + 3) && !digit_at(i + 4);
  bool two_then_group = digit_at(i + 1) && digit_at(i + 2) && i + 3 < s.size() && s[i + 3] == ',';
  return three || two_then_group;
}

std::string format_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    return std::to_string(static_cast<int64_t>(v));
  auto s = std::to_string(v);
  while (!s.empty() && s.back() == '0')
    s.pop_back();
  return s;
}

void push_word(std::vector<token>& out, std::string text) {
  out.push_back(token{token_kind::word, std::move(text), 0});
}

// "two thousand five hundred" -> 2500. "one" alone stays a word: it is mostly a pronoun
// ("the red one"); a lone "one" as a count is read by the slot extractor.
std::vector<token> merge_number_words(std::vector<token> in) {
  std::vector<token> out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    const auto& t = in[i];
    if (t.kind == token_kind::number && i + 1 < in.size() && in[i + 1].kind == token_kind::word) {
      // "2 lakh", "3 k", "1.5 thousand"
      int scale = number_word_value(in[i + 1].text);
      if (in[i + 1].text == "k")
        scale = 1000;
      if (scale >= 1000) {
        double v = t.value * scale;
        out.push_back(token{token_kind::number, format_number(v), v});
        i += 2;
        continue;
      }
    }
    int v0 = t.kind == token_kind::word ? number_word_value(t.text) : -1;
    if (v0 < 0 || (t.text == "one" && (i + 1 >= in.size() || number_word_value(in[i + 1].text) < 100))) {
      out.push_back(std::move(in[i]));
      ++i;
      continue;
    }
    double total = 0;
    double current = 0;
    size_t j = i;
    for (; j < in.size() && in[j].kind == token_kind::word; ++j) {
      int v = number_word_value(in[j].text);
      if (v < 0)
        break;
      if (v == 100) {
        current = (current == 0 ? 1 : current) * 100;
      } else if (v >= 1000) {
        total += (current == 0 ? 1 : current) * v;
        current = 0;
      } else {
        current += v;
      }
    }
    double value = total + current;
    out.push_back(token{token_kind::number, format_number(value), value});
    i = j;
  }
  return out;
}

}  // namespace

std::vector<token> tokenize(std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes)
    text = text.substr(0, max_bytes);
  std::vector<token> out;
  out.reserve(text.size() / 4 + 4);
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    auto c = static_cast<unsigned char>(text[i]);
    if (is_alpha(c)) {
      std::string w;
      while (i < n) {
        auto d = static_cast<unsigned char>(text[i]);
        if (is_alpha(d)) {
          w.push_back(lower(d));
          ++i;
        } else if (d == '\'' && i + 1 < n && is_alpha(static_cast<unsigned char>(text[i + 1]))) {
          ++i;  // "don't" -> "dont"
        } else if (starts_with(text, i, right_quote) && i + 3 < n
                   && is_alpha(static_cast<unsigned char>(text[i + 3]))) {
          i += 3;
        } else {
          break;
        }
      }
      push_word(out, std::move(w));
      continue;
    }
    if (is_digit(c) || (c == '.' && i + 1 < n && is_digit(static_cast<unsigned char>(text[i + 1]))
                        && (i == 0 || !is_alpha(static_cast<unsigned char>(text[i - 1]))))) {
      std::string digits;
      bool seen_point = false;
      while (i < n) {
        auto d = static_cast<unsigned char>(text[i]);
        if (is_digit(d)) {
          if (digits.size() < 18)  // longer runs keep their magnitude only roughly; never overflow
            digits.push_back(static_cast<char>(d));
          ++i;
        } else if (d == ',' && !seen_point && thousands_comma(text, i)) {
          ++i;  // "1,500", "1,500,000", Indian "1,50,000"
        } else if (d == '.' && !seen_point && i + 1 < n && is_digit(static_cast<unsigned char>(text[i + 1]))) {
          seen_point = true;
          digits.push_back('.');
          ++i;
        } else {
          break;
        }
      }
      if (digits.empty() || digits == ".")
        continue;
      double value = std::strtod(digits.c_str(), nullptr);
      // Suffixes glued to the number: 2k, 2nd, 50%.
      size_t j = i;
      std::string suffix;
      while (j < n && is_alpha(static_cast<unsigned char>(text[j])) && suffix.size() < 8)
        suffix.push_back(lower(static_cast<unsigned char>(text[j++])));
      bool suffix_ends = j >= n || !is_alpha(static_cast<unsigned char>(text[j]));
      if (suffix_ends && suffix == "k") {
        value *= 1000;
        out.push_back(token{token_kind::number, format_number(value), value});
        i = j;
      } else if (suffix_ends && (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th")) {
        out.push_back(token{token_kind::ordinal, format_number(value) + suffix, value});
        i = j;
      } else {
        out.push_back(token{token_kind::number, format_number(value), value});
      }
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case ',': case ';': case '?': case '!':
          out.push_back(token{token_kind::punct, std::string(1, static_cast<char>(c)), 0});
          break;
        case '.': {
          // Sentence end, but not inside "u.s." or after "rs."
          bool after_initial = !out.empty() && out.back().kind == token_kind::word
                               && (out.back().text.size() == 1 || out.back().text == "rs"
                                   || out.back().text == "no");
          if (!after_initial && (out.empty() || out.back().kind != token_kind::punct))
            out.push_back(token{token_kind::punct, ".", 0});
          break;
        }
        case '&':
          push_word(out, "and");
          break;
        case '%':
          push_word(out, "percent");
          break;
        case '$':
          push_word(out, "rs");
          break;
        case '#':
          push_word(out, "number");
          break;
        case '+':
          if (!out.empty() && out.back().kind == token_kind::number)
            push_word(out, "plus");
          break;
        case '-':
          if (!out.empty() && out.back().kind == token_kind::number && i + 1 < n
              && (is_digit(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == ' '))
            push_word(out, "to");
          break;
        default:
          break;  // spaces, quotes, brackets, control bytes: separators
      }
      ++i;
      continue;
    }
    if (starts_with(text, i, rupee) || starts_with(text, i, euro)) {
      push_word(out, "rs");
      i += 3;
    } else if (starts_with(text, i, pound)) {
      push_word(out, "rs");
      i += 2;
    } else {
      ++i;  // any other byte of a multi-byte (or broken) sequence separates words
    }
  }
  return merge_number_words(std::move(out));
}

}  // namespace cartmate::nlu
