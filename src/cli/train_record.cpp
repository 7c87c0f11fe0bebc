// Recording `rlnas train` runs in the experiment store (see train_record.h).
#include "train_record.h"

#include <filesystem>
#include <fstream>

#include "rlnas/core/error.h"
#include "rlnas/core/log.h"
#include "rlnas/core/sha256.h"
#include "rlnas/space/cost.h"
#include "rlnas/space/space.h"
#include "rlnas/store/cache_key.h"

namespace rlnas::cli {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// Absolute and normalised, without a trailing slash: `--resume runs/x/` finds `--out runs/x`.
std::string normal_run_dir(const std::string& run_dir) {
  fs::path p = fs::absolute(run_dir).lexically_normal();
  if (!p.has_filename() && p.has_parent_path()) p = p.parent_path();
  return p.string();
}

// The backbone's identity for --net runs: its name and the knobs that apply to it.
json backbone_json(const rl::TrainConfig& config, const ordered_json& resolved) {
  static const std::map<std::string, std::vector<std::string>> knobs = {
      {"mlp", {"mlp_hidden", "activation"}},
      {"impala_cnn", {"impala_channels"}},
      {"resnet", {"resnet_depth", "resnet_features"}}};
  json net = {{"name", config.net.name}};
  if (const auto it = knobs.find(config.net.name); it != knobs.end()) {
    for (const auto& k : it->second) net[k] = resolved.at("net." + k);
  }
  return {{"net", net}};
}

// Parameters and FLOPs of the network's backbone on the environment's observations; nothing
// when it cannot be built (training then reports why).
void measure(const rl::TrainConfig& config, const env::EnvRegistry& envs, store::TrialRecord& trial) {
  if (config.net_supernet) return;  // many architectures: no single figure
  try {
    const auto shape = envs.make(config.env, config.env_options)->observation_spec().shape;
    nn::Backbone net =
        config.net_space.empty()
            ? nn::make_backbone(config.net, shape)
            : space::find_space(config.net_space).build(space::Architecture::parse(config.net_arch), shape);
    const auto cost = space::measure_cost(
        *net, [&](const torch::Tensor& x) { return net->forward(x); }, shape);
    trial.params = cost.params;
    trial.flops = cost.flops();
  } catch (const std::exception&) {
  }
}

// The trial of a new run: architecture, seed, budget, cache key, cost, run directory.
store::TrialRecord new_trial(const rl::TrainConfig& config, const env::EnvRegistry& envs, const std::string& run_dir) {
  const ordered_json resolved = config.to_json();
  store::CacheKeyParts key;
  key.env = config.env;
  for (const auto& o : envs.options(config.env)) {
    const auto given = config.env_options.find(o.key);
    key.env_options[o.key] = given != config.env_options.end() ? given->second : o.default_value;
  }
  key.algo = config.algo;
  for (const auto& [k, v] : resolved.items()) {
    if (k.rfind(config.algo + ".", 0) == 0) key.algo_options[k] = json::parse(v.dump());
  }
  store::TrialRecord t;
  t.role = store::Role::train;
  t.status = store::Status::running;
  if (config.net_supernet) {
    // A supernet trains the whole space: its "architecture" names the space.
    t.space = key.space = config.net_space;
    key.space_version = space::find_space(config.net_space).version();
    key.architecture = {{"supernet", config.net_space}};
    t.architecture = key.architecture.dump();
    t.arch_id = sha256_hex(t.architecture);
  } else if (!config.net_space.empty()) {
    const auto arch = space::Architecture::parse(config.net_arch);
    t.space = config.net_space;
    t.architecture = config.net_arch;
    t.arch_id = arch.id();
    key.space = config.net_space;
    key.space_version = space::find_space(config.net_space).version();
    key.architecture = json::parse(config.net_arch);
  } else {
    key.architecture = backbone_json(config, resolved);
    t.architecture = key.architecture.dump();
    t.arch_id = sha256_hex(t.architecture);
  }
  key.seed = config.seed;
  key.budget = config.steps;
  t.cache_key = store::trial_cache_key(key);
  t.seed = config.seed;
  t.budget = config.steps;
  t.run_dir = run_dir;
  t.checkpoint = (fs::path(run_dir) / "checkpoint.ckpt").string();
  measure(config, envs, t);
  return t;
}

// metrics.jsonl as curve points (a line cut by a crash is skipped).
std::vector<store::CurvePoint> read_curve(const std::string& run_dir) {
  std::vector<store::CurvePoint> points;
  std::ifstream in(fs::path(run_dir) / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    try {
      auto j = ordered_json::parse(line);
      const int64_t step = j.at("step").get<int64_t>();
      j.erase("step");
      points.push_back({step, std::move(j)});
    } catch (const std::exception&) {
    }
  }
  return points;
}

// Training wall-clock over all sessions: the trainer's own clock in the last metric line.
double wall_seconds(const std::vector<store::CurvePoint>& curve, double fallback) {
  if (!curve.empty() && curve.back().metrics.contains("time") && curve.back().metrics["time"].is_number()) {
    return curve.back().metrics["time"].get<double>();
  }
  return fallback;
}

}  // namespace

