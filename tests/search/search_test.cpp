// The search driver with trials run in this process: strategies, the retrain protocol, caching,
// the tabular benchmark and random search's expected best-of-K, resume.
#include "rlnas/search/search.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "../common/error_of.h"
#include "../rl/run_test_util.h"
#include "rlnas/rl/workloads.h"
#include "rlnas/search/summary.h"
#include "rlnas/search/trial.h"
#include "rlnas/store/cache_key.h"
#include "rlnas/search/workload.h"

namespace rlnas::search {
namespace {

namespace fs = std::filesystem;
using test_util::error_of;

// A tiny search on MinAtar Breakout over minatar/ss1: 512-step trainings of 4 x 32 steps.
SearchSources tiny(const std::string& strategy) {
  SearchSources s;
  s.flags = {{"env", "minatar/breakout"},
             {"algo", "ppo"},
             {"steps", "512"},
             {"search.strategy", strategy},
             {"search.space", "minatar/ss1"},
             {"search.seeds", "1"},
             {"search.top_k", "2"},
             {"search.eval_episodes", "2"},
             {"search.proxy_episodes", "1"},
             {"search.baselines", "named:minatar/ss1/nature"}};
  s.sets = {"ppo.num_envs=4", "ppo.num_steps=32", "checkpoint_every=0", "log_every=128"};
  return s;
}

SearchRunOptions quiet() {
  SearchRunOptions o;
  o.quiet = true;
  return o;
}

struct Fixture {
  fs::path dir;
  store::Store store;
  explicit Fixture(const std::string& name)
      : dir(rl::test_util::fresh_dir("search_test", name)), store(store::Store::open((dir / "s.db").string())) {}
  SearchSummary run(const SearchSources& sources) {
    InProcessRunner runner(rl::test_util::registry());
    const auto config = resolve_search_config(sources, rl::test_util::registry());
    return run_search(config, rl::test_util::registry(), store, runner, quiet());
  }
};

const SummaryRow* row(const SearchSummary& s, const std::string& kind) {
  for (const auto& r : s.rows) {
    if (to_string(r.kind) == kind) return &r;
  }
  return nullptr;
}

TEST(Search, RandomRetrainsKDistinctArchitecturesAndTheBaseline) {
  Fixture f("random");
  const auto s = f.run(tiny("random"));
  ASSERT_EQ(s.status, "done") << s.note;
  const auto trials = f.store.trials(s.experiment_id);
  std::set<std::string> archs;
  for (const auto& t : trials) {
    EXPECT_EQ(t.status, store::Status::done) << t.reason;
    EXPECT_EQ(t.budget, 512);
    EXPECT_GE(t.steps, 512);
    EXPECT_TRUE(t.metrics.contains("eval_return_mean"));
    EXPECT_EQ(t.metrics["eval_episodes"], 2);
    EXPECT_GT(f.store.curve_length(t.id), 0);
    archs.insert(t.arch_id);
  }
  // 2 candidates + the Nature analog (unless a candidate is it), one seed each
  EXPECT_GE(trials.size(), 2u);
  EXPECT_LE(trials.size(), 3u);
  EXPECT_EQ(archs.size(), trials.size());
  ASSERT_NE(row(s, "found"), nullptr);
  ASSERT_NE(row(s, "baseline"), nullptr);
  EXPECT_EQ(row(s, "baseline")->label, "minatar/ss1/nature");
  EXPECT_TRUE(row(s, "found")->reward_mean.has_value());
  // no tabular benchmark in this store: no random-search row, and the summary says why
  EXPECT_EQ(row(s, "random"), nullptr);
  EXPECT_NE(s.note.find("tabular benchmark"), std::string::npos);
  // the summary is stored and the experiment done
  EXPECT_EQ(f.store.experiment(s.experiment_id)->status, store::Status::done);
  EXPECT_EQ(f.store.snapshots(s.experiment_id, "summary").size(), 1u);
}

TEST(Search, SameTrainingsAreNeverTrainedTwiceAndGridMakesTheTabularBenchmark) {
  Fixture f("grid");
  auto grid = tiny("grid");
  grid.flags.push_back({"search.baselines", "none"});
  const auto g = f.run(grid);
  ASSERT_EQ(g.status, "done") << g.note;
  const auto benchmark = f.store.trials(g.experiment_id);
  ASSERT_EQ(benchmark.size(), 25u);
  for (const auto& t : benchmark) {
    EXPECT_EQ(t.role, store::Role::benchmark);
    EXPECT_EQ(t.status, store::Status::done);
  }
  // A random search with the same settings: every trial is a copy of a benchmark trial, and the
  // summary now has random search's expected best-of-K from the benchmark.
  const auto s = f.run(tiny("random"));
  ASSERT_EQ(s.status, "done") << s.note;
  for (const auto& t : f.store.trials(s.experiment_id)) {
    EXPECT_NE(t.reason.find("cached"), std::string::npos) << t.reason;
    EXPECT_FALSE(t.cache_key.has_value());
  }
  const auto* r = row(s, "random");
  ASSERT_NE(r, nullptr) << s.note;
  std::vector<double> scores;
  for (const auto& t : benchmark) scores.push_back(t.metrics["train_return_mean"].get<double>());
  std::sort(scores.begin(), scores.end());
  EXPECT_LE(*r->reward_mean, scores.back() + 1e-9);
  EXPECT_GE(*r->reward_mean, scores[scores.size() / 2] - 1e-9);  // best of 2 is above the median on average
  EXPECT_NE(s.table().find("random search (best of 2"), std::string::npos);
}

TEST(Search, SposTrainsOneSupernetScoresEveryArchitectureAndRetrainsTheTopK) {
  Fixture f("spos");
  const auto s = f.run(tiny("spos"));
  ASSERT_EQ(s.status, "done") << s.note;
  const auto trials = f.store.trials(s.experiment_id);
  ASSERT_FALSE(trials.empty());
  EXPECT_EQ(trials[0].role, store::Role::train);
  EXPECT_NE(trials[0].architecture.find("supernet"), std::string::npos);
  const auto proxies = f.store.snapshots(s.experiment_id, "proxy_scores");
  ASSERT_EQ(proxies.size(), 1u);
  const auto& scores = proxies[0].payload["scores"];
  ASSERT_EQ(scores.size(), 25u);
  for (size_t i = 1; i < scores.size(); ++i) EXPECT_GE(scores[i - 1]["proxy"], scores[i]["proxy"]);
  // the candidates are the two best proxies, in order
  std::vector<std::string> candidates;
  for (const auto& r : s.rows) {
    if (r.kind == RowKind::candidate) {
      candidates.push_back(r.arch_id.substr(0, 12));
      EXPECT_TRUE(r.proxy.has_value());
    }
  }
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0], scores[0]["id"]);
  EXPECT_EQ(candidates[1], scores[1]["id"]);
  EXPECT_EQ(s.proxy_name, "proxy reward");
}

