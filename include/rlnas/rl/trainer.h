// Training runs: a resolved configuration, a run directory, and the loop that drives an
// Algorithm for a budget of environment steps with progress, metrics, checkpoints, resume and a
// final evaluation.
//
//   run dir: config.json (resolved config), metrics.jsonl (one line per iteration),
//            checkpoint.ckpt (latest, atomic), eval.json (final evaluation),
//            alpha.jsonl (mixed supernets: op probabilities and discretized architecture per metrics line)
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rlnas/core/config.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/sha256.h"
#include "rlnas/env/registry.h"
#include "rlnas/rl/algorithm.h"
#include "rlnas/rl/evaluation.h"
#include "rlnas/rl/network_spec.h"
#include "rlnas/rl/supervised_options.h"
#include "rlnas/rl/synthetic_options.h"
#include "rlnas/space/architecture.h"

namespace rlnas::env {
class VectorEnv;
}

namespace rlnas::rl {

// The workload-neutral part of a trial's configuration: the keys every workload has (rl/workloads.h
// says which workload's own keys come with them). What trains (the workload and the network), for
// how long (steps, in the workload's budget unit), from which seed, on which device.
struct TrialConfig {
  // What trials train (search/workload.h): "rl", an environment; "supervised", image
  // classification on a dataset (supervised.* options, --dataset NAME; `steps` counts epochs); or
  // "synthetic", the known-answer workload (synthetic.* options; its trials need a space architecture).
  std::string workload = "rl";
  // The network (network_spec.h): a backbone, a space's architecture, or a supernet of a space
  // (single-path: every iteration runs one path, uniform or chosen by a PathSampler; softmax- or
  // Gumbel-mixed: alpha learned with the weights, arch.h). Spelled by the net.* keys.
  NetworkSpec net;
  NetKeys net_keys;  // the net.* keys as bound to the option table (net.write_keys keeps them in step)
  ArchOptions arch;  // arch.*: a mixed supernet's alpha optimizer, temperature, cost
  bool is_supernet() const { return net.is_supernet(); }
  int64_t steps = 100000;      // budget: environment steps (rl), epochs (supervised)
  int64_t seed = 1;            // master seed (environments seed + i, weights, data order, sampling)
  std::string device = "cpu";  // cpu | cuda | cuda:N
};

// Reinforcement learning's own options (workload rl): the environment, the algorithm and its
// options, distillation, and the evaluation and intervals counted in environment steps.
struct RlOptions {
  std::string env = "classic/cartpole";
  env::EnvOptions env_options;
  // The plugin (rlnas/env/plugin.h) or Python module `env` comes from, empty for a built-in: its
  // absolute path and content hash, stored as "env_source" {"path", "sha256"} so that a resumed
  // run, an evaluation and a search's child trials load it again. The hash enters the cache key; a
  // stored hash that differs from the current file's is an error.
  std::string env_source;
  std::string env_source_sha256;
  std::string algo = "ppo";
  std::string preset;
  DistillOptions distill;                     // distill.*: actor-critic distillation from a teacher run
  int64_t eval_episodes = 10;                 // final evaluation episodes
  bool eval_greedy = false;                   // greedy (mode) actions in evaluation
  int64_t checkpoint_every = 100000;          // environment steps between checkpoints (0 = only at the end)
  int64_t log_every = 1000;                   // environment steps between metric lines (means over the window)
  std::unique_ptr<AlgorithmFactory> factory;  // holds the algorithm's options
};

// A training's whole configuration: the neutral part and each workload's own options (only the
// configured workload's are read; config.json holds only those).
struct TrainConfig : TrialConfig {
  RlOptions rl;
  SupervisedOptions supervised;
  SyntheticOptions synthetic;

