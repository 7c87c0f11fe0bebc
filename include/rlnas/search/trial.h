// Trials: one training of one configuration (an architecture, or a supernet, with a seed and a
// budget) in its own run directory, and the runners that execute them.
//
// A trial's run directory holds what `rlnas train` writes (config.json, metrics.jsonl,
// checkpoint.ckpt, eval.json) plus trial.json (how to run it: the supernet's path sampler),
// trial.log (its output) and result.json (written when it ends). The process running a trial
// never writes the store: the search (the parent) reads the directory and records the trial.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rlnas/env/registry.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/store/cache_key.h"
#include "rlnas/store/store.h"

namespace rlnas::search {

// A trial's network in a few words: "net:NAME" for a fixed backbone, "SPACE supernet", the name of
// a named reference architecture, else "arch " + the id's first 12 digits.
std::string network_label(const store::TrialRecord& trial);

// The cache-key parts of a training configuration: environment with every option (defaults
// included), algorithm with every resolved option, space and version, architecture (a supernet:
// {"supernet": space}; a backbone: its name and knobs), seed and budget.

store::CacheKeyParts cache_key_parts(const rl::TrainConfig& config, const env::EnvRegistry& envs);

// A trial record for a training configuration: space, architecture and id, seed, budget, cache
// key, and the network's parameters and FLOPs on the environment's observations (not for
// supernets; `with_cost` false leaves them out: building the network is the slow part). Role,
// status, run directory and experiment are left to the caller.
store::TrialRecord describe_trial(const rl::TrainConfig& config, const env::EnvRegistry& envs, bool with_cost = true);

// Files of a trial's run directory.
inline constexpr const char* kTrialFile = "trial.json";
inline constexpr const char* kResultFile = "result.json";
inline constexpr const char* kTrialLog = "trial.log";
inline constexpr const char* kSnapshotsFile = "snapshots.jsonl";

// Runs the trial in `run_dir` in this process (the body of `rlnas run-trial DIR`): resumes from
// its checkpoint when it has one, otherwise starts afresh (dropping the output of a start that
// died before its first checkpoint); writes result.json at the end. `stop` interrupts it with a
// checkpoint. Throws rlnas::Error when training fails.
// Returns whether the trial was interrupted (it checkpointed; running it again resumes it).
bool run_trial(const std::string& run_dir, const env::EnvRegistry& envs, const std::atomic<bool>* stop = nullptr);

// What result.json says.
struct TrialResult {
  bool interrupted = false;
  int64_t steps = 0;
  nlohmann::ordered_json metrics;  // train_return_mean, train_episodes, eval_return_mean/std, eval_episodes
};
std::optional<TrialResult> read_trial_result(const std::string& run_dir);

// metrics.jsonl as curve points (lines cut by a crash are skipped).
std::vector<store::CurvePoint> read_curve(const std::string& run_dir);

// A differentiable supernet's alpha.jsonl as the store keeps it: `alpha` = {"snapshots": the lines,
// thinned to at most 200, the last kept} and `sequence` = the distinct discretized architectures in
// order, each {"id", "arch", "first_step", "last_step"}. Nothing (both null) when the run wrote no
// alpha.jsonl; an Error naming the file when a line is not an alpha snapshot.
struct AlphaRecord {
  nlohmann::ordered_json alpha, sequence;
};
AlphaRecord read_alpha_record(const std::string& run_dir);

// How a trial process ended.
struct TrialExit {
  int64_t trial_id = 0;
  enum class Kind { done, stopped, failed } kind = Kind::failed;
  std::string reason;  // failed: the error (last lines of trial.log) or the signal
  double seconds = 0;  // wall-clock of this process
};

// Runs trials, several at a time. The local runner starts child processes; a distributed runner
// (MPI) can replace it behind this interface: the search only starts trials and waits for exits.
class TrialRunner {
 public:
  virtual ~TrialRunner() = default;
  virtual size_t capacity() const = 0;  // trials at once
  virtual size_t running() const = 0;
  // Starts the trial in `run_dir` (its config.json and trial.json written).
  virtual void start(int64_t trial_id, const std::string& run_dir) = 0;
  // The next trial to end, waiting at most `timeout_seconds`; nullopt when none ended by then.
  virtual std::optional<TrialExit> wait(double timeout_seconds) = 0;
  // Asks every running trial to stop at its next iteration with a checkpoint.
  virtual void interrupt() = 0;
};

// Child processes of `executable run-trial DIR` (the rlnas binary), output to DIR/trial.log.
// Children die with the runner's process (PR_SET_PDEATHSIG), so a killed search leaves no
// orphan writing into a run directory it will later resume.
class LocalRunner final : public TrialRunner {
 public:
  // `timeout_seconds` > 0: a trial process still running after that long is killed (with its
  // process group) and its exit reports it failed, naming the limit (search.trial_timeout).
  LocalRunner(std::string executable, size_t jobs, std::vector<std::string> extra_args = {},
              double timeout_seconds = 0);
  ~LocalRunner() override;
  size_t capacity() const override { return jobs_; }
  size_t running() const override { return children_.size(); }
  void start(int64_t trial_id, const std::string& run_dir) override;
  std::optional<TrialExit> wait(double timeout_seconds) override;
  void interrupt() override;

 private:
  struct Child {
    int pid;
    int64_t trial_id;
    std::string run_dir;
    double started;
    bool timed_out = false;
  };
  std::string executable_;
  size_t jobs_;
  double timeout_seconds_ = 0;
  std::vector<std::string> extra_args_;  // before run-trial (e.g. --threads 1)
  std::vector<Child> children_;
};

// Runs each trial inside this process when wait() is called, one at a time: no isolation (a
// crash ends the search) and no parallelism. For tests and debugging.
class InProcessRunner final : public TrialRunner {
 public:
  explicit InProcessRunner(const env::EnvRegistry& envs) : envs_(envs) {}
  size_t capacity() const override { return 1; }
  size_t running() const override { return queued_ ? 1 : 0; }
  void start(int64_t trial_id, const std::string& run_dir) override;
  std::optional<TrialExit> wait(double timeout_seconds) override;
  void interrupt() override {}

 private:
  const env::EnvRegistry& envs_;
  std::optional<std::pair<int64_t, std::string>> queued_;
};

// The rlnas executable of this process (/proc/self/exe).
std::string self_executable();

}  // namespace rlnas::search
