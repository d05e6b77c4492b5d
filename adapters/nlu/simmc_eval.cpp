// simmc_eval.cpp — SIMMC act accuracy of a language_understanding, and a lenient catalog reader for
// building the evaluation's vocabulary. Threading: no shared state.
#include "adapters/nlu/simmc_eval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "protocol/errors.hpp"

namespace cartmate::nlu {

namespace {

using json = nlohmann::json;

std::string string_field(const json& j, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = j.find(name);
    if (it != j.end() && it->is_string())
      return it->get<std::string>();
  }
  return {};
}

// The head noun of a shop title: its last word without digits ("... Running Shoes 3072" -> "shoes").
std::string type_from_title(const std::string& title) {
  std::vector<std::string> words;
  std::string w;
  for (char c : title + " ") {
    if (c == ' ') {
      if (!w.empty())
        words.push_back(std::move(w));
      w.clear();
    } else {
      w.push_back(c);
    }
  }
  while (!words.empty()) {
    const auto& last = words.back();
    bool alpha = std::all_of(last.begin(), last.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    });
    if (alpha && last.size() > 2)
      break;
    words.pop_back();
  }
  if (words.empty())
    return {};
  std::string out = words.back();
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string percent(size_t num, size_t den) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", den == 0 ? 0.0 : 100.0 * static_cast<double>(num) / den);
  return buf;
}

std::string pad(std::string s, size_t width, bool left = true) {
  if (s.size() >= width)
    return s;
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

}  // namespace

const std::vector<simmc_act_mapping>& simmc_mapping() {
  static const std::vector<simmc_act_mapping> mapping = {
    {"REQUEST:GET", {intent::search, intent::recommend}},
    {"INFORM:GET", {intent::search}},
    {"INFORM:REFINE", {intent::refine, intent::show_more, intent::recommend}},
    {"REQUEST:ADD_TO_CART", {intent::add_to_cart}},
    {"ASK:GET", {intent::describe}},
    {"REQUEST:COMPARE", {intent::describe}},
    {"INFORM:DISAMBIGUATE", {intent::describe, intent::refine}},
  };
  return mapping;
}

namespace {

// Scores one user turn and updates the hints the next turn of the same dialogue sees.
class turn_scorer {
public:
  turn_scorer(const language_understanding& lu, const simmc_options& options, simmc_report& report)
      : lu_(lu), options_(options), report_(report) {}

  void score(const json& turn, int64_t dialogue) {
    if (!turn.is_object() || !turn.contains("transcript") || !turn["transcript"].is_string()) {
      ++report_.malformed_lines;
      return;
    }
    if (dialogue != dialogue_) {  // a new dialogue starts with a clean slate
      dialogue_ = dialogue;
      hints_ = dialogue_hints{};
    }
    std::string act;
    if (auto a = turn.find("transcript_annotated"); a != turn.end() && a->is_object())
      act = a->value("act", std::string{});
    ++report_.turns;
    auto u = lu_.understand(turn["transcript"].get<std::string>(),
                            options_.use_dialogue_hints ? hints_ : dialogue_hints{});
    intent predicted = main_step(u).act;
    auto row = std::find_if(report_.acts.begin(), report_.acts.end(),
                            [&](const simmc_act_result& r) { return r.act == act; });
    if (row == report_.acts.end()) {
      ++report_.unmapped[act.empty() ? "(none)" : act];
    } else {
      ++report_.mapped;
      ++row->turns;
      ++row->predicted[predicted];
      auto accepts = [&](intent x) {
        return std::find(row->accepted.begin(), row->accepted.end(), x) != row->accepted.end();
      };
      if (accepts(predicted)) {
        ++row->correct;
        ++report_.correct;
      }
      if (predicted == row->accepted.front()) {
        ++row->strict_correct;
        ++report_.strict_correct;
      }
      if (accepts(intent::search))
        ++report_.baseline_correct;
    }
    // What the assistant answered becomes the context of the next user turn.
    if (auto sys = turn.find("system_transcript_annotated"); sys != turn.end() && sys->is_object()) {
      hints_.awaiting_clarification = sys->value("act", std::string{}) == "REQUEST:DISAMBIGUATE";
      if (auto attrs = sys->find("act_attributes"); attrs != sys->end() && attrs->is_object())
        if (auto objs = attrs->find("objects"); objs != attrs->end() && objs->is_array() && !objs->empty())
          hints_.results_on_screen = static_cast<int32_t>(objs->size());
    }
  }

private:
  const language_understanding& lu_;
  const simmc_options& options_;
  simmc_report& report_;
  int64_t dialogue_ = -1;
  dialogue_hints hints_;
};

int64_t dialogue_of(const json& j) {
  auto it = j.find("dialogue_idx");
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : -1;
}

}  // namespace