std::unique_ptr<TrainRecorder> TrainRecorder::start(const std::string& store_path, const rl::TrainConfig& config,
                                                    const env::EnvRegistry& envs, const std::string& run_dir,
                                                    bool resume) {
  if (store_path.empty()) return nullptr;
  const std::string dir = normal_run_dir(run_dir);
  if (!resume && (fs::exists(fs::path(dir) / "checkpoint.ckpt") || fs::exists(fs::path(dir) / "metrics.jsonl"))) {
    return nullptr;  // train refuses to overwrite a run; nothing to record
  }
  std::unique_ptr<TrainRecorder> r(new TrainRecorder(store::Store::open(store_path), dir));
  auto& s = r->store_;
  r->eval_greedy_ = config.eval_greedy;
  if (resume) {
    if (const auto t = s.find_trial_by_run_dir(dir)) {
      if (t->status == store::Status::done) {
        log::info("store: this run is recorded as done (trial " + std::to_string(t->id) + "); not recording again");
        return nullptr;
      }
      auto tx = s.transaction();
      s.mark_running(t->id);
      s.set_experiment_status(t->experiment_id, store::Status::running);
      tx.commit();
      r->experiment_id_ = t->experiment_id;
      r->trial_id_ = t->id;
      r->wall_before_ = t->wall_seconds;
      log::info("store: continuing experiment " + std::to_string(t->experiment_id) + " in " + store_path);
      return r;
    }
    log::info("store: " + dir + " was not recorded before; recording it from now on");
  }
  store::TrialRecord trial = new_trial(config, envs, dir);
  if (const auto same = s.find_trial_by_cache_key(*trial.cache_key)) {
    log::info("store: trial " + std::to_string(same->id) + " (" + store::to_string(same->status) + ", " +
              same->run_dir + ") is the same training (cache key " + trial.cache_key->substr(0, 12) + ")");
    trial.cache_key.reset();
  }
  auto tx = s.transaction();
  trial.experiment_id =
      s.create_experiment("train", dir, config.to_json(), store::machine_facts(at::get_num_threads()));
  r->experiment_id_ = trial.experiment_id;
  r->trial_id_ = s.add_trial(trial);
  tx.commit();
  log::info("store: recording as experiment " + std::to_string(r->experiment_id_) + " in " + store_path);
  return r;
}

template <typename Fn>
void TrainRecorder::record(const char* what, Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    log::warning(std::string("store: could not record ") + what + " in " + store_.path() + ": " + e.what());
  }
}

void TrainRecorder::finish(const rl::TrainResult& result) {
  record("the end of the run", [&] {
    const auto curve = read_curve(run_dir_);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const double wall = wall_seconds(curve, wall_before_ + elapsed);
    auto tx = store_.transaction();
    store_.replace_curve(trial_id_, curve);
    if (result.interrupted) {
      store_.mark_stopped(trial_id_, result.steps, wall,
                          "interrupted; continue with: rlnas train --resume " + run_dir_);
      store_.set_experiment_status(experiment_id_, store::Status::stopped);
    } else {
      const ordered_json metrics = {
          {"eval_return_mean", result.eval.mean_return()},  {"eval_return_std", result.eval.std_return()},
          {"eval_episodes", result.eval.returns.size()},    {"eval_greedy", eval_greedy_},
          {"train_return_mean", result.recent_mean_return}, {"train_episodes", result.episodes}};
      store_.mark_done(trial_id_, result.steps, wall, metrics);
      store_.set_experiment_status(experiment_id_, store::Status::done);
    }
    tx.commit();
  });
}

void TrainRecorder::fail(const std::string& reason) {
  record("the failure", [&] {
    const auto curve = read_curve(run_dir_);
    auto tx = store_.transaction();
    store_.replace_curve(trial_id_, curve);
    store_.mark_failed(trial_id_, reason);
    auto t = *store_.trial(trial_id_);
    if (!curve.empty()) t.steps = curve.back().step;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    t.wall_seconds = wall_seconds(curve, wall_before_ + elapsed);
    store_.update_trial(t);
    store_.set_experiment_status(experiment_id_, store::Status::failed);
    tx.commit();
  });
}

}  // namespace rlnas::cli
