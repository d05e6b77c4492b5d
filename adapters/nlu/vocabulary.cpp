// vocabulary.cpp — deriving the phrase table from catalog products.
// Threading: built once on one thread, then only read.
#include "adapters/nlu/vocabulary.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "adapters/nlu/tokens.hpp"

namespace cartmate::nlu {

namespace {

// Closed-class English, shop talk and the understanding's cue words: a catalog value equal to
// one of these is not taken as a type, and a brand equal to one needs "from"/"by" before it.
const std::unordered_set<std::string_view>& common_words() {
  static const std::unordered_set<std::string_view> words = {
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "anything",
    "are", "as", "at", "back", "be", "because", "been", "before", "below", "best", "better",
    "between", "big", "both", "but", "buy", "by", "can", "cart", "change", "cheap", "cheaper",
    "check", "classic", "clear", "color", "colour", "colors", "colours", "comfort", "compare",
    "could", "dark", "day", "deal", "delete", "did", "do", "does", "done", "down", "each", "else",
    "end", "even", "every", "everything", "expensive", "extra", "few", "find", "fine", "first",
    "fit", "flat", "for", "free", "fresh", "from", "get", "give", "go", "good", "got", "great",
    "had", "has", "have", "he", "hello", "help", "her", "here", "hey", "hi", "him", "his", "home",
    "how", "i", "if", "in", "into", "is", "it", "item", "items", "its", "just", "kind", "know",
    "large", "last", "less", "let", "life", "light", "like", "list", "long", "look", "looking",
    "love", "low", "made", "make", "many", "max", "may", "me", "medium", "might", "mine", "more",
    "most", "much", "must", "my", "need", "new", "next", "nice", "no", "not", "now", "number",
    "of", "off", "ok", "okay", "old", "on", "once", "one", "ones", "only", "or", "order", "other",
    "our", "out", "over", "pair", "people", "piece", "plain", "please", "plus", "price", "prices",
    "product", "products", "put", "quality", "range", "real", "remove", "rs", "same", "see",
    "set", "she", "short", "show", "similar", "size", "sizes", "slim", "small", "smart", "so",
    "solid", "some", "something", "stop", "style", "such", "sure", "take", "than", "thank",
    "thanks", "that", "the", "their", "them", "then", "there", "these", "they", "thing", "things",
    "this", "those", "through", "to", "too", "top", "total", "under", "up", "us", "very", "want",
    "was", "way", "we", "well", "were", "what", "when", "where", "which", "while", "who", "why",
    "stripe", "stripes", "striped", "printed", "print", "checked", "check", "design", "pattern",
    "patterned", "textured", "guess", "each", "sale", "wear", "go", "back", "front", "side",
    "will", "with", "without", "would", "yes", "yet", "you", "your", "yours",
  };
  return words;
}

std::vector<std::string> split_words(const std::string& phrase) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < phrase.size()) {
    auto end = phrase.find(' ', start);
    if (end == std::string::npos)
      end = phrase.size();
    if (end > start)
      out.push_back(phrase.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string join_words(const std::vector<std::string>& words, std::string_view sep = " ") {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty())
      out += sep;
    out += w;
  }
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Number forms of a shop noun: both directions, since catalogs spell types either way.
std::vector<std::string> inflections(const std::string& word) {
  std::vector<std::string> out;
  if (word.size() < 3)
    return out;
  if (ends_with(word, "ies") && word.size() > 4) {
    out.push_back(word.substr(0, word.size() - 3) + "y");
  } else if (ends_with(word, "ches") || ends_with(word, "shes") || ends_with(word, "sses")
             || ends_with(word, "xes")) {
    out.push_back(word.substr(0, word.size() - 2));
  } else if (ends_with(word, "s") && !ends_with(word, "ss")) {
    out.push_back(word.substr(0, word.size() - 1));
  } else if (ends_with(word, "y") && word.size() > 3 && std::string_view("aeiou").find(word[word.size() - 2]) == std::string_view::npos) {
    out.push_back(word.substr(0, word.size() - 1) + "ies");
  } else if (ends_with(word, "ch") || ends_with(word, "sh") || ends_with(word, "ss") || ends_with(word, "x")) {
    out.push_back(word + "es");
  } else {
    out.push_back(word + "s");
  }
  return out;
}

// A catalog type value worth matching: letters, spaces and at most one hyphen, up to three words.
bool plausible_type(std::string_view raw) {
  int hyphens = 0;
  for (unsigned char c : raw) {
    if (c == '-')
      ++hyphens;
    else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ' '))
      return false;
  }
  return hyphens <= 1 && !raw.empty();
}

