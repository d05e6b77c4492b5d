// simmc_eval_test.cpp — the SIMMC act evaluation: its scoring on a tiny synthetic file, and the offline
// understanding's accuracy on the shared SIMMC 2.0 dev turns (printed). Threading: single-threaded.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>

#include "adapters/nlu/offline_understanding.hpp"
#include "adapters/nlu/simmc_eval.hpp"

namespace cartmate::nlu {
namespace {

namespace fs = std::filesystem;

const std::string shared_data = CARTMATE_SHARED_DATA_DIR;
const std::string source_dir = CARTMATE_SOURCE_DIR;

// Answers from a fixed table keyed by the text, and records the hints it was given.
class scripted_understanding final : public language_understanding {
public:
  understanding understand(std::string_view text, const dialogue_hints& hints) const override {
    seen.push_back(hints);
    step st;
    if (text == "show me shirts")
      st.act = intent::search;
    else if (text == "add it")
      st.act = intent::add_to_cart;
    else if (text == "the left one")
      st.act = intent::describe;
    else
      st.act = intent::greet;
    return understanding{{st}, false};
  }
  mutable std::vector<dialogue_hints> seen;
};

fs::path write_temp(const std::string& name, const std::string& content) {
  auto path = fs::temp_directory_path() / ("cartmate_simmc_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << content;
  return path;
}

TEST(simmc_eval, scores_main_intents_against_mapped_acts) {
  auto path = write_temp("turns.jsonl",
    R"({"dialogue_idx": 1, "transcript": "show me shirts", "transcript_annotated": {"act": "REQUEST:GET"},)"
    R"( "system_transcript_annotated": {"act": "REQUEST:DISAMBIGUATE", "act_attributes": {"objects": [1, 2, 3]}}})" "\n"
    R"({"dialogue_idx": 1, "transcript": "the left one", "transcript_annotated": {"act": "INFORM:DISAMBIGUATE"}})" "\n"
    R"({"dialogue_idx": 1, "transcript": "add it", "transcript_annotated": {"act": "ASK:GET"}})" "\n"
    "this line is not json\n"
    R"({"dialogue_idx": 2, "transcript": "hello", "transcript_annotated": {"act": "REQUEST:GET"}})" "\n"
    R"({"dialogue_idx": 2, "transcript": "hello", "transcript_annotated": {"act": "SAY:GOODBYE"}})" "\n");
  scripted_understanding lu;
  auto report = evaluate_simmc(path.string(), lu);
  fs::remove(path);
  ASSERT_TRUE(report) << to_string(report.error());
  EXPECT_EQ(report->turns, 5u);
  EXPECT_EQ(report->mapped, 4u);
  EXPECT_EQ(report->correct, 2u);          // search for GET, describe for DISAMBIGUATE
  EXPECT_EQ(report->malformed_lines, 1u);
  EXPECT_EQ(report->unmapped.at("SAY:GOODBYE"), 1u);
  EXPECT_DOUBLE_EQ(report->accuracy(), 0.5);
  EXPECT_EQ(report->baseline_correct, 2u);  // the two GET turns
  for (const auto& a : report->acts) {
    if (a.act == "ASK:GET") {
      EXPECT_EQ(a.turns, 1u);
      EXPECT_EQ(a.correct, 0u);
      EXPECT_EQ(a.predicted.at(intent::add_to_cart), 1u);
    }
  }
  // Hints follow the previous system turn within a dialogue and reset between dialogues.
  ASSERT_EQ(lu.seen.size(), 5u);
  EXPECT_FALSE(lu.seen[0].awaiting_clarification);
  EXPECT_TRUE(lu.seen[1].awaiting_clarification);
  EXPECT_EQ(lu.seen[1].results_on_screen, 3);
  EXPECT_EQ(lu.seen[3].results_on_screen, 0);
  auto text = format_report(*report);
  EXPECT_NE(text.find("50.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("add_to_cart"), std::string::npos) << text;
}

TEST(simmc_eval, reads_the_original_dialogue_layout_too) {
  auto path = write_temp("dialogues.json",
    R"({"dialogue_data": [{"dialogue_idx": 7, "dialogue": [)"
    R"({"transcript": "show me shirts", "transcript_annotated": {"act": "REQUEST:GET"}},)"
    R"({"transcript": "add it", "transcript_annotated": {"act": "REQUEST:ADD_TO_CART"}}]}]})");
  scripted_understanding lu;
  auto report = evaluate_simmc(path.string(), lu);
  fs::remove(path);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->mapped, 2u);
  EXPECT_EQ(report->correct, 2u);
}

TEST(simmc_eval, missing_file_is_an_error) {
  scripted_understanding lu;
  EXPECT_FALSE(evaluate_simmc("/nonexistent/simmc.jsonl", lu));
  EXPECT_FALSE(load_vocabulary_products("/nonexistent/catalog.jsonl"));
}

// The vocabulary for SIMMC comes from our own catalog: the demo catalog when it is there,
// else the shared Myntra catalog.
vocabulary evaluation_vocabulary() {
  auto demo = source_dir + "/examples/catalog/demo_catalog.jsonl";
  auto path = fs::exists(demo) ? demo : shared_data + "/catalog/myntra_products_catalog.shared.jsonl";
  auto products = load_vocabulary_products(path);
  EXPECT_TRUE(products) << path;
  std::cout << "vocabulary from " << path << " (" << (products ? products->size() : 0)
            << " products)\n";
  return vocabulary::from_products(products ? *products : std::vector<protocol::product>{});
}

// Floors set below the measured figures (dev 93.1% with hints, 87.1% strict, 84.4% without; the 88-turn
// SIMMC 2.1 mini file, never used while writing the rules, 89.8%), so that a regression in the
// rules fails while small rule changes do not.
TEST(simmc_eval, offline_understanding_on_simmc2_dev) {
  const auto turns = shared_data + "/conversations/simmc2_dstc10_dev.shared.turns.jsonl";
  ASSERT_TRUE(fs::exists(turns)) << turns;
  offline_understanding lu(evaluation_vocabulary());
  auto report = evaluate_simmc(turns, lu);
  ASSERT_TRUE(report);
  std::cout << format_report(*report);
  EXPECT_EQ(report->turns, 2241u);
  EXPECT_EQ(report->mapped, 2241u);
  EXPECT_GT(report->accuracy(), 0.85);
  EXPECT_GT(report->strict_accuracy(), 0.80);
  EXPECT_GT(report->accuracy(), report->baseline_accuracy() + 0.3);
  for (const auto& a : report->acts)
    EXPECT_GT(static_cast<double>(a.correct) / a.turns, 0.6) << a.act;

  simmc_options alone;
  alone.use_dialogue_hints = false;
  auto without = evaluate_simmc(turns, lu, alone);
  ASSERT_TRUE(without);
  std::cout << format_report(*without);
  EXPECT_GT(without->accuracy(), 0.75);
}

TEST(simmc_eval, offline_understanding_on_unseen_simmc21_mini) {
  const auto dialogues = shared_data + "/conversations/simmc2.1_dstc11_mini.json";
  ASSERT_TRUE(fs::exists(dialogues)) << dialogues;
  offline_understanding lu(evaluation_vocabulary());
  auto report = evaluate_simmc(dialogues, lu);
  ASSERT_TRUE(report);
  std::cout << format_report(*report);
  EXPECT_EQ(report->turns, 88u);
  EXPECT_GT(report->accuracy(), 0.75);
}

}  // namespace
}  // namespace cartmate::nlu
