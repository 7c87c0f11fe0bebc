// The search driver: strategy phase, retrain protocol, summary (see search.h).
#include "rlnas/search/search.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "rlnas/core/config.h"
#include "rlnas/core/error.h"
#include "rlnas/core/io.h"
#include "rlnas/core/json_input.h"
#include "rlnas/core/log.h"
#include "rlnas/core/sha256.h"
#include "rlnas/core/stats.h"
#include "rlnas/rl/checkpoint.h"
#include "rlnas/search/tabular.h"
#include "rlnas/search/workload.h"
#include "rlnas/space/mixed.h"
#include "rlnas/space/supernet.h"

namespace rlnas::search {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

std::string json_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Steps of one training iteration of the algorithm (num_envs x num_steps for ppo / a2c).
int64_t rollout_steps(const ordered_json& train) {
  if (!train.contains("algo")) return 0;  // a supervised configuration: no rollouts
  const std::string algo = train.at("algo").get<std::string>();
  const auto envs = train.find(algo + ".num_envs"), steps = train.find(algo + ".num_steps");
  if (envs == train.end() || steps == train.end()) return 0;
  return envs->get<int64_t>() * steps->get<int64_t>();
}

// The training configuration of one trial: the search's base with `overrides`, validated.
rl::TrainConfig trial_config(const ordered_json& base, const json& overrides, const env::EnvRegistry& envs) {
  json cfg = base;
  for (const auto& [k, v] : overrides.items()) cfg[k] = v;
  return rl::config_from_json(cfg, envs);
}

// `workload_baselines`: the networks the trials' workload is measured against (Workload::baselines).
std::vector<std::pair<std::string, json>> baseline_overrides(const SearchConfig& c, const Workload& workload) {
  const auto workload_baselines = workload.baselines();
  std::vector<std::string> names;
  const std::string& b = c.search.baselines;
  if (b == "none") return {};
  if (b == "auto") {
    // The union of what the space and the workload name: the space's named architectures, the
    // workload's baselines, the space's other baselines; each once.
    const auto& space = space::find_space(c.search.space);
    for (const auto& n : space::named_architectures()) {
      if (n.arch.space == space.name()) names.push_back("named:" + n.name);
    }
    for (const auto& n : workload_baselines) names.push_back(n);
    // Backbones (net:NAME) are networks of an environment's workload; the synthetic one scores only
    // the space's architectures.
    for (const auto& n : space.baselines()) {
      if (workload.trains_backbones() || n.rfind("net:", 0) != 0) names.push_back(n);
    }
    std::vector<std::string> unique;
    for (const auto& n : names) {
      if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
    }
    names = unique;
  } else {
    size_t start = 0;
    while (start <= b.size()) {
      const size_t comma = b.find(',', start);
      auto item = b.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) names.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  std::vector<std::pair<std::string, json>> out;
  for (const auto& n : names) {
    if (n.rfind("named:", 0) == 0) {
      const auto& named = space::find_named_architecture(n.substr(6));
      out.push_back({named.name, rl::NetworkSpec::architecture(named.arch).keys()});
    } else if (n.rfind("net:", 0) == 0) {
      nn::NetOptions backbone;
      backbone.name = n.substr(4);
      out.push_back({n, rl::NetworkSpec::backbone(backbone).keys()});
    } else {
      throw Error("search.baselines: expected auto, none or a comma-separated list of named:NAME / net:NAME, found '" +
                  n + "'");
    }
  }
  return out;
}

class Driver {
 public:
  Driver(SearchConfig config, const env::EnvRegistry& envs, store::Store& store, TrialRunner& runner,
         SearchRunOptions options, int64_t experiment_id)
      : c_(std::move(config)),
        envs_(envs),
        store_(store),
        runner_(runner),
        o_(std::move(options)),
        exp_(experiment_id),
        space_(space::find_space(c_.search.space)),
        workload_(make_workload(rl::config_from_json(c_.train, envs_), envs_)) {
    train_steps_ = c_.train.at("steps").get<int64_t>();
    rule_ = selection_rule_of(c_.train, c_.search.select);
    base_seed_ = c_.train.at("seed").get<int64_t>();
    ctx_.envs = &envs_;
    ctx_.space = &space_;
    ctx_.options = c_.search;
    ctx_.search_steps = c_.search.search_steps > 0 ? c_.search.search_steps : train_steps_;
    ctx_.rollout_steps = rollout_steps(c_.train);
    ctx_.search_iterations = workload_->iterations(ctx_.search_steps);
    strategy_ = make_strategy(ctx_);
    io::create_folders(o_.out_dir, "--out (the search's trial folders)");
  }

  SearchSummary run() {
    info("experiment " + std::to_string(exp_) + " in " + store_.path() + "; follow it in a browser: rlnas --store " +
         store_.path() + " report --watch " + std::to_string(exp_));
    // Which key sets which budget (a config file's search.steps is not --steps): said up front.
    info("budgets: search phase " + std::to_string(ctx_.search_steps) + " " + workload_->budget_unit() + " (search.steps, " +
         "--search-steps" + (c_.search.search_steps > 0 ? "" : "; unset: one training's steps") +
         "); each retrain and baseline " + std::to_string(train_steps_) + " " + workload_->budget_unit() + " (steps, --steps), top " +
         std::to_string(c_.search.top_k) + " x " + std::to_string(c_.search.seeds) + " seeds");
    try {
      if (!search_phase()) return finish("stopped");
      if (!retrain_phase()) return finish("stopped");
      return finish("done");
    } catch (const std::exception& e) {
      log::error(std::string("search failed: ") + e.what());
      auto s = finish("failed");
      s.note = e.what();
      return s;
    }
  }

 private:
  bool stopping() const { return o_.stop && o_.stop->load(); }

  // The trial of this experiment for (architecture, seed, budget), planned once: a resumed search
  // finds the same trials; a done trial elsewhere in the store with the same cache key is copied.
  int64_t plan(store::Role role, const json& overrides, const json& sampler) {
    const auto config = trial_config(c_.train, overrides, envs_);
    // Without the network's cost first: a resumed search finds most trials already planned.
    store::TrialRecord t = describe_trial(config, envs_, /*with_cost=*/false);
    if (!sampler.is_null()) {
      // Who chose the supernet's paths (ENAS's controller, not uniform draws) makes it another
      // training: part of the architecture record and of the cache key.
      auto parts = cache_key_parts(config, envs_);
      parts.architecture["sampler"] = sampler;
      t.architecture = parts.architecture.dump();
      t.arch_id = sha256_hex(t.architecture);
      t.cache_key = store::trial_cache_key(parts);
    }
    const std::string plan_key = t.arch_id + "/" + std::to_string(t.seed) + "/" + std::to_string(t.budget);
    if (planned_.empty()) {
      for (const auto& x : store_.trials(exp_)) {
        planned_[x.arch_id + "/" + std::to_string(x.seed) + "/" + std::to_string(x.budget)] = x.id;
      }
    }
    if (const auto it = planned_.find(plan_key); it != planned_.end()) return it->second;
    if (!config.is_supernet()) {
      const auto costed = describe_trial(config, envs_);
      t.params = costed.params;
      t.flops = costed.flops;
      t.latency_ms = costed.latency_ms;
    }
    t.experiment_id = exp_;
    t.role = role;
    t.status = store::Status::pending;
    const auto same = store_.find_trial_by_cache_key(*t.cache_key);
    auto tx = store_.transaction();
    if (same && same->status == store::Status::done) {
      t.cache_key.reset();
      t.status = store::Status::done;
      t.metrics = same->metrics;
      t.steps = same->steps;
      t.wall_seconds = same->wall_seconds;
      t.run_dir = same->run_dir;
      t.checkpoint = same->checkpoint;
      t.reason = "cached: the same training as trial " + std::to_string(same->id) + " (experiment " +
                 std::to_string(same->experiment_id) + ")";
      const int64_t id = store_.add_trial(t);
      store_.replace_curve(id, store_.curve(same->id));
      tx.commit();
      planned_[plan_key] = id;
      return id;
    }
    if (same) t.cache_key.reset();  // another experiment's unfinished trial holds the key
    const int64_t id = store_.add_trial(t);
    t.id = id;
    char name[64];
    std::snprintf(name, sizeof name, "t%04lld-%s-s%lld", static_cast<long long>(id), store::to_string(role),
                  static_cast<long long>(t.seed));
    t.run_dir = fs::absolute(fs::path(o_.out_dir) / name).lexically_normal().string();
    t.checkpoint = (fs::path(t.run_dir) / "checkpoint.ckpt").string();
    store_.update_trial(t);
    tx.commit();
    // The run directory: configuration and how to run it.
    fs::create_directories(t.run_dir);
    io::write_file_atomic((fs::path(t.run_dir) / "config.json").string(), config.to_json().dump(2) + "\n",
                          io::Target::own);
    io::write_file_atomic((fs::path(t.run_dir) / kTrialFile).string(), json{{"sampler", sampler}}.dump(2) + "\n",
                          io::Target::own);
    planned_[plan_key] = id;
    return id;
  }

  // Runs every trial in `ids` that is not done or failed. False when stopped.
  bool run_trials(const std::vector<int64_t>& ids, const std::string& phase) {
    std::vector<int64_t> queue;
    std::set<int64_t> seen;
    for (const auto id : ids) {
      const auto t = store_.trial(id);
      if (!seen.insert(id).second || t->status == store::Status::done || t->status == store::Status::failed) continue;
      queue.push_back(id);
    }
    const size_t total = seen.size();
    size_t finished = total - queue.size();
    if (queue.empty()) return true;
    info(phase + ": " + std::to_string(queue.size()) + " of " + std::to_string(total) + " trainings to run, " +
         std::to_string(runner_.capacity()) + " at a time");
    size_t next = 0;
    bool interrupted = false;
    std::map<int64_t, std::string> running;
    auto last_progress = std::chrono::steady_clock::now();
    // Once stopping, no trial starts: the loop ends when the running ones have exited, whatever
    // is still pending (it stays pending; a resume runs it).
    while ((!interrupted && next < queue.size()) || runner_.running() > 0) {
      if (stopping() && !interrupted) {
        interrupted = true;
        info("stopping: asking the running trials to checkpoint");
        runner_.interrupt();
      }
      while (!interrupted && next < queue.size() && runner_.running() < runner_.capacity()) {
        const int64_t id = queue[next++];
        auto t = *store_.trial(id);
        store_.mark_running(id);
        runner_.start(id, t.run_dir);
        running[id] = t.run_dir;
        info("  started trial " + std::to_string(id) + " (" + store::to_string(t.role) + ", " + describe(t) + ")");
      }
      if (const auto e = runner_.wait(0.5)) {
        running.erase(e->trial_id);
        ++finished;
        record(*e);
        const auto t = *store_.trial(e->trial_id);
        char buf[512];
        if (t.status == store::Status::done) {
          // The rule's two figures, by the names the summary gives them ("-" where a trial has none:
          // a supernet is not tested).
          const auto figure = [&](const std::string& metric) {
            const auto v = t.metric(metric.c_str());
            char text[32] = "-";
            if (v) std::snprintf(text, sizeof text, "%.3f", *v);
            return std::string(text);
          };
          std::snprintf(buf, sizeof buf, "  [%zu/%zu] trial %lld done in %.0f s: %s %s, %s %s", finished, total,
                        static_cast<long long>(t.id), e->seconds, rule_.name().c_str(),
                        figure(rule_.metric()).c_str(), rule_.test_name().c_str(), figure(rule_.test_metric).c_str());
        } else {
          std::snprintf(buf, sizeof buf, "  [%zu/%zu] trial %lld %s: %s", finished, total, static_cast<long long>(t.id),
                        store::to_string(t.status), t.reason.c_str());
        }
        info(buf);
      } else if (!interrupted && !running.empty() &&
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - last_progress).count() >=
                     o_.progress_seconds) {
        last_progress = std::chrono::steady_clock::now();
        std::string line = "  running:";
        for (const auto& [id, dir] : running) {
          const auto curve = read_curve(dir);
          const auto t = *store_.trial(id);
          char buf[128];
          std::snprintf(buf, sizeof buf, " trial %lld %.0f%%", static_cast<long long>(id),
                        curve.empty() ? 0.0
                                      : 100.0 * static_cast<double>(curve.back().step) /
                                            static_cast<double>(std::max<int64_t>(1, t.budget)));
          line += buf;
          if (!curve.empty() && curve.back().metrics.value("return_mean", json()).is_number()) {
            std::snprintf(buf, sizeof buf, " (return %.2f)", curve.back().metrics["return_mean"].get<double>());
            line += buf;
          }
        }
        info(line);
      }
    }
    return !interrupted;
  }

  static std::string describe(const store::TrialRecord& t) {
    if (t.space.empty()) return t.architecture + " seed " + std::to_string(t.seed);
    return t.space + " " + t.arch_id.substr(0, 12) + " seed " + std::to_string(t.seed);
  }

  void record(const TrialExit& e) {
    auto t = *store_.trial(e.trial_id);
    const auto curve = read_curve(t.run_dir);
    const auto result = read_trial_result(t.run_dir);
    const double wall = !curve.empty() && curve.back().metrics.value("time", json()).is_number()
                            ? curve.back().metrics["time"].get<double>()
                            : t.wall_seconds + e.seconds;
    auto tx = store_.transaction();
    store_.replace_curve(t.id, curve);
    if (e.kind == TrialExit::Kind::done) {
      store_.mark_done(t.id, result->steps, wall, result->metrics);
      import_snapshots(t);
    } else if (e.kind == TrialExit::Kind::stopped) {
      const int64_t steps = result ? result->steps : (curve.empty() ? t.steps : curve.back().step);
      store_.mark_stopped(t.id, steps, wall, "interrupted; the search resumes it from its checkpoint");
    } else {
      store_.mark_failed(t.id, e.reason);
      t = *store_.trial(t.id);
      if (!curve.empty()) t.steps = curve.back().step;
      t.wall_seconds = wall;
      store_.update_trial(t);
    }
    tx.commit();
  }

  // The trial's snapshots.jsonl (ENAS controller), the last line per (step, kind).
  void import_snapshots(const store::TrialRecord& t) {
    std::ifstream in(fs::path(t.run_dir) / kSnapshotsFile);
    std::map<std::pair<int64_t, std::string>, json> lines;
    std::string line;
    while (std::getline(in, line)) {
      try {
        check_json_depth(line, kSnapshotsFile);
        auto j = json::parse(line);
        lines[{j.at("step").get<int64_t>(), j.at("kind").get<std::string>()}] = j.at("payload");
      } catch (const std::exception&) {
      }
    }
    for (const auto& [key, payload] : lines) {
      json p = payload;
      p["trial_id"] = t.id;
      store_.add_snapshot(exp_, key.first, key.second, p);
    }
  }

  TrialOutcome outcome(int64_t id, const TrialRequest& request) const {
    const auto t = *store_.trial(id);
    TrialOutcome o;
    o.request = request;
    o.trial_id = id;
    o.ok = t.status == store::Status::done;
    o.reason = t.reason;
    o.run_dir = t.run_dir;
    o.steps = t.steps;
    o.metrics = t.metrics;
    for (const auto& name : workload_->entry().objectives) {  // what the strategy maximises
      if (const auto r = t.metric(name.c_str())) o.objectives.push_back(*r);
    }
    return o;
  }

  bool search_phase() {
    const auto states = store_.snapshots(exp_, "strategy_state");
    if (!states.empty()) strategy_->load(states.back().payload);
    if (!strategy_->done()) {
      info("phase 1/3: search (" + strategy_->name() + " on " + space_.name() + ", " +
           std::to_string(ctx_.search_steps) + " " + workload_->budget_unit() + ")");
    }
    while (!strategy_->done()) {
      const auto requests = strategy_->propose(runner_.capacity());
      if (requests.empty()) throw Error("strategy " + strategy_->name() + " proposed nothing and is not done");
      std::vector<int64_t> ids;
      for (const auto& r : requests) ids.push_back(plan(store::Role::train, r.overrides, r.sampler));
      if (!run_trials(ids, "search")) return false;
      for (size_t i = 0; i < ids.size(); ++i) strategy_->observe(outcome(ids[i], requests[i]));
      auto tx = store_.transaction();
      int64_t step = 0;
      for (const auto id : ids) step = std::max(step, store_.trial(id)->steps);
      for (const auto& [kind, payload] : strategy_->take_snapshots()) store_.add_snapshot(exp_, step, kind, payload);
      store_.add_snapshot(exp_, step, "strategy_state", strategy_->save());
      tx.commit();
    }
    return true;
  }

  struct Planned {
    RowKind kind;
    std::string label;
    std::optional<double> proxy;
    std::vector<int64_t> trials;
  };

  // What every retrain and baseline overrides: the budget, and the evaluation episodes of a
  // workload that has them (search.eval_episodes).
  json budget_overrides() const {
    json o = {{"steps", train_steps_}};
    if (c_.train.contains("eval.episodes")) o["eval.episodes"] = c_.search.eval_episodes;
    return o;
  }

  std::vector<Planned> plan_protocol() {
    std::vector<Planned> rows;
    const auto ranking = strategy_->ranking();
    // A tabular strategy retrains every candidate: the space's benchmark.
    const bool tabular = find_strategy(strategy_->name()).tabular;
    const size_t k = tabular ? ranking.size() : std::min(ranking.size(), static_cast<size_t>(c_.search.top_k));
    const auto role = tabular ? store::Role::benchmark : store::Role::retrain;
    const json common = budget_overrides();
    for (size_t i = 0; i < k; ++i) {
      Planned p{RowKind::candidate, "candidate " + std::to_string(i + 1), ranking[i].proxy, {}};
      for (int64_t s = 0; s < c_.search.seeds; ++s) {
        json o = common;
        o.update(rl::NetworkSpec::architecture(ranking[i].arch).keys());
        o["seed"] = base_seed_ + s;
        p.trials.push_back(plan(role, o, json()));
      }
      rows.push_back(std::move(p));
    }
    for (const auto& [label, overrides] : baseline_overrides(c_, *workload_)) {
      Planned p{RowKind::baseline, label, std::nullopt, {}};
      for (int64_t s = 0; s < c_.search.seeds; ++s) {
        json o = common;
        o.update(overrides);
        o["seed"] = base_seed_ + s;
        p.trials.push_back(plan(store::Role::baseline, o, json()));
      }
      rows.push_back(std::move(p));
    }
    return rows;
  }

  bool retrain_phase() {
    planned_rows_ = plan_protocol();
    std::vector<int64_t> ids;
    for (const auto& r : planned_rows_) ids.insert(ids.end(), r.trials.begin(), r.trials.end());
    info("phase 2/3: retrain " + std::to_string(planned_rows_.size()) + " architectures from scratch over " +
         std::to_string(c_.search.seeds) + " seeds (" + std::to_string(train_steps_) + " " + workload_->budget_unit() +
         " each)");
    return run_trials(ids, "retrain");
  }

  SummaryRow row_of(const Planned& p) const {
    std::vector<store::TrialRecord> trials;
    for (const auto id : p.trials) trials.push_back(*store_.trial(id));
    SummaryRow r = summarize_trials(trials, rule_);
    r.kind = p.kind;
    r.label = p.label;
    r.proxy = p.proxy;
    return r;
  }

  // Random search's best-of-K under the selection rule, from the store's tabular benchmark of this
  // space with the same training settings (every architecture with at least one done seed), if
  // there is one.
  std::optional<SummaryRow> random_search_row(std::string* note, DiscreteDistribution* null = nullptr) const {
    if (space_.size() > 1000) return std::nullopt;
    std::vector<SummaryRow> benchmark;
    for (const auto& arch : space_.enumerate()) {
      std::vector<store::TrialRecord> trials;
      for (int64_t s = 0; s < c_.search.seeds; ++s) {
        json o = rl::NetworkSpec::architecture(arch).keys();
        o.update(budget_overrides());
        o["seed"] = base_seed_ + s;
        const auto key = store::trial_cache_key(cache_key_parts(trial_config(c_.train, o, envs_), envs_));
        const auto trial = store_.find_trial_by_cache_key(key);
        if (trial && trial->status == store::Status::done) trials.push_back(*trial);
      }
      auto row = summarize_trials(trials, rule_);
      if (!row.selection || !row.total_reward) {
        *note = "random search: no tabular benchmark of " + space_.name() +
                " with these settings in the store (run rlnas search --strategy grid with the same settings)";
        return std::nullopt;
      }
      benchmark.push_back(std::move(row));
    }
    if (null) *null = search::random_search_null(benchmark, c_.search.top_k);
    return search::random_search_row(benchmark, c_.search.top_k);
  }

  SearchSummary finish(const std::string& status) {
    SearchSummary s;
    s.experiment_id = exp_;
    s.status = status;
    s.strategy = strategy_->name();
    s.proxy_name = strategy_->proxy_name();
    s.rule = rule_;
    if (status == "done") {
      info("phase 3/3: summary");
      for (const auto& p : planned_rows_) s.rows.push_back(row_of(p));
      insert_found_row(s.rows);
      const auto& kinds = find_strategy(strategy_->name()).row_kinds;
      std::optional<DiscreteDistribution> null;
      if (std::find(kinds.begin(), kinds.end(), RowKind::random_search) != kinds.end()) {
        DiscreteDistribution d;
        if (auto r = random_search_row(&s.note, &d)) {
          s.rows.push_back(*r);
          null = d;
        }
      }
      s.comparisons = compare_found(s.rows, null ? &*null : nullptr);
      json learned = strategy_->learned();
      for (const auto& w : learned.value("warnings", json::array())) s.warnings.push_back(w.get<std::string>());
      learned.erase("warnings");
      // The supernet's training return beside a fixed network's trained from scratch (the first
      // baseline): a supernet far below it learned little (their budgets: search.steps vs steps).
      if (learned.contains("supernet_return")) {
        for (const auto& r : s.rows) {
          if (r.kind != RowKind::baseline || !r.reward_mean) continue;
          learned["fixed_network"] = r.label;
          learned["fixed_network_return"] = *r.reward_mean;
          learned["fixed_network_steps"] = train_steps_;
          break;
        }
      }
      s.learning = learned;
      // "The last 100 episodes" over fewer episodes is the whole run's average.
      std::optional<int64_t> fewest;
      for (const auto& r : s.rows) {
        if (r.min_train_episodes) fewest = fewest ? std::min(*fewest, *r.min_train_episodes) : *r.min_train_episodes;
      }
      if (fewest && *fewest < kMinSelectionEpisodes && rule_.select == "reward_mean") {
        s.warnings.push_back(
            "only " + std::to_string(*fewest) +
            " training episodes ended in some trainings: their "
            "reward mean (\"the last 100 episodes\") averages the whole run, early episodes "
            "included; search.select=late_return selects on the episodes of the last 20% of the steps");
      }
      for (const auto& w : s.warnings) log::warning(w);
    }
    try {
      auto tx = store_.transaction();
      if (status == "done") store_.add_snapshot(exp_, 0, "summary", s.to_json());
      store_.set_experiment_status(exp_, store::parse_status(status));
      tx.commit();
    } catch (const std::exception& e) {
      log::error(std::string("store: could not record the end of the search: ") + e.what());
    }
    return s;
  }

  void info(const std::string& line) const {
    if (!o_.quiet) log::info(line);
  }

  SearchConfig c_;
  const env::EnvRegistry& envs_;
  store::Store& store_;
  TrialRunner& runner_;
  SearchRunOptions o_;
  int64_t exp_;
  const space::SearchSpace& space_;
  StrategyContext ctx_;
  std::unique_ptr<SearchStrategy> strategy_;
  int64_t train_steps_ = 0, base_seed_ = 0;
  std::map<std::string, int64_t> planned_;
  std::unique_ptr<Workload> workload_;  // what every trial trains
  SelectionRule rule_;
  std::vector<Planned> planned_rows_;
};

std::string default_out_dir(const store::Store& store, int64_t experiment_id) {
  return (fs::absolute(store.path()).parent_path() / ("search-" + std::to_string(experiment_id)))
      .lexically_normal()
      .string();
}

}  // namespace

