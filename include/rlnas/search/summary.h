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

#include "rlnas/store/store.h"

namespace rlnas::search {

// Version of the summary's JSON form; bump it when a field changes meaning or goes away (adding
// one does not). Summaries stored before the field existed read as version 1.
inline constexpr int64_t kSummarySchemaVersion = 1;

enum class RowKind {
  found,          // a copy of the selected candidate, first
  candidate,      // a strategy's candidate retrained from scratch over the seeds
  baseline,       // a hand-designed network trained the same way
  random_search,  // random search's expected best-of-K from a tabular benchmark ("random" in JSON)
};
const char* to_string(RowKind kind);
RowKind parse_row_kind(const std::string& text);  // throws rlnas::Error naming the valid kinds

struct SummaryRow {
  RowKind kind = RowKind::candidate;
  std::string label;  // "candidate 1", "minatar/ss1/nature", "random search (best of 3)"
  std::string arch;   // canonical JSON (empty for random search)
  std::string arch_id;
  std::optional<double> proxy;
  int64_t seeds = 0;  // seeds done
  std::optional<double> reward_mean, reward_mean_std, total_reward, total_reward_std;
  std::optional<int64_t> params, flops;
  std::optional<double> latency_ms;  // median over the trials (batch 1, measured when planned)
};

// A row's figures from one architecture's trials (any roles): its architecture, params and FLOPs,
// the median latency, and over the done trials the mean and population std of "reward mean" (the
// workload's selection metric, train_return_mean for RL) and "total reward" (its test metric,
// eval_return_mean); seeds = how many are done. kind, label and proxy are left to the caller.
SummaryRow summarize_trials(const std::vector<store::TrialRecord>& trials,
                            const std::string& selection_metric = "train_return_mean",
                            const std::string& test_metric = "eval_return_mean");
nlohmann::ordered_json to_json(const SummaryRow& row);
SummaryRow row_from_json(const nlohmann::json& j);

// The selection rule: the candidate with the highest mean reward mean (training returns, so the
// evaluation episodes stay a fair test), copied first as the found row. No candidate with a
// figure: no found row.
void insert_found_row(std::vector<SummaryRow>& rows);

// The protocol rows of a search that is still running, from its trials (retrain, benchmark and
// baseline roles), over the seeds done so far: candidates numbered in the order they were planned
// (the strategy's ranking), baselines labelled by `baseline_label`.
std::vector<SummaryRow> live_rows(const std::vector<store::TrialRecord>& trials,
                                  const std::function<std::string(const store::TrialRecord&)>& baseline_label);

struct SearchSummary {
  int64_t schema_version = kSummarySchemaVersion;
  int64_t experiment_id = 0;
  std::string status;  // done | stopped | failed; running for live rows
  bool final = true;   // false: the rows so far of a search that has not ended
  std::string strategy, proxy_name, note;
  std::vector<SummaryRow> rows;
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
