// simmc_eval.hpp — measures a language_understanding against the user acts of SIMMC 2.0 dialogues
// (mapped onto CartMate intents; the mapping is documented in docs/nlu.md). Threading: plain
// functions; each call reads its files on the calling thread and shares nothing.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "adapters/nlu/language_understanding.hpp"
#include "protocol/product.hpp"

namespace cartmate::nlu {

/// One SIMMC user act and the CartMate intents that count as right for it.
struct simmc_act_mapping {
  std::string_view act;            // e.g. "REQUEST:GET"
  std::vector<intent> accepted;    // the first is the primary reading
};

/// The mapping the evaluation uses, in report order.
const std::vector<simmc_act_mapping>& simmc_mapping();

struct simmc_act_result {
  std::string act;
  std::vector<intent> accepted;
  size_t turns = 0;
  size_t correct = 0;
  size_t strict_correct = 0;           // predicted the primary reading (accepted.front())
  std::map<intent, size_t> predicted;  // one row of the confusion table
};

struct simmc_report {
  size_t turns = 0;              // user turns read
  size_t mapped = 0;             // turns whose act has a mapping
  size_t correct = 0;
  size_t strict_correct = 0;     // only the primary reading of each act counts
  size_t baseline_correct = 0;   // what always answering "search" would score on mapped turns
  size_t malformed_lines = 0;    // lines that are not a JSON turn (skipped)
  bool used_dialogue_hints = true;
  std::vector<simmc_act_result> acts;
  std::map<std::string, size_t> unmapped;  // act -> turns

  double accuracy() const { return mapped == 0 ? 0.0 : static_cast<double>(correct) / mapped; }
  double strict_accuracy() const {
    return mapped == 0 ? 0.0 : static_cast<double>(strict_correct) / mapped;
  }
  double baseline_accuracy() const {
    return mapped == 0 ? 0.0 : static_cast<double>(baseline_correct) / mapped;
  }
};

struct simmc_options {
  /// Derive dialogue_hints from the previous system turn (items shown, "which one do you mean?"),
  /// as the orchestrator knows them in a live conversation. Off: every turn is read alone.
  bool use_dialogue_hints = true;
};

/// Runs `lu` over every user turn ("transcript") of a SIMMC turns file (JSON Lines) and scores its
/// main step (see main_step()) against transcript_annotated.act. Fails when the file cannot be read.
[[nodiscard]] caf::expected<simmc_report> evaluate_simmc(const std::string& turns_path,
                                                         const language_understanding& lu,
                                                         const simmc_options& options = {});

/// Overall and per-act accuracy, the majority baseline, unmapped acts and the confusion table.
std::string format_report(const simmc_report& report);

/// Products from a catalog JSON Lines file, read leniently for building a vocabulary: title, brand,
/// gender, colour/color, product_type (else the last word of the title), sizes, price.
/// Lines that are not JSON objects are skipped. Fails only when the file cannot be opened.
[[nodiscard]] caf::expected<std::vector<protocol::product>>
load_vocabulary_products(const std::string& path);

}  // namespace cartmate::nlu
