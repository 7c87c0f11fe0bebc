// The summary of a search, in one place: its rows (the found architecture, the candidates
// retrained over seeds, the hand-designed baselines, random search's expected best-of-K), how a
// row's figures come from its trials, the one selection rule that picks the found row, the rows of
// a search still running, and the JSON form (with `schema_version`) that `rlnas runs show --json`
// prints and scripts read. The search driver writes it, the report and the CLI read it.
//
// No LibTorch: it works on store records only.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rlnas/core/stats.h"
#include "rlnas/store/store.h"

namespace rlnas::search {

// Version of the summary's JSON form; bump it when a field changes meaning or goes away (adding
// one does not). Summaries stored before the field existed read as version 1.
// 2: the random-search row follows the selection rule (picked by the selection metric within each
// draw, reported on that draw's test metric; version 1 took each metric's best separately), rows
// carry `selection` and `by_seed`, and the summary `selection`, `comparisons`, `learning`, `warnings`.
// 3: a comparison whose interval holds 0 says "inconclusive" (version 2: "not significant"); a
// non-significant difference is never read as "no difference" (rlnas compare --margin tests that).
inline constexpr int64_t kSummarySchemaVersion = 3;

// The one selection rule of every summary, report and script: competing rows (a strategy's
// candidates, random search's draws, the baselines) are chosen on the *selection* metric and
// reported on the *test* metric, never the other way round and never one metric for both.
// Selection: the paper's reward mean (train_return_mean: mean return of the last 100 training
// episodes) unless search.select says late_return (train_return_late: the mean return of the
// episodes that ended in the last 20% of the training steps). Test: the final policy's evaluation
// episodes (eval_return_mean).
// The supervised workload selects on validation accuracy (a held-out part of the training set)
// and reports test accuracy (the official test set): select "validation_accuracy".
struct SelectionRule {
  std::string select = "reward_mean";  // search.select: reward_mean | late_return; validation_accuracy (supervised)
  std::string metric() const;          // the trial metric: train_return_mean | train_return_late | validation_accuracy
  std::string name() const;            // for tables: "reward mean" | "late return" | "validation accuracy"
  std::string test_metric = "eval_return_mean";  // test_accuracy (supervised)
  std::string test_name() const;                 // for tables: "total reward" | "test accuracy"
  static std::vector<std::string> names();       // the valid values of search.select (rl)
};
// The rule of a stored search: its training configuration's workload and its search.select.
SelectionRule selection_rule_of(const nlohmann::json& train_config, const std::string& select);

// Training episodes below which "the last 100 episodes" is the whole run's average, said in the
// summary's warnings.
inline constexpr int64_t kMinSelectionEpisodes = 100;

enum class RowKind {
  found,          // a copy of the selected candidate, first
  candidate,      // a strategy's candidate retrained from scratch over the seeds
  baseline,       // a hand-designed network trained the same way
  random_search,  // random search's expected best-of-K from a tabular benchmark ("random" in JSON)
};
const char* to_string(RowKind kind);
RowKind parse_row_kind(const std::string& text);  // throws rlnas::Error naming the valid kinds

// One training seed's figures of a row.
struct SeedFigures {
  int64_t seed = 0;
  std::optional<double> selection, test;
};

struct SummaryRow {
  RowKind kind = RowKind::candidate;
  std::string label;  // "candidate 1", "minatar/ss1/nature", "random search (best of 3)"
  std::string arch;   // canonical JSON (empty for random search)
  std::string arch_id;
  std::optional<double> proxy;
  int64_t seeds = 0;  // seeds done
  std::optional<double> reward_mean, reward_mean_std, total_reward, total_reward_std;
  std::optional<double> selection;  // mean over seeds of the rule's selection metric (= reward_mean by default)
  std::optional<int64_t> min_train_episodes;  // the fewest training episodes of its done trials
  std::vector<SeedFigures> by_seed;           // per training seed, by seed (random search: expected values)
  std::optional<int64_t> params, flops;
  std::optional<double> latency_ms;  // median over the trials (batch 1, measured when planned)
};

// A row's figures from one architecture's trials (any roles): its architecture, params and FLOPs,
// the median latency, and over the done trials the mean and population std of "reward mean"
// (train_return_mean) and "total reward" (the test metric), the mean of the rule's selection
// metric, and each seed's figures; seeds = how many are done. kind, label and proxy are left to the
// caller.
SummaryRow summarize_trials(const std::vector<store::TrialRecord>& trials, const SelectionRule& rule = {});
nlohmann::ordered_json to_json(const SummaryRow& row);
SummaryRow row_from_json(const nlohmann::json& j);

// The rule applied: of `rows` of kind `kind`, the one with the highest `selection` (the first of
// equals); nullopt when none has one.
std::optional<size_t> select_row(const std::vector<SummaryRow>& rows, RowKind kind = RowKind::candidate);

// The selected candidate, copied first as the found row. No candidate with a figure: no found row.
void insert_found_row(std::vector<SummaryRow>& rows);

// Random search's row under the rule, from a tabular benchmark (one row per architecture of the
// space, from summarize_trials): K distinct architectures drawn uniformly, the one with the highest
// selection picked, its figures reported; the exact expectation over all draws (tabular.h
// best_of_k_by_selection), with the spread over draws as the std. by_seed holds, per seed every
// architecture has, the expected test figure of that seed under the same pick, so that a found row
// can be compared with it seed by seed.
SummaryRow random_search_row(const std::vector<SummaryRow>& benchmark, int64_t k);

// "a - b" on the test metric. Against a baseline: paired by training seed (the seeds both rows
// have), with Student's t 95% interval over the seeds (core/stats.h); no interval below 3 seeds.
// Against random search: a randomization test of the found row's figure against random search's
// exact best-of-K from the benchmark (method "randomization"; the paired t, which measures only the
// training noise of the one architecture found, says "better" or "worse" in 77% of null repeats on
// the synthetic workload: tests/core/calibration_test.cpp).
struct Comparison {
  std::string a, b;  // row labels
  std::string pairing = "training seed";
  std::string method = "paired_t";  // paired_t | randomization
  DifferenceInterval interval;
  std::optional<double> p;
  std::string verdict() const;  // "a better", "b better", "inconclusive", or why there is no interval
};
nlohmann::ordered_json to_json(const Comparison& c);
Comparison comparison_from_json(const nlohmann::json& j);
// The found row against random search's row and against each baseline (in row order). With
// `random_null` (random search's best-of-K distribution of the test figure, from the benchmark),
// the comparison with random search is the randomization test; without, the paired t.
std::vector<Comparison> compare_found(const std::vector<SummaryRow>& rows,
                                      const DiscreteDistribution* random_null = nullptr);
// Random search's best-of-K distribution of the test figure over a tabular benchmark (rows as
// random_search_row takes them).
DiscreteDistribution random_search_null(const std::vector<SummaryRow>& benchmark, int64_t k);

// The protocol rows of a search that is still running, from its trials (retrain, benchmark and
// baseline roles), over the seeds done so far: candidates numbered in the order they were planned
// (the strategy's ranking), baselines labelled by `baseline_label`.
std::vector<SummaryRow> live_rows(const std::vector<store::TrialRecord>& trials,
                                  const std::function<std::string(const store::TrialRecord&)>& baseline_label,
                                  const SelectionRule& rule = {});

struct SearchSummary {
  int64_t schema_version = kSummarySchemaVersion;
  int64_t experiment_id = 0;
  std::string status;  // done | stopped | failed; running for live rows
  bool final = true;   // false: the rows so far of a search that has not ended
  std::string strategy, proxy_name, note;
  SelectionRule rule;
  std::vector<SummaryRow> rows;
  std::vector<Comparison> comparisons;
  // How much the search phase learned (the strategy's figures, e.g. ENAS controller updates), and
  // warnings: figures below their documented thresholds, selection over too few episodes.
  nlohmann::ordered_json learning = nlohmann::ordered_json::object();
  std::vector<std::string> warnings;
  nlohmann::ordered_json to_json() const;
  static SearchSummary from_json(const nlohmann::json& j);
  const SummaryRow* found() const;  // the found row, if any
  std::string table() const;        // the human-readable summary
};

// Experiment `experiment_id`'s summary: the stored one of a finished search, else the live rows
// (final = false). nullopt for an experiment that is not a search.
std::optional<SearchSummary> summary_of(const store::Store& store, int64_t experiment_id,
                                        const std::function<std::string(const store::TrialRecord&)>& baseline_label);

}  // namespace rlnas::search