struct gender_class {
  std::string_view key;          // the canonical word, also matched against catalog values
  std::vector<std::string_view> phrases;
};

const std::vector<gender_class>& gender_classes() {
  static const std::vector<gender_class> classes = {
    {"men", {"men", "mens", "male", "males", "gents", "gentlemen", "guys", "for him",
             "my husband", "my boyfriend", "my dad", "my father", "my brother"}},
    {"women", {"women", "womens", "woman", "ladies", "lady", "female", "females", "for her",
               "my wife", "my girlfriend", "my mom", "my mother", "my sister"}},
    {"boys", {"boys", "boy", "my son"}},
    {"girls", {"girls", "girl", "my daughter"}},
    {"kids", {"kids", "kid", "children", "child", "childrens"}},
    {"unisex", {"unisex"}},
  };
  return classes;
}

const std::vector<term>* find_in_impl(const std::unordered_map<std::string_view, std::vector<term>>& m,
                                     std::string_view phrase) {
  auto it = m.find(phrase);
  return it == m.end() ? nullptr : &it->second;
}

std::string title_case(std::string_view w) {
  std::string out(w);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

}  // namespace

std::string vocabulary::normalise_phrase(std::string_view text) {
  std::string out;
  for (const auto& t : tokenize(text, text.size())) {
    if (t.kind == token_kind::punct)
      continue;
    if (!out.empty())
      out.push_back(' ');
    out += t.text;
  }
  return out;
}

bool vocabulary::is_common_word(std::string_view word) {
  return common_words().count(word) > 0;
}

vocabulary::vocabulary() : vocabulary(from_products({})) {
  // nop
}

void vocabulary::add(data& d, const std::string& phrase, term t) {
  if (phrase.empty())
    return;
  auto it = d.phrases.find(phrase);
  if (it == d.phrases.end()) {
    const auto& key = d.storage.emplace_back(phrase);
    it = d.phrases.emplace(std::string_view(key), std::vector<term>{}).first;
  }
  auto& terms = it->second;
  for (const auto& existing : terms)
    if (existing.kind == t.kind)
      return;  // first spelling wins (the most frequent, since callers add in that order)
  auto words = static_cast<size_t>(std::count(phrase.begin(), phrase.end(), ' ') + 1);
  d.max_words = std::max(d.max_words, words);
  auto first = it->first.substr(0, it->first.find(' '));
  auto& longest = d.first_words[first];
  longest = std::max(longest, words);
  d.counts[static_cast<size_t>(t.kind)]++;
  terms.push_back(std::move(t));
}

const std::vector<term>* vocabulary::find(std::string_view phrase) const {
  auto it = data_->phrases.find(phrase);
  return it == data_->phrases.end() ? nullptr : &it->second;
}

bool vocabulary::starts_phrase(std::string_view word) const {
  return data_->first_words.count(word) > 0;
}

size_t vocabulary::size(term_kind kind) const {
  return data_->counts[static_cast<size_t>(kind)];
}