TEST(Search, EnasRanksByControllerProbabilityAndStoresItsSnapshots) {
  Fixture f("enas");
  auto src = tiny("enas");
  src.flags.push_back({"search.steps", "2048"});
  src.sets.push_back("search.enas.batch=2");
  const auto s = f.run(src);
  ASSERT_EQ(s.status, "done") << s.note;
  EXPECT_EQ(s.proxy_name, "controller probability");
  const auto controller = f.store.snapshots(s.experiment_id, "controller");
  EXPECT_FALSE(controller.empty());  // 16 children, some rewarded: at least one update
  double previous = 2;
  for (const auto& r : s.rows) {
    if (r.kind != RowKind::candidate) continue;
    ASSERT_TRUE(r.proxy.has_value());
    EXPECT_GT(*r.proxy, 0);
    EXPECT_LE(*r.proxy, previous);
    previous = *r.proxy;
  }
}

// An ENAS supernet is another training than a SPOS supernet with the same settings: it is
// trained, not copied from the SPOS search's trial.
TEST(Search, EnasAndSposSupernetsAreDifferentTrainings) {
  Fixture f("enas_after_spos");
  const auto spos = f.run(tiny("spos"));
  ASSERT_EQ(spos.status, "done") << spos.note;
  auto src = tiny("enas");
  src.sets.push_back("search.enas.batch=2");
  const auto enas = f.run(src);
  ASSERT_EQ(enas.status, "done") << enas.note;
  const auto a = f.store.trials(spos.experiment_id).front(), b = f.store.trials(enas.experiment_id).front();
  EXPECT_EQ(a.role, store::Role::train);
  EXPECT_EQ(b.role, store::Role::train);
  EXPECT_NE(a.cache_key, b.cache_key);
  EXPECT_EQ(b.reason, "");  // trained, not cached
  EXPECT_NE(b.architecture.find("enas"), std::string::npos);
  EXPECT_NE(a.run_dir, b.run_dir);
}