caf::expected<simmc_report> evaluate_simmc(const std::string& turns_path,
                                           const language_understanding& lu,
                                           const simmc_options& options) {
  std::ifstream in(turns_path);
  if (!in)
    return protocol::make_error(protocol::errc::not_found, "cannot open SIMMC file " + turns_path);
  simmc_report report;
  report.used_dialogue_hints = options.use_dialogue_hints;
  for (const auto& m : simmc_mapping())
    report.acts.push_back(simmc_act_result{std::string(m.act), m.accepted, 0, 0, 0, {}});
  turn_scorer scorer(lu, options, report);

  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  json whole = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!whole.is_object() || !whole.contains("dialogue_data") || !whole["dialogue_data"].is_array()) {
    // JSON Lines: one flattened turn per line.
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos)
        continue;
      json turn = json::parse(line, nullptr, /*allow_exceptions=*/false);
      scorer.score(turn, turn.is_object() ? dialogue_of(turn) : -1);
    }
    return report;
  }
  // The original SIMMC layout: {"dialogue_data": [{"dialogue": [turns], "dialogue_idx": n}, ...]}
  for (const auto& d : whole["dialogue_data"]) {
    if (!d.is_object() || !d.contains("dialogue") || !d["dialogue"].is_array()) {
      ++report.malformed_lines;
      continue;
    }
    for (const auto& turn : d["dialogue"])
      scorer.score(turn, dialogue_of(d));
  }
  return report;
}

std::string format_report(const simmc_report& r) {
  std::ostringstream out;
  out << "SIMMC user-act accuracy (" << (r.used_dialogue_hints ? "with" : "without")
      << " dialogue hints)\n";
  out << "turns: " << r.turns << "  mapped: " << r.mapped << "  unmapped: " << (r.turns - r.mapped)
      << "  malformed lines: " << r.malformed_lines << "\n";
  out << "accuracy: " << percent(r.correct, r.mapped) << " (" << r.correct << "/" << r.mapped << ")"
      << "  strict (primary intent only): " << percent(r.strict_correct, r.mapped)
      << "  majority baseline (always search): " << percent(r.baseline_correct, r.mapped) << "\n";
  out << "per act:\n";
  for (const auto& a : r.acts) {
    std::string accepted;
    for (auto x : a.accepted)
      accepted += (accepted.empty() ? "" : "|") + std::string(to_string(x));
    out << "  " << pad(a.act, 22) << pad(std::to_string(a.turns), 6, false) << "  "
        << pad(percent(a.correct, a.turns), 7, false) << "  strict " << pad(percent(a.strict_correct, a.turns), 7, false)
        << "  accepts " << accepted << "\n";
  }
  for (const auto& [act, n] : r.unmapped)
    out << "  unmapped " << act << ": " << n << "\n";
  // Confusion: only the intents that were predicted at all, as columns.
  std::set<intent> columns;
  for (const auto& a : r.acts)
    for (const auto& [x, n] : a.predicted)
      columns.insert(x);
  out << "confusion (rows: SIMMC act, columns: predicted main intent):\n";
  out << "  " << pad("", 22);
  for (auto x : columns)
    out << " " << pad(std::string(to_string(x)).substr(0, 10), 10, false);
  out << "\n";
  for (const auto& a : r.acts) {
    out << "  " << pad(a.act, 22);
    for (auto x : columns) {
      auto it = a.predicted.find(x);
      out << " " << pad(std::to_string(it == a.predicted.end() ? 0 : it->second), 10, false);
    }
    out << "\n";
  }
  return out.str();
}

caf::expected<std::vector<protocol::product>> load_vocabulary_products(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return protocol::make_error(protocol::errc::not_found, "cannot open catalog " + path);
  std::vector<protocol::product> out;
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object())
      continue;
    protocol::product p;
    p.id = string_field(j, {"id"});
    p.title = string_field(j, {"title", "name"});
    p.brand = string_field(j, {"brand"});
    p.gender = string_field(j, {"gender"});
    p.colour = string_field(j, {"colour", "color"});
    p.product_type = string_field(j, {"product_type", "type", "article_type"});
    if (p.product_type.empty())
      p.product_type = type_from_title(p.title);
    if (auto s = j.find("sizes"); s != j.end() && s->is_array())
      for (const auto& v : *s)
        if (v.is_string())
          p.sizes.push_back(v.get<std::string>());
    if (auto pr = j.find("price"); pr != j.end()) {
      if (pr->is_number())
        p.price.minor = static_cast<int64_t>(std::llround(pr->get<double>() * 100.0));
      else if (pr->is_object() && pr->contains("minor") && (*pr)["minor"].is_number_integer())
        p.price.minor = (*pr)["minor"].get<int64_t>();
    }
    p.price.currency = string_field(j, {"currency"});
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace cartmate::nlu