ordered_json SearchConfig::to_json() const {
  OptionTable t;
  auto copy = search;
  copy.bind(t);
  ordered_json s;
  const ordered_json values = t.to_json();
  for (const auto& [k, v] : values.items()) s[k] = v;
  return {{"search", s}, {"train", train}};
}

SearchConfig resolve_search_config(const SearchSources& sources, const env::EnvRegistry& envs) {
  SearchConfig c;
  OptionTable table;
  c.search.bind(table);
  rl::TrainSources train;
  const auto is_search = [](const std::string& key) {
    for (const auto& k : rl::NetworkSpec::space_keys()) {
      if (key == k) throw Error("a search chooses the network: give the space as search.space (--space), not " + k);
    }
    return key.rfind("search.", 0) == 0;
  };
  if (sources.config_file) {
    for (auto& e : read_config_file(*sources.config_file)) {
      if (is_search(e.key)) {
        table.set(e.key, e.value, e.where);
      } else {
        train.entries.push_back(e);
      }
    }
  }
  for (const auto& s : sources.sets) {
    const auto [k, v] = split_key_value(s, "--set");
    if (is_search(k)) {
      table.set(k, v, "--set " + s);
    } else {
      train.sets.push_back(s);
    }
  }
  for (const auto& [k, v] : sources.flags) {
    if (is_search(k)) {
      table.set(k, v, "--" + k.substr(7));
    } else {
      train.flags.push_back({k, v});
    }
  }
  train.env_options = sources.env_options;
  const rl::TrainConfig base = rl::resolve_train_config(train, envs);
  c.train = base.to_json();
  const auto& space = space::find_space(c.search.space);
  // The space's networks must fit the environment, and one-shot strategies need a supernet.
  Mt19937 rng(1);
  const auto arch = space.sample(rng);
  const auto probe = trial_config(c.train, rl::NetworkSpec::architecture(arch).keys(), envs);
  const auto workload = make_workload(probe, envs);
  const auto obs_shape = workload->input_shape();
  if (!obs_shape.empty()) {
    try {
      space.build(arch, obs_shape);
    } catch (const std::exception& e) {
      throw Error("space '" + space.name() + "' does not fit the inputs of " + workload->name() + ": " + e.what());
    }
  }
  make_strategy({&envs, &space, c.search, 1, 1});  // its validate(): e.g. grid refuses large spaces
  // The supernet the strategy's search phase trains must fit the algorithm and be buildable.
  const auto& entry = find_strategy(c.search.strategy);
  if (entry.supernet && !workload->trains_supernets()) {
    throw Error("strategy " + entry.name + " trains a supernet on an environment; the " + workload->kind() +
                " workload trains single architectures so far: use a multi-trial strategy (random, grid)");
  }
  if (entry.supernet) {
    const bool single_path = *entry.supernet == rl::SupernetKind::single_path;
    trial_config(c.train, rl::NetworkSpec::supernet(space.name(), *entry.supernet).keys(), envs);
    try {
      if (single_path) {
        space::make_supernet(space, space.default_input_shape());
      } else {
        space::make_mixed_supernet(space, obs_shape, {rl::to_string(*entry.supernet)});
      }
    } catch (const Error& e) {
      throw Error("strategy " + entry.name + " needs a " +
                  (single_path ? std::string("weight-sharing") : std::string("differentiable")) +
                  " supernet: " + e.what());
    }
  }
  // Each baseline is a network this workload can train, checked before the experiment exists.
  for (const auto& [name, keys] : baseline_overrides(c, *workload)) {
    try {
      trial_config(c.train, keys, envs);
    } catch (const Error& e) {
      throw Error("search.baselines: " + name + ": " + e.what());
    }
  }
  return c;
}