// darts / gdas: one mixed-supernet training; the candidates are its discretized architectures,
// the final one first; the alpha snapshots and the discretized sequence are stored. A gdas search
// with the same settings is another training.
TEST(Search, DartsAndGdasRetrainTheDiscretizedArchitecturesAndStoreAlpha) {
  Fixture f("darts");
  auto src = tiny("darts");
  src.flags.push_back({"search.steps", "1024"});
  src.sets.push_back("arch.lr=0.05");
  const auto s = f.run(src);
  ASSERT_EQ(s.status, "done") << s.note;
  EXPECT_EQ(s.proxy_name, "last step as the discretization");
  const auto trials = f.store.trials(s.experiment_id);
  ASSERT_FALSE(trials.empty());
  EXPECT_NE(trials[0].architecture.find("softmax"), std::string::npos);
  const auto alpha = f.store.snapshots(s.experiment_id, "alpha");
  ASSERT_EQ(alpha.size(), 1u);
  const auto& series = alpha[0].payload["snapshots"];
  ASSERT_EQ(series.size(), 8u);  // a line every 128 of 1024 steps
  EXPECT_EQ(series.back()["step"], 1024);
  const auto sequence = f.store.snapshots(s.experiment_id, "discretized_sequence");
  ASSERT_EQ(sequence.size(), 1u);
  const auto& seq = sequence[0].payload["sequence"];
  ASSERT_FALSE(seq.empty());
  // the first candidate is the final discretization
  const SummaryRow* first = nullptr;
  for (const auto& r : s.rows) {
    if (r.kind == RowKind::candidate && !first) first = &r;
  }
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->arch_id, seq.back()["id"].get<std::string>());
  EXPECT_EQ(space::Architecture::from_json(series.back()["arch"]).id(), first->arch_id);

  const auto g = f.run(tiny("gdas"));
  ASSERT_EQ(g.status, "done") << g.note;
  const auto gt = f.store.trials(g.experiment_id).front();
  EXPECT_NE(gt.cache_key, trials[0].cache_key);
  EXPECT_NE(gt.architecture.find("gumbel"), std::string::npos);
}