  // Resolved configuration (every option with its final value), as written to config.json.
  nlohmann::ordered_json to_json() const;
};

// Where each setting comes from, lowest priority first: defaults, preset, config file, --set,
// explicit flags. `flags` are (key, value) pairs such as {"steps", "1000"}; `env_options`
// are KEY=VALUE strings (--env-opt).
struct TrainSources {
  std::optional<std::string> config_file;
  std::vector<ConfigEntry> entries;  // settings already read from a file (after config_file)
  std::vector<std::string> sets;     // KEY=VALUE (--set)
  std::vector<std::pair<std::string, std::string>> flags;
  std::vector<std::string> env_options;  // KEY=VALUE (--env-opt)
};

// Builds and validates a configuration; errors name the key, the value and its source.
TrainConfig resolve_train_config(const TrainSources& sources, const env::EnvRegistry& registry);
// Rebuilds a configuration from its resolved JSON (TrainConfig::to_json), validating it again.
TrainConfig config_from_json(const nlohmann::json& resolved, const env::EnvRegistry& registry);
// Rebuilds the configuration stored in a run directory's config.json.
TrainConfig load_run_config(const std::string& run_dir, const env::EnvRegistry& registry);

// Chooses the path of every iteration of a supernet run (net.supernet). Without one, train()
// draws each path uniformly (SPOS); ENAS's controller is one (search/enas.h). Its state goes
// into the run's checkpoints, so a resumed run continues the same sequence.
// What one iteration's rollout collected, for a PathSampler.
struct IterationReturns {
  std::optional<double> episode_return;  // mean return of the episodes that ended during it (none: none did)
  int64_t episodes = 0;                  // how many ended
  double rollout_return = 0;  // rewards collected in the rollout per environment (defined for every iteration)
  int64_t steps = 0;          // environment steps of the iteration (all environments)
};

class PathSampler {
 public:
  virtual ~PathSampler() = default;
  virtual space::Architecture next(int64_t iteration) = 0;
  // After the iteration ran `path`: what its rollout collected, and the environment steps done so far.
  virtual void observe(const space::Architecture& path, const IterationReturns& returns, int64_t steps_done) = 0;
  virtual void save(torch::serialize::OutputArchive& archive) = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
};

// Hooks into the training loop (train()): what runs around every iteration and what goes into the
// run's checkpoints with it. The loop's own observers come first: the single-path supernet's path
// per iteration (SPOS draws, or a PathSampler's, saved under the checkpoint key "path_sampler")
// and the alpha.jsonl writer of mixed supernets; TrainOptions::observers follow, in order.
class TrainObserver {
 public:
  struct Iteration {
    int64_t index = 0;  // iterations done before this one (0 first)
    const env::VectorEnv* venv = nullptr;
    int64_t steps_before = 0, episodes_before = 0;  // the environments' counters when it started
    double reward_sum_before = 0, episode_return_sum_before = 0;
  };
  virtual ~TrainObserver() = default;
  virtual void before_iteration(const Iteration& iteration) {}
  virtual void after_iteration(const Iteration& iteration) {}
  // After the metrics.jsonl line of `step` was written.
  virtual void after_metrics_line(int64_t step) {}
  // Checkpoints: its files flushed first (sync), then its state into the checkpoint's archive
  // under keys of its own; load reads them back when resuming (a key may be missing).
  virtual void sync() {}
  virtual void save(torch::serialize::OutputArchive& checkpoint) {}
  virtual void load(torch::serialize::InputArchive& checkpoint) {}
  virtual void close() {}  // at the end of the run
};

struct TrainResult {
  int64_t steps = 0;
  int64_t episodes = 0;
  double recent_mean_return = 0.0;  // mean return of the last 100 training episodes
  // Mean return of the episodes that ended in the iterations starting in the last 20% of the budget
  // (late_window_start), and how many there were (none: no such episode).
  std::optional<double> late_mean_return;
  int64_t late_episodes = 0;
  EvalResult eval;
  std::string run_dir;
  bool interrupted = false;
};

struct TrainOptions {
  std::string run_dir;  // created if missing
  // Continue from run_dir/checkpoint.ckpt. A run folder with a config but no checkpoint yet (killed
  // before its first one) starts again at step 0 with a warning, its partial lines discarded.
  bool resume = false;
  // With resume: the run's budget was extended (rlnas train --resume RUN --steps N) from these
  // steps to config.steps; the checkpoint's configuration may differ in `steps` only, and
  // config.json is rewritten with the new budget.
  std::optional<int64_t> previous_steps = std::nullopt;
  bool quiet = false;           // no progress lines
  double progress_seconds = 2;  // interval between progress lines
  // Stop early (after a whole iteration, with a checkpoint) when this becomes true, e.g. on
  // Ctrl-C. Optional.
  const std::atomic<bool>* stop = nullptr;
  // Stop after this many steps even if the budget is larger (tests interrupt runs this way).
  std::optional<int64_t> stop_after_steps = std::nullopt;
  // Supervised runs: stop after this many minibatches in all (tests interrupt an epoch this way).
  std::optional<int64_t> stop_after_batches = std::nullopt;
  // Supernet runs: who chooses each iteration's path (null: uniform draws). Not owned.
  PathSampler* path_sampler = nullptr;
  // Other JSON-lines files of the run (file names in run_dir, e.g. the ENAS snapshots) that a
  // resume cuts back to the checkpoint's step like metrics.jsonl, and a restart removes.
  std::vector<std::string> step_logs = {};
  // More hooks into the loop, after the loop's own (not owned).
  std::vector<TrainObserver*> observers = {};
};

// The first environment step of the late window (TrainResult::late_mean_return): 80% of the budget.
inline int64_t late_window_start(int64_t budget) { return budget - budget / 5; }

// A run that train() refuses before it starts (a folder that holds another run, one locked by
// another process, a resume whose files are not this run's): nothing was changed.
class RunRefused : public Error {
 public:
  using Error::Error;
};

// The checks of a resume that need no network: the checkpoint was made with this configuration
// (TrainOptions::previous_steps aside) and carries the run's nonce (config.json), and metrics.jsonl
// holds as many lines up to the checkpoint's step as when it was written. Throws RunRefused naming
// the difference. Nothing to check (no checkpoint, not a resume, a checkpoint of an older rlnas): returns.
void check_resume(const TrainConfig& config, const TrainOptions& options);

// The run folder every workload's trainer writes: config.json with the run's nonce, the lock, the
// checks of a resume, metrics.jsonl and the other step logs (cut back to a checkpoint's step).
// check_run_folder refuses a new run into a folder that holds one and checks a resume
// (check_resume); open_run_folder, called once the network was built (a network that cannot be
// built leaves no folder), creates and locks the folder and writes config.json for a run that
// starts at step 0 (a new run, or a resume killed before its first checkpoint: `logs` and eval.json
// are removed, with a warning).
void check_run_folder(const TrainConfig& config, const TrainOptions& options);
struct RunFolder {
  io::FileLock lock;
  std::string nonce;    // config.json's run nonce
  bool resume = false;  // continue from checkpoint.ckpt (false: start at step 0)
};
RunFolder open_run_folder(const TrainConfig& config, const TrainOptions& options, const std::vector<std::string>& logs);
// A resume: cuts every log back to the checkpoint's `step` and returns the first one's (metrics.jsonl)
// line count and running SHA-256, as the next checkpoint's header records them.
std::pair<int64_t, Sha256> cut_logs_to(const std::vector<std::string>& logs, int64_t step);

// The files of a run folder, as every workload's trainer writes them.
inline constexpr const char* kMetricsFile = "metrics.jsonl";
inline constexpr const char* kCheckpointFile = "checkpoint.ckpt";
inline constexpr const char* kEvalFile = "eval.json";
inline constexpr const char* kAlphaFile = "alpha.jsonl";

// "H:MM:SS" for progress lines.
std::string format_duration(double seconds);

// "cpu", "cuda", "cuda:N" as a device; an Error for other text or CUDA where there is none.
torch::Device parse_device(const std::string& text);

TrainResult train(const TrainConfig& config, const env::EnvRegistry& registry, const TrainOptions& options);

// Throughput of the training loop without a run directory: `iterations` iterations after one
// warm-up iteration.
struct TrainBenchmark {
  int64_t steps = 0;
  double seconds = 0;
  double rollout_seconds = 0;  // from the algorithm's metrics, where it reports them
  double update_seconds = 0;
  int64_t parameters = 0;
  double forward_flops = 0;  // of the whole network (all heads) for one observation (space::measure_cost)
  std::string network;       // NetworkSpec::label()
  double steps_per_s() const { return seconds > 0 ? static_cast<double>(steps) / seconds : 0.0; }
};
TrainBenchmark benchmark_training(const TrainConfig& config, const env::EnvRegistry& registry, int64_t iterations);

// Identity of the network a config builds (checked when loading checkpoints).
std::string network_identity(const TrainConfig& config, const env::EnvRegistry& registry);

// Loads the algorithm of a finished or interrupted run with its latest weights.
std::unique_ptr<Algorithm> load_trained_algorithm(const std::string& run_dir, const env::EnvRegistry& registry,
                                                  TrainConfig* config_out = nullptr);

}  // namespace rlnas::rl