SearchConfig search_config_from_json(const json& stored, const env::EnvRegistry& envs) {
  if (!stored.is_object() || !stored.contains("search") || !stored.contains("train")) {
    throw Error("not a search configuration (expected {\"search\": ..., \"train\": ...}): " + json_excerpt(stored));
  }
  SearchConfig c;
  OptionTable table;
  c.search.bind(table);
  for (const auto& [k, v] : stored.at("search").items()) table.set(k, json_text(v), "stored configuration");
  // Stored before ENAS rewarded rollout returns (training-semantics version 2): it resumes with the
  // reward it started with.
  if (!stored.at("search").contains("search.enas.reward")) {
    table.set("search.enas.reward", "episode_return", "stored configuration (before search.enas.reward existed)");
  }
  c.train = rl::config_from_json(stored.at("train"), envs).to_json();
  return c;
}

SearchSummary run_search(const SearchConfig& config, const env::EnvRegistry& envs, store::Store& store,
                         TrialRunner& runner, const SearchRunOptions& options) {
  SearchRunOptions o = options;
  int64_t id = 0;
  {
    auto tx = store.transaction();
    id = store.create_experiment("search", config.search.strategy + " " + config.search.space, config.to_json(),
                                 store::machine_facts(at::get_num_threads()));
    tx.commit();
  }
  const auto lock = store.take_experiment_lock(id);
  if (o.on_start) o.on_start(id);
  if (o.out_dir.empty()) o.out_dir = default_out_dir(store, id);
  if (!o.quiet)
    log::info("search: experiment " + std::to_string(id) + " in " + store.path() + ", trials in " + o.out_dir);
  // The experiment's name is where its trials live, for resume.
  store.add_snapshot(id, 0, "out_dir", {{"out_dir", o.out_dir}});
  return Driver(config, envs, store, runner, o, id).run();
}

