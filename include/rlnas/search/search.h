// `rlnas search`: a strategy's search phase, then the evaluation protocol shared by every
// strategy (nas-for-rl-agents Section 5.3), with everything recorded in the experiment store.
//
//   1. search: the strategy proposes trainings (a supernet; nothing for random and grid) and ranks
//      candidate architectures by its proxy;
//   2. retrain: the top-K candidates (grid: all) and the hand-designed baselines are trained from
//      scratch over S seeds with the same budget;
//   3. summary: per architecture the mean and std over seeds of the paper's two metrics, "reward
//      mean" (mean return of the last 100 training episodes) and "total reward" (mean return of
//      search.eval_episodes evaluation episodes of the final policy on fresh seeds); the found
//      architecture is the candidate with the best mean reward mean (selected on training
//      returns, so the evaluation episodes stay a fair test); random search's expected best-of-K
//      with its spread by 1000 resamplings when the store holds a tabular benchmark of the space
//      (a grid search with the same training settings).
//
// Trials run in child processes (TrialRunner); only this process writes the store. A trial that
// is the same training as a done trial anywhere in the store (same cache key) is not trained
// again: its result is copied. Every trial is planned deterministically from the configuration,
// so a search stopped at any point (Ctrl-C, kill -9) resumes with the same set of trials:
// finished ones kept, running ones continued from their checkpoints.
#pragma once

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rlnas/env/registry.h"
#include "rlnas/search/strategy.h"
#include "rlnas/search/summary.h"
#include "rlnas/search/trial.h"
#include "rlnas/store/store.h"

namespace rlnas::search {

struct SearchConfig {
  SearchOptions search;
  nlohmann::ordered_json train;  // resolved training configuration every trial starts from
  // {"search": {search.* values}, "train": {...}} as stored with the experiment.
  nlohmann::ordered_json to_json() const;
};

// Where settings come from, lowest priority first: defaults, config file (search.* keys for the
// search, every other key for training as in `rlnas train`), --set, flags.
struct SearchSources {
  std::optional<std::string> config_file;
  std::vector<std::string> sets;                           // KEY=VALUE
  std::vector<std::pair<std::string, std::string>> flags;  // ("search.space", "minatar/ss1"), ("env", ...)
  std::vector<std::string> env_options;                    // KEY=VALUE
};

// Validates everything, including that the space's networks fit the environment's observations.
SearchConfig resolve_search_config(const SearchSources& sources, const env::EnvRegistry& envs);
SearchConfig search_config_from_json(const nlohmann::json& stored, const env::EnvRegistry& envs);

struct SearchRunOptions {
  std::string out_dir;  // trial run directories; default: <store folder>/search-<experiment id>
  bool quiet = false;
  double progress_seconds = 10;
  const std::atomic<bool>* stop = nullptr;  // Ctrl-C: trials stop with checkpoints, the search is "stopped"
  // Called once with the experiment id as soon as it is known (before anything trains).
  std::function<void(int64_t experiment_id)> on_start = nullptr;
};

// A new search: creates the experiment and runs it to the end (or until stopped).
SearchSummary run_search(const SearchConfig& config, const env::EnvRegistry& envs, store::Store& store,
                         TrialRunner& runner, const SearchRunOptions& options);
// Continues experiment `experiment_id` (kind "search") with its stored configuration.
SearchSummary resume_search(int64_t experiment_id, const env::EnvRegistry& envs, store::Store& store,
                            TrialRunner& runner, SearchRunOptions options);

}  // namespace rlnas::search
