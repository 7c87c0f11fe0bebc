// Reinforcement learning on an environment: the workload of every trial today (workload.h).
#include <filesystem>
#include <fstream>

#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/search/strategy.h"
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
      : envs_(envs), env_(config.env), env_options_(config.env_options) {
    const auto probe = envs.make(env_, env_options_);
    obs_shape_ = probe->observation_spec().shape;
    action_ = probe->action_spec().to_string();
  }
  std::string kind() const override { return "rl"; }
  std::string name() const override { return env_; }
  std::vector<int64_t> input_shape() const override { return obs_shape_; }
  std::vector<std::string> output_heads() const override { return {"policy: " + action_, "value"}; }
  std::string selection_metric() const override { return kSelection; }
  std::string test_metric() const override { return kTest; }
  std::vector<std::string> baselines() const override { return envs_.entry(env_).baselines; }
  bool run_trial(const rl::TrainConfig& config, const std::string& run_dir,
                 const std::atomic<bool>* stop) const override {
    const fs::path dir(run_dir);
    json trial = json::object();
    if (std::ifstream in(dir / kTrialFile); in) {
      try {
        trial = json::parse(in);
      } catch (const std::exception& e) {
        throw Error((dir / kTrialFile).string() + ": not valid JSON (" + e.what() + ")");
      }
    }
    rl::TrainOptions options;
    options.run_dir = run_dir;
    // The search wrote config.json: the trainer continues from the checkpoint, or starts (again) at
    // step 0 when there is none yet, and cuts the ENAS snapshots back with its metrics.
    options.resume = true;
    options.step_logs = {kSnapshotsFile};
    options.stop = stop;
    options.progress_seconds = 10;
    fs::remove(dir / kResultFile);  // a result of an earlier, interrupted session
    // Who chooses the supernet's paths: uniform draws, or the strategy named by the sampler's kind.
    std::unique_ptr<TrialSampler> chosen;
    const json sampler = trial.value("sampler", json());
    const std::string sampler_kind = sampler.is_object() ? sampler.value("kind", "") : "";
    if (!sampler.is_null() && sampler_kind != "uniform") {
      std::string valid = "null, {\"kind\": \"uniform\"}";
      for (const auto& e : strategy_table()) {
        if (!e.sampler) continue;
        if (e.name == sampler_kind) chosen = e.sampler(sampler, space::find_space(config.net.space()), run_dir);
        valid += ", {\"kind\": \"" + e.name + "\", ...}";
      }
      if (!chosen)
        throw Error((dir / kTrialFile).string() + ": sampler: expected " + valid + ", found " + sampler.dump());
      options.path_sampler = &chosen->path_sampler();
    }
    const auto r = rl::train(config, envs_, options);
    if (chosen && !r.interrupted) chosen->finish(run_dir);
    ordered_json out = {{"interrupted", r.interrupted}, {"steps", r.steps}};
    ordered_json metrics = {{kSelection, r.recent_mean_return}, {"train_episodes", r.episodes}};
    if (!r.interrupted) {
      metrics[kTest] = r.eval.mean_return();
      metrics["eval_return_std"] = r.eval.std_return();
      metrics["eval_episodes"] = r.eval.returns.size();
      metrics["eval_greedy"] = config.eval_greedy;
    }
    out["metrics"] = metrics;
    io::write_file_atomic((dir / kResultFile).string(), out.dump(2) + "\n");
    return r.interrupted;
  }

 private:
  const env::EnvRegistry& envs_;
  std::string env_;
  env::EnvOptions env_options_;
  std::vector<int64_t> obs_shape_;
  std::string action_;
};

}  // namespace

std::unique_ptr<Workload> make_workload(const rl::TrainConfig& config, const env::EnvRegistry& envs) {
  if (config.workload != "rl") {
    throw Error("workload '" + config.workload + "' is not available; valid workloads: rl (an environment, --env)");
  }
  return std::make_unique<RlWorkload>(config, envs);
}

}  // namespace rlnas::search
