// text.hpp — the one word normaliser shared by catalog loading, lexical search, embedding and filters.
// Threading: pure functions over immutable tables; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cartmate::catalog {

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
[[nodiscard]] bool valid_utf8(std::string_view text);

/// Lower-cases ASCII and folds Latin-1 accented letters to their ASCII base ("Café" -> "cafe").
/// Other non-ASCII characters pass through unchanged.
[[nodiscard]] std::string fold_lower(std::string_view text);

/// Light English singular for shop words: "shoes" -> "shoe", "watches" -> "watch",
/// "accessories" -> "accessory"; nouns without a singular ("jeans", "trousers") stay.
[[nodiscard]] std::string singular(std::string_view word);

/// Search tokens: folded, split on anything but letters and digits, one-letter hyphen prefixes
/// joined ("t-shirt" -> "tshirt"), spelling variants unified, singular, a few stop words dropped.
/// The catalog side and the query side must both go through this so that they meet.
[[nodiscard]] std::vector<std::string> tokenize(std::string_view text);

/// `text` folded to letters and digits only, for identity-like comparisons ("HERE&NOW" -> "herenow").
[[nodiscard]] std::string compact_key(std::string_view text);

}  // namespace cartmate::catalog