TEST(Search, ResumeOfAFinishedSearchReturnsItsSummaryAndNewSettingsAreValidated) {
  Fixture f("resume");
  const auto s = f.run(tiny("random"));
  InProcessRunner runner(rl::test_util::registry());
  const auto again = resume_search(s.experiment_id, rl::test_util::registry(), f.store, runner, quiet());
  EXPECT_EQ(again.table(), s.table());
  EXPECT_EQ(f.store.trials(s.experiment_id).size(), f.store.trials(again.experiment_id).size());
  EXPECT_NE(error_of([&] { resume_search(999, rl::test_util::registry(), f.store, runner, {}); }).find("999"),
            std::string::npos);

  auto bad = tiny("nope");
  EXPECT_NE(error_of([&] { f.run(bad); }).find("search.strategy"), std::string::npos);
  bad = tiny("grid");
  bad.flags.push_back({"search.space", "nas-rl/large"});
  EXPECT_NE(error_of([&] { f.run(bad); }).find("at most 1,000"), std::string::npos);
  bad = tiny("spos");
  bad.flags.push_back({"search.space", "cell/micro"});
  EXPECT_NE(error_of([&] { f.run(bad); }).find("needs a weight-sharing supernet"), std::string::npos);
  bad = tiny("darts");
  bad.flags.push_back({"search.space", "mlp"});
  EXPECT_NE(error_of([&] { f.run(bad); }).find("needs a differentiable supernet"), std::string::npos);
  bad = tiny("random");
  bad.flags.push_back({"env", "classic/cartpole"});
  EXPECT_FALSE(error_of([&] { f.run(bad); }).empty());
  bad = tiny("random");
  bad.flags.push_back({"search.baselines", "named:nope"});
  EXPECT_NE(error_of([&] { f.run(bad); }).find("nope"), std::string::npos);
}

// The in-process runner, failing the search (an exception) when the driver keeps calling wait()
// with nothing running: the busy loop a stopped search with pending trials used to spin in.
class NoSpinRunner final : public TrialRunner {
 public:
  explicit NoSpinRunner(const env::EnvRegistry& envs) : inner_(envs) {}
  size_t capacity() const override { return inner_.capacity(); }
  size_t running() const override { return inner_.running(); }
  void start(int64_t id, const std::string& dir) override { inner_.start(id, dir); }
  std::optional<TrialExit> wait(double timeout) override {
    if (inner_.running() == 0 && ++idle_waits_ > 50) throw std::runtime_error("the driver spins on wait()");
    return inner_.wait(timeout);
  }
  void interrupt() override {}

 private:
  InProcessRunner inner_;
  int idle_waits_ = 0;
};

