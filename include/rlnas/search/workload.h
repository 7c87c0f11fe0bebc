// What a trial trains and a strategy searches. A workload says what it needs from a network (the
// input shape and the output heads), runs a trial, and names the trial metric the protocol selects
// on and the one it reports as the test score (never the same one: see docs/search.md). It also
// names the hand-designed networks a search on it is measured against.
//
// The workloads: reinforcement learning on an environment (`--env NAME`, workload: rl; the
// default), supervised image classification (`--dataset NAME`, workload: supervised; src/vision)
// and the known-answer synthetic one (`--workload synthetic`); all set the one config key `workload`.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "rlnas/env/registry.h"
#include "rlnas/rl/trainer.h"
#include "rlnas/rl/workloads.h"

namespace rlnas::search {

class Workload {
 public:
  virtual ~Workload() = default;
  virtual const rl::WorkloadEntry& entry() const = 0;         // its row of the workload table
  std::string kind() const { return entry().name; }           // "rl" | "supervised" | "synthetic"
  virtual std::string name() const = 0;                       // the environment, the dataset
  std::string budget_unit() const { return entry().budget_unit; }  // what `steps` counts: "environment steps", "epochs"
  virtual std::vector<int64_t> input_shape() const = 0;       // what the network takes (one sample); {}: any
  virtual std::vector<std::string> output_heads() const = 0;  // e.g. {"policy: discrete(6)", "value"}
  std::string test_metric() const { return entry().test_metric; }  // result.json metric reported as the test score
  virtual std::vector<std::string> baselines() const = 0;     // "net:NAME" / "named:NAME" (search.baselines auto)
  virtual bool trains_backbones() const = 0;  // fixed backbones (net:NAME) are networks of it, not only a space's
  virtual bool trains_supernets() const = 0;  // one-shot strategies (a supernet per search) run on it
  // Supernet iterations (paths drawn, controller children) in `budget` when known in advance
  // (supervised: epochs x minibatches per epoch); 0: the strategy derives them (RL rollouts).
  virtual int64_t iterations(int64_t budget) const { return 0; }
  // Trains the trial of run_dir (`config` is its config.json, resumed from its checkpoint) and
  // writes result.json; `stop` interrupts it with a checkpoint. Whether it was interrupted.
  virtual bool run_trial(const rl::TrainConfig& config, const std::string& run_dir,
                         const std::atomic<bool>* stop) const = 0;
};

// The workload of a training configuration (its `workload` key).
std::unique_ptr<Workload> make_workload(const rl::TrainConfig& config, const env::EnvRegistry& envs);
// The path sampler of a supernet trial (its trial.json's "sampler", made by the strategy table),
// or null for uniform paths.
class TrialSampler;
std::unique_ptr<TrialSampler> trial_sampler(const std::string& run_dir, const rl::TrainConfig& config);
// The supervised one (supervised_workload.cpp).
std::unique_ptr<Workload> make_supervised_workload(const rl::TrainConfig& config);

}  // namespace rlnas::search
