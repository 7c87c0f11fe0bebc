// The workloads (workload.h): reinforcement learning on an environment, and the synthetic
// known-answer workload (synthetic.h).
#include <filesystem>
#include <fstream>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/search/strategy.h"
#include "rlnas/search/synthetic.h"
#include "rlnas/search/trial.h"
#include "rlnas/search/workload.h"
#include "rlnas/space/space.h"

namespace rlnas::search {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// Selected on training returns, reported on the final policy's evaluation episodes.
constexpr const char* kSelection = "train_return_mean";
constexpr const char* kTest = "eval_return_mean";

class RlWorkload final : public Workload {
 public:
  RlWorkload(const rl::TrainConfig& config, const env::EnvRegistry& envs)
      : envs_(envs), env_(config.rl.env), env_options_(config.rl.env_options) {
    const auto probe = envs.make(env_, env_options_);
    obs_shape_ = probe->observation_spec().shape;
    action_ = probe->action_spec().to_string();
  }
  const rl::WorkloadEntry& entry() const override { return rl::find_workload("rl"); }
  std::string name() const override { return env_; }
  bool trains_backbones() const override { return true; }
  bool trains_supernets() const override { return true; }
  std::vector<int64_t> input_shape() const override { return obs_shape_; }
  std::vector<std::string> output_heads() const override { return {"policy: " + action_, "value"}; }
  std::vector<std::string> baselines() const override { return envs_.baselines(env_); }
  bool run_trial(const rl::TrainConfig& config, const std::string& run_dir,
                 const std::atomic<bool>* stop) const override {
    const fs::path dir(run_dir);
    rl::TrainOptions options;
    options.run_dir = run_dir;
    // The search wrote config.json: the trainer continues from the checkpoint, or starts (again) at
    // step 0 when there is none yet, and cuts the ENAS snapshots back with its metrics.
    options.resume = true;
    options.step_logs = {kSnapshotsFile};
    options.stop = stop;
    options.progress_seconds = 10;
    fs::remove(dir / kResultFile);  // a result of an earlier, interrupted session
    const auto chosen = trial_sampler(run_dir, config);
    if (chosen) options.path_sampler = &chosen->path_sampler();
    const auto r = rl::train(config, envs_, options);
    if (chosen && !r.interrupted) chosen->finish(run_dir);
    ordered_json out = {{"interrupted", r.interrupted}, {"steps", r.steps}};
    ordered_json metrics = {{kSelection, r.recent_mean_return}, {"train_episodes", r.episodes}};
    if (r.late_mean_return) metrics["train_return_late"] = *r.late_mean_return;
    metrics["train_episodes_late"] = r.late_episodes;
    if (!r.interrupted) {
      metrics[kTest] = r.eval.mean_return();
      metrics["eval_return_std"] = r.eval.std_return();
      metrics["eval_episodes"] = r.eval.returns.size();
      metrics["eval_greedy"] = config.rl.eval_greedy;
    }
    out["metrics"] = metrics;
    io::write_file_atomic((dir / kResultFile).string(), out.dump(2) + "\n", io::Target::own);
    return r.interrupted;
  }

 private:
  const env::EnvRegistry& envs_;
  std::string env_;
  env::EnvOptions env_options_;
  std::vector<int64_t> obs_shape_;
  std::string action_;
};

// The known-answer workload (synthetic.h): a trial writes the figures of its score-table entry.
class SyntheticWorkload final : public Workload {
 public:
  explicit SyntheticWorkload(const rl::TrainConfig& config) : options_(config.synthetic) {}
  const rl::WorkloadEntry& entry() const override { return rl::find_workload("synthetic"); }
  bool trains_backbones() const override { return false; }
  bool trains_supernets() const override { return false; }
  std::string name() const override { return "synthetic (seed " + std::to_string(options_.seed) + ")"; }
  std::vector<int64_t> input_shape() const override { return {}; }  // any: nothing is built
  std::vector<std::string> output_heads() const override { return {"score"}; }
  std::vector<std::string> baselines() const override { return {}; }
  bool run_trial(const rl::TrainConfig& config, const std::string& run_dir, const std::atomic<bool>*) const override {
    if (config.net.kind() != rl::NetworkSpec::Kind::architecture) {
      throw Error("the synthetic workload scores architectures of a search space: " + config.net.label() +
                  " has no score (give --space, or search.baselines=none)");
    }
    const auto& arch = config.net.arch();
    const SyntheticScores scores(space::find_space(arch.space), config.synthetic);
    const auto t = scores.trial(arch, config.seed);
    const fs::path dir(run_dir);
    fs::create_directories(dir);
    // The learning curve, at most 100 lines, the simulated time on each.
    const int64_t every = std::max(config.rl.log_every, (config.steps + 99) / 100);
    std::string curve;
    for (int64_t step = every; step < config.steps + every; step += every) {
      const int64_t at = std::min(step, config.steps);
      ordered_json line = {{"step", at},
                           {"return_mean", scores.curve(arch, config.seed, at, config.steps)},
                           {"time", t.seconds * static_cast<double>(at) / static_cast<double>(config.steps)}};
      curve += line.dump() + "\n";
    }
    io::write_file_atomic((dir / "metrics.jsonl").string(), curve, io::Target::own);
    ordered_json out = {{"interrupted", false}, {"steps", config.steps}};
    out["metrics"] = {{kSelection, t.selection},
                      {"train_return_late", t.selection},
                      {"train_episodes", 1000},
                      {kTest, t.test},
                      {"eval_episodes", config.rl.eval_episodes},
                      {"true_score", scores.score(arch)},
                      {"simulated_seconds", t.seconds}};
    io::write_file_atomic((dir / kResultFile).string(), out.dump(2) + "\n", io::Target::own);
    return false;
  }

 private:
  rl::SyntheticOptions options_;
};

}  // namespace

std::unique_ptr<TrialSampler> trial_sampler(const std::string& run_dir, const rl::TrainConfig& config) {
  const fs::path dir(run_dir);
  json trial = json::object();
  if (fs::exists(dir / kTrialFile)) {
    trial = parse_json_input(io::read_file((dir / kTrialFile).string(), io::kMaxInputFileBytes),
                             (dir / kTrialFile).string());
  }
  // Who chooses the supernet's paths: uniform draws, or the strategy named by the sampler's kind.
  const json sampler = trial.value("sampler", json());
  const std::string sampler_kind = sampler.is_object() ? sampler.value("kind", "") : "";
  if (sampler.is_null() || sampler_kind == "uniform") return nullptr;
  std::string valid = "null, {\"kind\": \"uniform\"}";
  for (const auto& e : strategy_table()) {
    if (!e.sampler) continue;
    if (e.name == sampler_kind) return e.sampler(sampler, space::find_space(config.net.space()), run_dir);
    valid += ", {\"kind\": \"" + e.name + "\", ...}";
  }
  throw Error((dir / kTrialFile).string() + ": sampler: expected " + valid + ", found " + sampler.dump());
}

std::unique_ptr<Workload> make_workload(const rl::TrainConfig& config, const env::EnvRegistry& envs) {
  switch (rl::workload_of(config).kind) {  // throws, naming the workloads, for an unknown one
    case rl::WorkloadKind::rl:
      return std::make_unique<RlWorkload>(config, envs);
    case rl::WorkloadKind::synthetic:
      return std::make_unique<SyntheticWorkload>(config);
    case rl::WorkloadKind::supervised:
      return make_supervised_workload(config);
  }
  throw Error("workload '" + config.workload + "': no Workload for it");
}

}  // namespace rlnas::search