TEST(Search, AStopWithPendingTrialsEndsTheSearchAsStopped) {
  Fixture f("stop_pending");
  std::atomic<bool> stop{true};  // Ctrl-C before any trial could start
  auto options = quiet();
  options.stop = &stop;
  NoSpinRunner runner(rl::test_util::registry());
  const auto config = resolve_search_config(tiny("random"), rl::test_util::registry());
  const auto s = run_search(config, rl::test_util::registry(), f.store, runner, options);
  EXPECT_EQ(s.status, "stopped") << s.note;
  const auto trials = f.store.trials(s.experiment_id);
  ASSERT_FALSE(trials.empty());
  for (const auto& t : trials) EXPECT_EQ(t.status, store::Status::pending);
  // and a resume finishes it
  stop = false;
  InProcessRunner again(rl::test_util::registry());
  EXPECT_EQ(resume_search(s.experiment_id, rl::test_util::registry(), f.store, again, quiet()).status, "done");
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Waiting costs no CPU: with nothing running wait() sleeps its timeout, and with a child running it
// polls gently. A trial's exit 130 (interrupted by SIGINT or SIGTERM) is "stopped", not "failed".
TEST(LocalRunner, WaitsWithoutSpinningAndTakesExit130AsStopped) {
  const auto dir = rl::test_util::fresh_dir("search_test", "runner");
  fs::create_directories(dir);
  LocalRunner idle("/bin/sh", 1);
  double wall = wall_seconds(), cpu = cpu_seconds();
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(idle.wait(0.25));
  wall = wall_seconds() - wall;
  cpu = cpu_seconds() - cpu;
  EXPECT_GE(wall, 0.9);
  EXPECT_LE(cpu, 0.1 * wall) << "cpu " << cpu << " s in " << wall << " s of waiting";

  LocalRunner runner("/bin/sh", 1, {"-c", "sleep 1; exit 130", "sh"});  // sh -c ... sh run-trial DIR
  runner.start(7, dir.string());
  wall = wall_seconds();
  cpu = cpu_seconds();
  std::optional<TrialExit> e;
  while (!(e = runner.wait(0.5)) && wall_seconds() - wall < 20) {
  }
  wall = wall_seconds() - wall;
  cpu = cpu_seconds() - cpu;
  ASSERT_TRUE(e);
  EXPECT_EQ(e->trial_id, 7);
  EXPECT_EQ(e->kind, TrialExit::Kind::stopped) << e->reason;
  EXPECT_LE(cpu, 0.1 * wall) << "cpu " << cpu << " s in " << wall << " s of waiting";

  // SIGTERM before the trial could take it (while starting): stopped too; another signal: failed.
  for (const auto& [script, kind] : std::vector<std::pair<std::string, TrialExit::Kind>>{
           {"kill -TERM $$", TrialExit::Kind::stopped}, {"kill -KILL $$", TrialExit::Kind::failed}}) {
    LocalRunner killed("/bin/sh", 1, {"-c", script, "sh"});
    killed.start(8, dir.string());
    std::optional<TrialExit> x;
    const double start = wall_seconds();
    while (!(x = killed.wait(0.5)) && wall_seconds() - start < 20) {
    }
    ASSERT_TRUE(x);
    EXPECT_EQ(x->kind, kind) << script << ": " << x->reason;
  }
}

// The summary unit: the selection rule, live rows, the JSON form and its schema version.
store::TrialRecord done_trial(store::Role role, const std::string& arch_id, double reward, double total) {
  store::TrialRecord t;
  t.role = role;
  t.status = store::Status::done;
  t.arch_id = arch_id;
  t.architecture = "{}";
  t.metrics = {{"train_return_mean", reward}, {"eval_return_mean", total}};
  return t;
}

TEST(Summary, TheFoundRowIsTheCandidateWithTheBestRewardMeanNeverTheBestTestScore) {
  std::vector<SummaryRow> rows;
  for (const auto& [id, reward, total] :
       std::vector<std::tuple<std::string, double, double>>{{"a", 5.0, 50.0}, {"b", 7.0, 10.0}, {"c", 6.0, 90.0}}) {
    auto r = summarize_trials({done_trial(store::Role::retrain, id, reward, total)});
    r.kind = RowKind::candidate;
    r.label = "candidate " + id;
    rows.push_back(r);
  }
  auto baseline = summarize_trials({done_trial(store::Role::baseline, "z", 100.0, 100.0)});
  baseline.kind = RowKind::baseline;
  rows.push_back(baseline);
  insert_found_row(rows);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].kind, RowKind::found);
  EXPECT_EQ(rows[0].arch_id, "b");  // selected on reward mean (7), not total reward (90 for c), not a baseline
  EXPECT_EQ(rows[0].label, "found (candidate b)");
  std::vector<SummaryRow> none = {baseline};
  insert_found_row(none);
  EXPECT_EQ(none.size(), 1u);  // no candidate: no found row
}

TEST(Summary, SummarizeTrialsUsesTheWorkloadsMetricsOverDoneTrialsOnly) {
  auto a = done_trial(store::Role::retrain, "a", 4.0, 8.0), b = done_trial(store::Role::retrain, "a", 6.0, 12.0);
  auto running = done_trial(store::Role::retrain, "a", 100.0, 100.0);
  running.status = store::Status::running;
  const auto r = summarize_trials({a, b, running});
  EXPECT_EQ(r.seeds, 2);
  EXPECT_DOUBLE_EQ(*r.reward_mean, 5.0);
  EXPECT_DOUBLE_EQ(*r.reward_mean_std, 1.0);  // population std
  EXPECT_DOUBLE_EQ(*r.total_reward, 10.0);
  EXPECT_DOUBLE_EQ(*r.selection, 5.0);  // the default rule selects on the reward mean
  ASSERT_EQ(r.by_seed.size(), 1u);      // both trials have seed 0 in this fixture: one entry
  SelectionRule late;
  late.select = "late_return";
  a.metrics["train_return_late"] = 1.0;
  b.metrics["train_return_late"] = 3.0;
  const auto l = summarize_trials({a, b}, late);
  EXPECT_DOUBLE_EQ(*l.selection, 2.0);
  EXPECT_DOUBLE_EQ(*l.reward_mean, 5.0);  // the reward mean is still shown
}

