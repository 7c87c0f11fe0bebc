// A study of several experiments (`rlnas compare`): the searches grouped into arms, the tabular
// benchmark and the hand-designed baselines found among them, and every comparison a reader asks
// for, each with the method that holds at the project's sample sizes (core/stats.h; calibrated by
// tests/core/calibration_test.cpp on the committed benchmarks):
//   arm vs random search's best-of-K   randomization test against the benchmark's exact null
//   arm vs arm                         Welch's t over the searches (each a found architecture's
//                                      mean over its training seeds)
//   arm vs baseline, baseline vs       Welch's t with Hsu's conservative degrees of freedom (the
//   baseline                           baseline's own seed-to-seed noise included, whatever the two
//                                      sides' spreads)
// with Holm's correction over each environment's comparisons, whether the benchmark separates
// architectures at all (ANOVA, ICC, rank correlation between seeds, the smallest detectable
// difference), the picks' ranks (ties averaged) and the probability that random search does at
// least as well, what the searches learned (their summaries' figures and warnings), and across
// environments the IQM and probability of improvement of Agarwal et al. (2021).
//
// Everything is recomputed from the trials; the stored summaries give only the learning figures,
// the warnings and the baselines' labels. No LibTorch.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rlnas::store {
class Store;
}

namespace rlnas::search {

// Version of compare's JSON form (`rlnas compare --json`); bump it when a field changes meaning.
inline constexpr int64_t kCompareSchemaVersion = 1;

struct CompareOptions {
  // --arm NAME=ID,ID,...: these experiments form an arm of that name (the rest are grouped by
  // strategy and the settings that differ).
  std::vector<std::pair<std::string, std::vector<int64_t>>> arms;
  std::optional<double> margin;  // --margin: equivalence tests within +-margin
  bool no_baselines = false;     // --no-baselines: searches only, no references
  double level = 0.95;
  uint32_t seed = 1;                     // every resampling's seed
  int64_t randomization_draws = 100000;  // draws of the randomization test's null
  int64_t bootstrap_draws = 2000;        // stratified bootstrap across environments
};

// One input experiment: an entry of an export document ({"experiment", "summary", "trials", ...},
// store/exchange.h) and where it came from ("store runs/rlnas.db" or the file's path).
struct StudyInput {
  nlohmann::json entry;
  std::string source;
};

// Experiments of a store as study inputs (their export entries without curves, with their
// summaries). Throws rlnas::UsageError naming an id the store does not hold (the ids come from a
// command line).
std::vector<StudyInput> study_inputs(const store::Store& store, const std::vector<int64_t>& ids);

// The study as JSON (schema_version kCompareSchemaVersion; docs/search.md "Reading a comparison"
// lists the fields). Throws rlnas::Error naming the experiment and source for an input that is not a
// finished or stopped search, an --arm that names an experiment not given, or an experiment in
// two arms.
nlohmann::ordered_json compare_study(const std::vector<StudyInput>& inputs, const CompareOptions& options = {});

// The human-readable form of compare_study's JSON (what `rlnas compare` prints).
std::string study_text(const nlohmann::ordered_json& study);

}  // namespace rlnas::search