vocabulary vocabulary::from_products(const std::vector<protocol::product>& products) {
  auto built = std::make_shared<data>();
  auto& d = *built;
  // Count each value under its normalised form, remembering the first spelling seen.
  struct tally {
    std::string spelling;
    uint32_t count = 0;
  };
  std::map<std::string, tally> colours, brands, types, genders;
  auto count = [](std::map<std::string, tally>& into, const std::string& raw) {
    auto key = normalise_phrase(raw);
    if (key.empty())
      return;
    auto& t = into[key];
    if (t.count++ == 0)
      t.spelling = raw;
  };
  for (const auto& p : products) {
    count(colours, p.colour);
    count(brands, p.brand);
    count(genders, p.gender);
    if (plausible_type(p.product_type))
      count(types, p.product_type);
  }
  auto by_count = [](const std::map<std::string, tally>& m) {
    std::vector<std::pair<std::string, tally>> v(m.begin(), m.end());
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
    return v;
  };

  // Genders: closed classes, spelled as the catalog spells them.
  std::unordered_set<std::string> gender_words;
  for (const auto& cls : gender_classes()) {
    std::string value;
    for (const auto& [key, t] : genders) {
      bool match = cls.key == "kids" ? key.find("kids") != std::string::npos : key == cls.key;
      if (match && value.empty())
        value = t.spelling;
    }
    if (value.empty())
      value = title_case(cls.key);
    for (auto phrase : cls.phrases) {
      gender_words.insert(std::string(phrase));
      add(d, std::string(phrase), term{term_kind::gender, value, 0, false});
    }
  }

  // Colours, with the grey/gray spelling pair.
  std::unordered_set<std::string> colour_words;
  for (const auto& [key, t] : by_count(colours)) {
    if (split_words(key).size() > 3)
      continue;
    colour_words.insert(key);
    add(d, key, term{term_kind::colour, t.spelling, t.count, false});
    if (key == "grey")
      add(d, "gray", term{term_kind::colour, t.spelling, t.count, false});
    if (key == "gray")
      add(d, "grey", term{term_kind::colour, t.spelling, t.count, false});
  }

  // Sizes that cannot be mistaken for other words; "s", "m", "small" etc. need "size"/"in" before
  // them and are read by the understanding.
  const std::pair<std::string_view, std::string_view> sizes[] = {
    {"xxs", "XXS"}, {"xs", "XS"}, {"xl", "XL"}, {"xxl", "XXL"}, {"xxxl", "XXXL"},
    {"extra small", "XS"}, {"extra large", "XL"}, {"extra extra large", "XXL"},
    {"double xl", "XXL"}, {"triple xl", "XXXL"}, {"free size", "Free Size"},
  };
  for (const auto& [phrase, value] : sizes)
    add(d, std::string(phrase), term{term_kind::size, std::string(value), 0, false});

  auto blocked_word = [&](const std::string& w) {
    return is_common_word(w) || colour_words.count(w) > 0 || gender_words.count(w) > 0 || w.size() < 2;
  };

  // Product types with their number forms and the joined spelling of hyphenated ones.
  std::map<std::string, uint32_t> heads;  // head nouns of multi-word types
  for (const auto& [key, t] : by_count(types)) {
    auto words = split_words(key);
    if (words.empty() || words.size() > 3)
      continue;
    if (std::all_of(words.begin(), words.end(), blocked_word))
      continue;
    term tt{term_kind::product_type, t.spelling, t.count, false};
    std::vector<std::string> forms;
    if (!(words.size() == 1 && blocked_word(words[0])))
      forms.push_back(key);  // "top" is too common a word, but "tops" is unambiguous
    for (const auto& f : inflections(words.back())) {
      auto w = words;
      w.back() = f;
      if (!(w.size() == 1 && blocked_word(f)))
        forms.push_back(join_words(w));
    }
    bool hyphenated = t.spelling.find('-') != std::string::npos;
    for (const auto& f : std::vector<std::string>(forms)) {
      add(d, f, tt);
      if (hyphenated) {
        // "t-shirt" is typed "tshirt" and "t shirt" alike.
        auto joined = f;
        joined.erase(std::remove(joined.begin(), joined.end(), ' '), joined.end());
        add(d, joined, tt);
      }
    }
    if (words.size() > 1)
      heads[words.back()] += t.count;
  }
  for (const auto& [head, n] : heads) {
    if (blocked_word(head) || find_in_impl(d.phrases, head) != nullptr)
      continue;
    // "shoes" when the catalog only has "running shoe", "casual shoe": the head noun itself.
    term tt{term_kind::product_type, head, n, false};
    add(d, head, tt);
    for (const auto& f : inflections(head))
      if (!blocked_word(f))
        add(d, f, tt);
  }

  // Brands: any length; common-word brands need a marker.
  for (const auto& [key, t] : by_count(brands)) {
    auto words = split_words(key);
    if (words.empty() || words.size() > 6)
      continue;
    bool collides = std::all_of(words.begin(), words.end(), [&](const std::string& w) {
      auto* existing = find_in_impl(d.phrases, w);
      return blocked_word(w) || w.size() < 3
             || (existing != nullptr && words.size() == 1);
    });
    term tt{term_kind::brand, t.spelling, t.count, collides};
    add(d, key, tt);
    // "U.S. Polo" is typed "us polo": join runs of single letters.
    std::vector<std::string> joined;
    for (const auto& w : words) {
      if (w.size() == 1 && !joined.empty() && !joined.back().empty()
          && std::all_of(joined.back().begin(), joined.back().end(), [](char c) { return c >= 'a' && c <= 'z'; })
          && joined.back().size() < 4 && words.size() > 1)
        joined.back() += w;
      else
        joined.push_back(w);
    }
    if (joined != words)
      add(d, join_words(joined), tt);
    if (words.size() > 1) {
      auto compact = join_words(words, "");
      if (compact.size() >= 4)
        add(d, compact, tt);  // "herenow", "dressberry"
    }
  }
  vocabulary v{built};
  return v;
}

}  // namespace cartmate::nlu