TEST(Summary, LiveRowsNumberCandidatesInPlanOrderAndLabelBaselines) {
  const std::vector<store::TrialRecord> trials = {
      done_trial(store::Role::train, "supernet", 1, 1), done_trial(store::Role::retrain, "x", 1, 2),
      done_trial(store::Role::baseline, "n", 3, 4), done_trial(store::Role::retrain, "y", 5, 6),
      done_trial(store::Role::retrain, "x", 3, 4)};
  const auto rows = live_rows(trials, [](const store::TrialRecord& t) { return "net " + t.arch_id; });
  ASSERT_EQ(rows.size(), 3u);  // the supernet's training is not a protocol row
  EXPECT_EQ(rows[0].label, "candidate 1");
  EXPECT_EQ(rows[0].arch_id, "x");
  EXPECT_EQ(rows[0].seeds, 2);
  EXPECT_EQ(rows[1].kind, RowKind::baseline);
  EXPECT_EQ(rows[1].label, "net n");
  EXPECT_EQ(rows[2].label, "candidate 2");
}

TEST(Summary, JsonRoundTripsWithItsSchemaVersionAndReadsOlderSummaries) {
  SearchSummary s;
  s.experiment_id = 3;
  s.status = "done";
  s.strategy = "spos";
  auto r = summarize_trials({done_trial(store::Role::retrain, "a", 1, 2)});
  r.kind = RowKind::random_search;
  r.label = "random search (best of 3, 1000 resamples)";
  s.rows.push_back(r);
  const auto j = s.to_json();
  EXPECT_EQ(j.at("schema_version"), kSummarySchemaVersion);
  EXPECT_EQ(j.at("rows")[0].at("kind"), "random");  // the stored spelling of RowKind::random_search
  const auto back = SearchSummary::from_json(j);
  EXPECT_EQ(back.to_json(), j);
  auto old = nlohmann::json(j);
  old.erase("schema_version");
  old.erase("final");
  old["rows"][0].erase("latency_ms");
  const auto read = SearchSummary::from_json(old);
  EXPECT_EQ(read.schema_version, 1);
  EXPECT_TRUE(read.final);
  EXPECT_EQ(read.rows[0].kind, RowKind::random_search);
  EXPECT_NE(error_of([] { parse_row_kind("best"); }).find("expected one of found, candidate, baseline, random"),
            std::string::npos);
}

// The strategy table: every strategy's entry answers what the driver asks.
TEST(StrategyTable, EntriesDescribeTheirNeedsAndUnknownNamesListTheValidOnes) {
  EXPECT_EQ(strategy_names(), (std::vector<std::string>{"random", "grid", "spos", "enas", "darts", "gdas"}));
  for (const auto& e : strategy_table()) {
    EXPECT_FALSE(e.summary.empty()) << e.name;
    EXPECT_TRUE(e.make) << e.name;
  }
  EXPECT_TRUE(find_strategy("grid").tabular);
  EXPECT_FALSE(find_strategy("random").tabular);
  EXPECT_EQ(find_strategy("spos").supernet, rl::SupernetKind::single_path);
  EXPECT_EQ(find_strategy("darts").supernet, rl::SupernetKind::softmax);
  EXPECT_EQ(find_strategy("gdas").supernet, rl::SupernetKind::gumbel);
  EXPECT_FALSE(find_strategy("random").supernet.has_value());
  EXPECT_TRUE(find_strategy("enas").sampler);
  EXPECT_NE(error_of([] { find_strategy("magic"); }).find("valid strategies: random, grid, spos, enas, darts, gdas"),
            std::string::npos);
}

