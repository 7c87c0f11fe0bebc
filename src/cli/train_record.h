// Records `rlnas train` runs in the experiment store: one experiment (kind "train") holding one
// trial (role train) with the architecture, seed, budget, cost, status, final metrics and the
// learning curve read from the run's metrics.jsonl. The rl module knows nothing of the store.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "rlnas/env/registry.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/store/store.h"

namespace rlnas::cli {

// Absolute and normalised, without a trailing slash: `--resume runs/x/` finds `--out runs/x`.
std::string normal_run_dir(const std::string& run_dir);

class TrainRecorder {
 public:
  // Opens the store (a bad store file is an error here, before any training) and creates the
  // run's experiment and trial, or on resume finds them by run directory and marks them running.
  // Returns null when there is nothing to record: an empty store path, a resumed run the store
  // already holds as done, or a new run into a directory that already holds one (train refuses it).
  // A resume is refused (an Error) when `config` is not the configuration the store recorded for
  // the run (config.json edited), or when the run is a trial of a search. `previous_steps`: the
  // budget was extended from it to config.steps; the trial's budget and cache key follow.
  static std::unique_ptr<TrainRecorder> start(const std::string& store_path, const rl::TrainConfig& config,
                                              const env::EnvRegistry& envs, const std::string& run_dir, bool resume,
                                              std::optional<int64_t> previous_steps = std::nullopt);

  // The run ended: done with its final metrics, or stopped (interrupted, resumable). A store error
  // here (a full disk) is an Error saying that the run directory is complete and how to record it.
  void finish(const rl::TrainResult& result);
  // The same for any workload: the budget done (steps, epochs) and, when not interrupted, the
  // trial's final metrics.
  void finish(bool interrupted, int64_t steps, const nlohmann::ordered_json& metrics);
  // Training threw: the trial is failed with `reason`.
  void fail(const std::string& reason);
  // Training refused to start (rl::RunRefused): the records go back to what they were.
  void refused();

  int64_t experiment_id() const { return experiment_id_; }
  int64_t trial_id() const { return trial_id_; }

 private:
  TrainRecorder(store::Store store, std::string run_dir) : store_(std::move(store)), run_dir_(std::move(run_dir)) {}
  template <typename Fn>
  void record(const char* what, Fn&& fn);

  store::Store store_;
  std::optional<io::FileLock> lock_;  // the experiment's, while this process runs it
  std::string run_dir_;               // absolute, as stored
  int64_t experiment_id_ = 0, trial_id_ = 0;
  bool created_ = false;  // this process created the experiment (a new run), rather than resuming it
  std::optional<store::TrialRecord> trial_before_;  // a resumed trial as it was
  store::Status experiment_before_ = store::Status::stopped;
  bool eval_greedy_ = false;
  double wall_before_ = 0;  // wall-clock of earlier sessions of a resumed run
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace rlnas::cli