SearchSummary resume_search(int64_t experiment_id, const env::EnvRegistry& envs, store::Store& store,
                            TrialRunner& runner, SearchRunOptions options) {
  const auto e = store.experiment(experiment_id);
  if (!e) throw Error("experiment " + std::to_string(experiment_id) + " is not in " + store.path());
  if (e->kind != "search") {
    throw Error("experiment " + std::to_string(experiment_id) + " is a '" + e->kind + "' experiment, not a search");
  }
  if (options.on_start) options.on_start(experiment_id);
  if (e->status == store::Status::done) {
    const auto summaries = store.snapshots(experiment_id, "summary");
    if (!summaries.empty()) {
      if (!options.quiet) log::info("search " + std::to_string(experiment_id) + " is already done");
      return SearchSummary::from_json(summaries.back().payload);
    }
  }
  const auto lock = store.take_experiment_lock(experiment_id);  // one process per experiment
  const auto config = search_config_from_json(e->config, envs);
  if (options.out_dir.empty()) {
    const auto dirs = store.snapshots(experiment_id, "out_dir");
    options.out_dir =
        dirs.empty() ? default_out_dir(store, experiment_id) : dirs.back().payload.at("out_dir").get<std::string>();
  }
  store.set_experiment_status(experiment_id, store::Status::running);
  if (!options.quiet)
    log::info("resuming search " + std::to_string(experiment_id) + " (trials in " + options.out_dir + ")");
  return Driver(config, envs, store, runner, options, experiment_id).run();
}

}  // namespace rlnas::search