// A search stored before ENAS rewarded rollout returns resumes with the reward it started with;
// a new one rewards rollout returns.
TEST(StrategyTable, AnOldEnasSearchResumesWithItsOwnChildReward) {
  const auto config = resolve_search_config(tiny("enas"), rl::test_util::registry());
  auto stored = nlohmann::json(config.to_json());
  EXPECT_EQ(stored["search"]["search.enas.reward"], "rollout_return");
  const auto reward = [](const SearchConfig& c) {
    OptionTable t;
    auto copy = c.search;
    copy.bind(t);
    return t.to_json().at("search.enas.reward").get<std::string>();
  };
  EXPECT_EQ(reward(search_config_from_json(stored, rl::test_util::registry())), "rollout_return");
  stored["search"].erase("search.enas.reward");
  EXPECT_EQ(reward(search_config_from_json(stored, rl::test_util::registry())), "episode_return");
}

TEST(StrategyTable, OwnOptionsLiveUnderTheStrategysNameAndOldKeysStillLoad) {
  SearchOptions o;
  OptionTable t;
  o.bind(t);
  t.set("search.proxy_episodes", "7", "stored configuration");  // the name before the table
  t.set("search.enas.batch", "4", "--set");
  const auto values = t.to_json();
  EXPECT_EQ(values.at("search.spos.proxy_episodes"), 7);
  EXPECT_FALSE(values.contains("search.proxy_episodes"));
  EXPECT_EQ(values.at("search.enas.batch"), 4);
  SearchOptions copy = o;  // own options are copied, not shared
  OptionTable t2;
  copy.bind(t2);
  t2.set("search.spos.proxy_episodes", "9", "--set");
  OptionTable t3;
  o.bind(t3);
  EXPECT_EQ(t3.to_json().at("search.spos.proxy_episodes"), 7);
  EXPECT_EQ(t2.to_json().at("search.spos.proxy_episodes"), 9);
}

TEST(Workload, TheRlWorkloadNamesItsShapesHeadsAndMetrics) {
  rl::TrainSources s;
  s.flags = {{"env", "minatar/breakout"}};
  const auto config = rl::resolve_train_config(s, rl::test_util::registry());
  const auto w = make_workload(config, rl::test_util::registry());
  EXPECT_EQ(w->kind(), "rl");
  EXPECT_EQ(w->input_shape(), (std::vector<int64_t>{4, 10, 10}));
  EXPECT_EQ(w->output_heads(), (std::vector<std::string>{"policy: discrete(6)", "value"}));
  EXPECT_EQ(w->test_metric(), "eval_return_mean");
  EXPECT_NE(SelectionRule().metric(), w->test_metric());
  EXPECT_EQ(w->baselines(), (std::vector<std::string>{"net:minatar"}));
  s.flags.push_back({"workload", "synthetic"});
  EXPECT_EQ(make_workload(rl::resolve_train_config(s, rl::test_util::registry()), rl::test_util::registry())->kind(),
            "synthetic");
  s.flags.back().second = "supervised";
  EXPECT_NE(error_of([&] { rl::resolve_train_config(s, rl::test_util::registry()); }).find("workload"),
            std::string::npos);
}


