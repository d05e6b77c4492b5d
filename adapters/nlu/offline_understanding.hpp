// offline_understanding.hpp — rule-based language understanding over a catalog vocabulary: no model,
// no network, a few microseconds per message. Threading: immutable after construction; understand()
// may run concurrently from any number of actors.
#pragma once

#include <string_view>

#include "adapters/nlu/language_understanding.hpp"
#include "adapters/nlu/vocabulary.hpp"

namespace cartmate::nlu {

/// Normalises a message, splits it into clauses where a new intent starts, classifies each clause
/// by cue phrases and fills its slots from the vocabulary. See docs/nlu.md for the rules.
class offline_understanding final : public language_understanding {
public:
  explicit offline_understanding(vocabulary vocab);

  understanding understand(std::string_view text, const dialogue_hints& hints) const override;

  const vocabulary& vocab() const { return vocab_; }

private:
  vocabulary vocab_;
};

}  // namespace cartmate::nlu
