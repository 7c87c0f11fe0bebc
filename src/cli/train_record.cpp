// Recording `rlnas train` runs in the experiment store (see train_record.h).
#include "train_record.h"

#include <filesystem>
#include <fstream>

#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/log.h"
#include "rlnas/search/trial.h"

namespace rlnas::cli {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

std::string normal_run_dir(const std::string& run_dir) {
  fs::path p = fs::absolute(run_dir).lexically_normal();
  if (!p.has_filename() && p.has_parent_path()) p = p.parent_path();
  return p.string();
}

namespace {

// The trial of a new run: architecture, seed, budget, cache key, cost, run directory.
store::TrialRecord new_trial(const rl::TrainConfig& config, const env::EnvRegistry& envs, const std::string& run_dir) {
  store::TrialRecord t = search::describe_trial(config, envs);
  t.role = store::Role::train;
  t.status = store::Status::running;
  t.run_dir = run_dir;
  t.checkpoint = (fs::path(run_dir) / "checkpoint.ckpt").string();
  return t;
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
                                                    bool resume, std::optional<int64_t> previous_steps) {
  if (store_path.empty()) return nullptr;
  const std::string dir = normal_run_dir(run_dir);
  if (!resume && (fs::exists(fs::path(dir) / "checkpoint.ckpt") || fs::exists(fs::path(dir) / "metrics.jsonl"))) {
    return nullptr;  // train refuses to overwrite a run; nothing to record
  }
  std::unique_ptr<TrainRecorder> r(new TrainRecorder(store::Store::open(store_path), dir));
  auto& s = r->store_;
  r->eval_greedy_ = config.rl.eval_greedy;
  if (resume) {
    if (const auto t = s.find_trial_by_run_dir(dir)) {
      const auto e = s.experiment(t->experiment_id);
      if (e && e->kind != "train") {
        throw Error("'" + dir + "' is trial " + std::to_string(t->id) + " of " + e->kind + " experiment " +
                    std::to_string(e->id) + ": only its search continues it, and updates only that trial: rlnas " +
                    "--store " + store_path + " search --resume " + std::to_string(e->id));
      }
      // The run goes on only with the configuration it was recorded with (its cache key): an edited
      // config.json would otherwise finish under the old key, and later searches reuse it as "the
      // same training". A budget extension is recorded as one, with the new budget's key.
      auto now = new_trial(config, envs, dir);
      const bool extends = previous_steps && t->budget == *previous_steps && now.budget != t->budget;
      if (!extends && ((t->cache_key && now.cache_key != t->cache_key) || now.budget != t->budget ||
                       now.seed != t->seed || now.architecture != t->architecture)) {
        std::string detail;
        if (e && e->config.is_object()) {
          const auto now_json = config.to_json();
          for (const auto& [k, v] : now_json.items()) {
            if (!e->config.contains(k)) continue;
            const auto was = e->config[k].dump(), is = v.dump();
            if (was != is) detail += "\n  " + k + ": " + excerpt(was, 60) + " -> " + excerpt(is, 60);
          }
        }
        throw Error("'" + dir + "/config.json' is not the configuration the store recorded for this run (trial " +
                    std::to_string(t->id) + " in " + store_path + ")" + (detail.empty() ? "" : " (recorded -> now):") +
                    detail +
                    "\na run's configuration is fixed when it starts: restore config.json, or start a new run "
                    "(to train longer: rlnas train --resume " +
                    dir + " --steps N)");
      }
      if (t->status == store::Status::done && !extends) {
        log::info("store: this run is recorded as done (trial " + std::to_string(t->id) + "); not recording again");
        return nullptr;
      }
      r->lock_ = s.take_experiment_lock(t->experiment_id);
      r->trial_before_ = *t;
      if (e) r->experiment_before_ = e->status;
      const bool restarts = !fs::exists(fs::path(dir) / "checkpoint.ckpt");
      if (now.cache_key) {
        if (const auto same = s.find_trial_by_cache_key(*now.cache_key); same && same->id != t->id) {
          log::info("store: trial " + std::to_string(same->id) + " is the same training (cache key " +
                    now.cache_key->substr(0, 12) + ")");
          now.cache_key.reset();
        }
      }
      auto tx = s.transaction();
      int64_t id = t->id;
      if (extends && t->status == store::Status::done) {
        // A finished trial is final: the longer run is a new trial of the same experiment.
        now.experiment_id = t->experiment_id;
        now.steps = t->steps;
        now.wall_seconds = t->wall_seconds;
        id = s.add_trial(now);
      } else if (extends) {
        auto longer = *s.trial(t->id);
        longer.budget = now.budget;
        longer.cache_key = now.cache_key;
        s.update_trial(longer);
      }
      if (extends) {
        s.add_snapshot(t->experiment_id, t->steps, "budget_extended",
                       {{"trial_id", id}, {"from", *previous_steps}, {"to", now.budget}, {"at", store::now_utc()}});
      }
      if (restarts) {
        // Killed before its first checkpoint: the run starts again at step 0, and so does its record.
        auto reset = *s.trial(id);
        reset.steps = 0;
        reset.wall_seconds = 0;
        s.update_trial(reset);
        s.replace_curve(id, {});
      }
      s.mark_running(id);
      s.set_experiment_status(t->experiment_id, store::Status::running);
      tx.commit();
      r->experiment_id_ = t->experiment_id;
      r->trial_id_ = id;
      r->wall_before_ = restarts ? 0.0 : t->wall_seconds;
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
  r->created_ = true;
  r->lock_ = s.take_experiment_lock(r->experiment_id_);
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
  ordered_json metrics;
  if (!result.interrupted) {
    metrics = {{"eval_return_mean", result.eval.mean_return()},  {"eval_return_std", result.eval.std_return()},
               {"eval_episodes", result.eval.returns.size()},    {"eval_greedy", eval_greedy_},
               {"train_return_mean", result.recent_mean_return}, {"train_episodes", result.episodes}};
  }
  finish(result.interrupted, result.steps, metrics);
}

void TrainRecorder::finish(bool interrupted, int64_t steps, const ordered_json& metrics) {
  try {
    const auto curve = search::read_curve(run_dir_);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const double wall = wall_seconds(curve, wall_before_ + elapsed);
    auto tx = store_.transaction();
    store_.replace_curve(trial_id_, curve);
    if (interrupted) {
      store_.mark_stopped(trial_id_, steps, wall, "interrupted; continue with: rlnas train --resume " + run_dir_);
      store_.set_experiment_status(experiment_id_, store::Status::stopped);
    } else {
      store_.mark_done(trial_id_, steps, wall, metrics);
      // A differentiable supernet's alpha over time, as a search stores it (exports carry it).
      const auto alpha = search::read_alpha_record(run_dir_);
      if (!alpha.alpha.is_null()) {
        store_.add_snapshot(experiment_id_, steps, "alpha", alpha.alpha);
        store_.add_snapshot(experiment_id_, steps, "discretized_sequence", {{"sequence", alpha.sequence}});
      }
      store_.set_experiment_status(experiment_id_, store::Status::done);
    }
    tx.commit();
  } catch (const std::exception& e) {
    throw Error("the run directory " + run_dir_ + " is complete, but recording its end in the store " + store_.path() +
                " failed: " + e.what() + "; once that is mended, `rlnas train --resume " + run_dir_ + "` records it");
  }
}

void TrainRecorder::refused() {
  record("the refused start", [&] {
    auto tx = store_.transaction();
    if (created_) {
      store_.delete_experiment(experiment_id_);
    } else if (trial_before_ && trial_before_->id == trial_id_) {
      store_.update_trial(*trial_before_);
      store_.set_experiment_status(experiment_id_, experiment_before_);
    } else {  // a trial added for a longer budget
      store_.mark_failed(trial_id_, "refused to start");
      store_.set_experiment_status(experiment_id_, experiment_before_);
    }
    tx.commit();
  });
}

void TrainRecorder::fail(const std::string& reason) {
  record("the failure", [&] {
    const auto curve = search::read_curve(run_dir_);
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