TEST(Workload, TheTableSaysEachWorkloadsBudgetOptionsAndMetrics) {
  EXPECT_EQ(rl::workload_names(), (std::vector<std::string>{"rl", "supervised", "synthetic"}));
  const auto& supervised = rl::find_workload("supervised");
  EXPECT_EQ(supervised.kind, rl::WorkloadKind::supervised);
  EXPECT_EQ(supervised.budget_unit, "epochs");
  EXPECT_EQ(supervised.option_prefix, "supervised.");
  EXPECT_FALSE(supervised.has_environment);
  EXPECT_FALSE(rl::find_workload("synthetic").builds_network);
  EXPECT_EQ(error_of([] { rl::find_workload("images"); }),
            "workload: expected one of rl, supervised, synthetic, found 'images'");
  // A stored configuration from before the key (none) is rl's; an unknown name is nobody's.
  EXPECT_EQ(rl::stored_workload(nlohmann::json{{"env", "minatar/breakout"}})->kind, rl::WorkloadKind::rl);
  EXPECT_EQ(rl::stored_workload(nlohmann::json{{"workload", "speech"}}), nullptr);
  // A search's configuration holds it under "train".
  const nlohmann::ordered_json search = {{"search", {{"search.strategy", "grid"}}},
                                         {"train", {{"workload", "supervised"}}}};
  EXPECT_EQ(rl::stored_workload(search)->kind, rl::WorkloadKind::supervised);

  // The selection rule asks the workload: supervised selects on validation accuracy whatever
  // search.select says; rl keeps late_return; an unknown workload or selection reads as rl's default.
  auto r = selection_rule_of({{"workload", "supervised"}}, "late_return");
  EXPECT_EQ(r.metric(), "validation_accuracy");
  EXPECT_EQ(r.test_metric, "test_accuracy");
  r = selection_rule_of({{"env", "minatar/breakout"}}, "late_return");
  EXPECT_EQ(r.metric(), "train_return_late");
  EXPECT_EQ(r.test_metric, "eval_return_mean");
  r = selection_rule_of({{"workload", "speech"}}, "wer");
  EXPECT_EQ(r.metric(), "train_return_mean");

  rl::TrainSources s;
  s.flags = {{"supervised.dataset", "fashion-mnist"}};
  const auto config = rl::resolve_train_config(s, rl::test_util::registry());
  EXPECT_EQ(rl::subject_of(config), "fashion-mnist");
  EXPECT_EQ(rl::trainer_of(config), "sgd");
  const auto w = make_workload(config, rl::test_util::registry());
  EXPECT_EQ(w->budget_unit(), "epochs");
  EXPECT_EQ(w->test_metric(), "test_accuracy");
  // The resolved configuration holds no key of another workload or of an environment.
  const auto j = config.to_json();
  for (const auto& [k, v] : j.items()) {
    EXPECT_TRUE(k.rfind("synthetic.", 0) != 0 && k.rfind("ppo.", 0) != 0 && k != "env") << k;
  }
}

// A trial of the image benchmark stored before supervised.grad_clip existed (the committed
// bench/results/fashion-mnist/grid.json.gz: image/small all-conv3x3, seed 1, 2 epochs on 10,000
// images at lr 0.02) keeps its cache key, so that the benchmark's trainings stay cache hits; a clip
// set on one network, and the clip of 5 a supernet gets by default, are part of the key.
TEST(Workload, SupervisedCacheKeysOfEarlierStoresStayAndAClipIsPartOfTheKey) {
  const auto key = [](std::vector<std::string> sets) {
    rl::TrainSources s;
    s.flags = {{"supervised.dataset", "fashion-mnist"}, {"steps", "2"}, {"seed", "1"}};
    sets.insert(sets.end(), {"supervised.train_images=10000", "supervised.lr=0.02"});
    s.sets = sets;
    const auto config = rl::resolve_train_config(s, rl::test_util::registry());
    return store::trial_cache_key(cache_key_parts(config, rl::test_util::registry()));
  };
  const std::string arch =
      R"(net.arch={"space":"image/small","version":1,"choices":{"layer1":"conv3x3","layer2":"conv3x3",)"
      R"("layer3":"conv3x3","layer4":"conv3x3"}})";
  EXPECT_EQ(key({arch}), "7a14ffdd753e3de74e626b5ab0bfdcf5f2681a3a779e3125445ab50c10ecd32f");
  EXPECT_EQ(key({arch, "supervised.grad_clip=0"}), key({arch}));
  EXPECT_NE(key({arch, "supervised.grad_clip=5"}), key({arch}));
  const std::vector<std::string> supernet = {"net.space=image/small", "net.supernet=true"};
  auto clipped = supernet, unclipped = supernet;
  clipped.push_back("supervised.grad_clip=5");
  unclipped.push_back("supervised.grad_clip=0");
  EXPECT_EQ(key(supernet), key(clipped));
  EXPECT_NE(key(supernet), key(unclipped));
}

}  // namespace
}  // namespace rlnas::search
