// Known-answer tests of the search: the synthetic workload (its planted optimum, random search's
// regret against the exact expectation of its score table, grid finding the optimum), the one
// selection rule where the old rule disagrees, the calibration of the intervals on comparisons,
// and ENAS taking controller updates with its default settings where episodes are long.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include "../common/error_of.h"
#include "../rl/run_test_util.h"
#include "rlnas/core/stats.h"
#include "rlnas/search/enas.h"
#include "rlnas/search/search.h"
#include "rlnas/search/synthetic.h"
#include "rlnas/search/tabular.h"
#include "rlnas/search/trial.h"
#include "rlnas/space/space.h"

namespace rlnas::search {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_util::error_of;

SearchRunOptions quiet() {
  SearchRunOptions o;
  o.quiet = true;
  return o;
}

// A search of the synthetic workload over minatar/ss1 (25 architectures).
SearchSources synthetic(const std::string& strategy, int64_t search_seed, double noise, int64_t seeds = 1) {
  SearchSources s;
  s.flags = {{"workload", "synthetic"},
             {"steps", "1000"},
             {"search.strategy", strategy},
             {"search.space", "minatar/ss1"},
             {"search.seeds", std::to_string(seeds)},
             {"search.top_k", "3"},
             {"search.seed", std::to_string(search_seed)},
             {"search.baselines", "none"}};
  s.sets = {"synthetic.noise=" + std::to_string(noise), "synthetic.seed=4"};
  return s;
}

struct SearchFixture {
  fs::path dir;
  store::Store store;
  explicit SearchFixture(const std::string& name)
      : dir(rl::test_util::fresh_dir("known_answer", name)), store(store::Store::open((dir / "s.db").string())) {}
  SearchSummary run(const SearchSources& sources) {
    InProcessRunner runner(rl::test_util::registry());
    auto o = quiet();
    o.out_dir = (dir / ("search-" + std::to_string(++count))).string();
    return run_search(resolve_search_config(sources, rl::test_util::registry()), rl::test_util::registry(), store,
                      runner, o);
  }
  int count = 0;
};

SyntheticOptions options(double noise) {
  SyntheticOptions o;
  o.seed = 4;
  o.noise = noise;
  return o;
}

TEST(Synthetic, ThePlantedOptimumScoresOneAndEveryOtherArchitectureLess) {
  for (const char* name : {"minatar/ss1", "nas-rl/ss2", "mlp", "cell/micro", "blocks"}) {
    const auto& space = space::find_space(name);
    const SyntheticScores scores(space, options(0));
    EXPECT_NEAR(scores.score(scores.optimum()), 1.0, 1e-12) << name;
    Mt19937 rng(3);
    for (int i = 0; i < 300; ++i) {
      const auto a = space.sample(rng);
      if (a == scores.optimum()) continue;
      EXPECT_LT(scores.score(a), 1.0 - 1e-9) << name << " " << a.canonical_json();
    }
  }
  // Noise-free trials report the score; noisy ones are seeded and the same every time.
  const auto& space = space::find_space("minatar/ss1");
  const SyntheticScores exact(space, options(0)), noisy(space, options(0.1));
  const auto a = space.enumerate()[7];
  EXPECT_DOUBLE_EQ(exact.trial(a, 3).selection, exact.score(a));
  EXPECT_DOUBLE_EQ(exact.trial(a, 3).test, exact.score(a));
  EXPECT_DOUBLE_EQ(noisy.trial(a, 3).test, noisy.trial(a, 3).test);
  EXPECT_NE(noisy.trial(a, 3).test, noisy.trial(a, 4).test);
  EXPECT_NE(noisy.trial(a, 3).selection, noisy.trial(a, 3).test);
  // A learning curve that approaches the final value.
  EXPECT_LT(std::fabs(exact.curve(a, 3, 1000, 1000) - exact.trial(a, 3).final_value), 1e-12);
  EXPECT_LT(std::fabs(exact.curve(a, 3, 100, 1000)), std::fabs(exact.trial(a, 3).final_value));
}

TEST(Synthetic, GridFindsTheOptimumWithoutNoiseAndItsTrialsCostSimulatedTime) {
  SearchFixture f("grid");
  const auto s = f.run(synthetic("grid", 1, 0.0));
  ASSERT_EQ(s.status, "done") << s.note;
  const SyntheticScores scores(space::find_space("minatar/ss1"), options(0));
  ASSERT_NE(s.found(), nullptr);
  EXPECT_EQ(s.found()->arch_id, scores.optimum().id());
  EXPECT_DOUBLE_EQ(*s.found()->total_reward, 1.0);
  // 25 trials, none slept: their wall time is the simulated one.
  const auto trials = f.store.trials(1);
  EXPECT_EQ(trials.size(), 25u);
  for (const auto& t : trials) {
    EXPECT_GE(t.wall_seconds, 30.0 - 1e-9);
    EXPECT_LT(t.wall_seconds, 90.0);
  }
  // The synthetic workload scores space architectures only: a one-shot strategy is refused.
  EXPECT_NE(error_of([] {
              resolve_search_config(synthetic("spos", 1, 0), rl::test_util::registry());
            }).find("multi-trial strategy"),
            std::string::npos);
}

// Random search's found architecture over many search seeds: its regret (1 - true score) has the
// distribution of the best of 3 distinct uniform draws from the score table, computed exactly.
TEST(Synthetic, RandomSearchsRegretMatchesTheExactDistributionOfTheScoreTable) {
  const auto& space = space::find_space("minatar/ss1");
  const SyntheticScores scores(space, options(0));
  std::vector<double> table;
  for (const auto& a : space.enumerate()) table.push_back(scores.score(a));
  std::sort(table.begin(), table.end());
  const auto n = static_cast<int64_t>(table.size());
  constexpr int64_t k = 3;
  // P(best <= table[i]) = C(i + 1, k) / C(n, k).
  const auto choose = [](int64_t a, int64_t b) {
    double r = 1;
    for (int64_t i = 0; i < b; ++i) r = r * static_cast<double>(a - i) / static_cast<double>(i + 1);
    return a < b ? 0.0 : r;
  };
  SearchFixture f("random");
  constexpr int runs = 200;
  std::vector<double> found;
  for (int r = 1; r <= runs; ++r) {
    const auto s = f.run(synthetic("random", r, 0.0));
    ASSERT_NE(s.found(), nullptr);
    found.push_back(*s.found()->total_reward);
  }
  double ks = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double exact = choose(i + 1, k) / choose(n, k);
    const double empirical = static_cast<double>(std::count_if(found.begin(), found.end(),
                                                               [&](double x) { return x <= table[i] + 1e-12; })) /
                             runs;
    ks = std::max(ks, std::fabs(exact - empirical));
  }
  // Kolmogorov-Smirnov at 1%: 1.63 / sqrt(runs).
  EXPECT_LT(ks, 1.63 / std::sqrt(static_cast<double>(runs)));
  const double expected_regret = 1.0 - expected_best_of_k_exact(table, k);
  double regret = 0, sq = 0;
  for (double x : found) regret += (1 - x) / runs;
  for (double x : found) sq += (1 - x - regret) * (1 - x - regret) / runs;
  EXPECT_NEAR(regret, expected_regret, 4 * std::sqrt(sq / runs) + 1e-12);
}

// Where picking by the selection figure and taking each metric's best separately disagree, the
// random-search row follows the rule: the pick of every draw by selection, reported on its test.
TEST(Synthetic, TheRandomRowSelectsOnTheSelectionMetricAndReportsThePicksTestScore) {
  SearchFixture f("rule");
  ASSERT_EQ(f.run(synthetic("grid", 1, 0.3)).status, "done");  // the tabular benchmark
  const auto s = f.run(synthetic("random", 5, 0.3));
  const SummaryRow* random = nullptr;
  for (const auto& r : s.rows) {
    if (r.kind == RowKind::random_search) random = &r;
  }
  ASSERT_NE(random, nullptr) << s.note;
  std::vector<double> selection, test;
  std::map<std::string, std::pair<double, double>> by_arch;
  for (const auto& t : f.store.trials(1))
    by_arch[t.arch_id] = {*t.metric("train_return_mean"), *t.metric("eval_return_mean")};
  for (const auto& [id, v] : by_arch) {
    selection.push_back(v.first);
    test.push_back(v.second);
  }
  const auto rule = best_of_k_by_selection(selection, test, 3);
  const double old_rule = expected_best_of_k_exact(test, 3);  // each metric's best on its own
  EXPECT_GT(std::fabs(rule.test_mean - old_rule), 0.01);      // the two rules disagree here
  EXPECT_NEAR(*random->total_reward, rule.test_mean, 1e-9);
  EXPECT_NEAR(*random->selection, rule.selection_mean, 1e-9);
  // The found row is the candidate with the best selection figure, whatever its test figure.
  double best = -1e9;
  for (const auto& r : s.rows) {
    if (r.kind == RowKind::candidate) best = std::max(best, *r.selection);
  }
  EXPECT_DOUBLE_EQ(*s.found()->selection, best);
  // The comparison with random search is the randomization test against the benchmark's exact
  // best-of-3: it has an interval even with one training seed (the null is over the picks).
  ASSERT_FALSE(s.comparisons.empty());
  EXPECT_EQ(s.comparisons[0].method, "randomization");
  EXPECT_TRUE(s.comparisons[0].interval.low.has_value());
  ASSERT_TRUE(s.comparisons[0].p.has_value());
  EXPECT_NEAR(s.comparisons[0].interval.difference, *s.found()->total_reward - rule.test_mean, 1e-9);
  const auto j = to_json(s.comparisons[0]);
  EXPECT_EQ(comparison_from_json(j).method, "randomization");
  EXPECT_EQ(comparison_from_json(j).p, s.comparisons[0].p);
}

// The intervals of the comparisons: over 1,000 repeats of 3 and of 8 seeds on the synthetic
// workload, a planted difference is covered at least 90% of the time (95% nominal), and a
// comparison of an architecture with itself is "inconclusive" at least 90% of the time.
TEST(Statistics, PairedIntervalsAreCalibratedAtThreeAndEightSeeds) {
  const auto& space = space::find_space("minatar/ss1");
  const SyntheticScores scores(space, options(0.2));
  const auto archs = space.enumerate();
  const auto& best = scores.optimum();
  const auto& other = archs[0] == best ? archs[1] : archs[0];
  const double truth = scores.score(best) - scores.score(other);
  for (const int64_t n : {3, 8}) {
    int covered = 0, quiet = 0;
    constexpr int repeats = 1000;
    for (int r = 0; r < repeats; ++r) {
      SummaryRow found, baseline, self;
      found.kind = RowKind::found;
      baseline.kind = RowKind::baseline;
      self.kind = RowKind::baseline;
      baseline.label = "other";
      self.label = "itself on other seeds";
      for (int64_t i = 0; i < n; ++i) {
        const int64_t seed = 1 + r * n + i;
        found.by_seed.push_back({seed, std::nullopt, scores.trial(best, seed).test});
        baseline.by_seed.push_back({seed, std::nullopt, scores.trial(other, seed).test});
        self.by_seed.push_back({seed, std::nullopt, scores.trial(best, seed + 1000000).test});
      }
      const auto c = compare_found({found, baseline, self});
      ASSERT_EQ(c.size(), 2u);
      ASSERT_EQ(c[0].interval.n, n);
      if (*c[0].interval.low <= truth && truth <= *c[0].interval.high) ++covered;
      if (c[1].verdict() == "inconclusive") ++quiet;
    }
    EXPECT_GE(covered, 900) << n << " seeds";
    EXPECT_GE(quiet, 900) << n << " seeds";
    EXPECT_LE(covered, 990) << n << " seeds: the interval should not be needlessly wide";
  }
}

TEST(Statistics, StudentTQuantilesMatchTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706204736174705, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.302652729911275, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 7), 2.3646242510102993, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.025, 30), -2.042272456301238, 1e-8);
  EXPECT_NEAR(student_t_cdf(0, 5), 0.5, 1e-15);
  const auto i = paired_t_interval({1, 2, 3});
  ASSERT_TRUE(i.low && i.high);
  EXPECT_NEAR(*i.low, 2 - 4.302652729911275 / std::sqrt(3.0), 1e-8);
  EXPECT_EQ(i.verdict(), "inconclusive");                        // [-0.48, 4.48]
  EXPECT_EQ(paired_t_interval({2, 2.5, 3}).verdict(), "a better");  // [1.26, 3.74]
  EXPECT_EQ(paired_t_interval({-2, -2.5, -3}).verdict("found", "baseline"), "baseline better");
  EXPECT_FALSE(paired_t_interval({1, 2}).low.has_value());  // no interval below 3 pairs
  EXPECT_NE(paired_t_interval({1, 2}).verdict().find("no interval"), std::string::npos);
}

// ENAS with its default settings on MinAtar Freeway, whose episodes all last 2,500 steps: every
// child is rewarded (its rollout return), so the controller takes its updates.
TEST(Enas, DefaultSettingsOnFreewayAt100kStepsTakeControllerUpdates) {
  const auto dir = rl::test_util::fresh_dir("known_answer", "enas_freeway");
  rl::TrainSources sources;
  sources.flags = {{"env", "minatar/freeway"}, {"algo", "ppo"}, {"steps", "100000"}};
  sources.sets = {"net.space=minatar/ss1", "net.supernet=true", "checkpoint_every=0", "eval.episodes=1"};
  const auto config = rl::resolve_train_config(sources, rl::test_util::registry());
  EnasOptions o;  // the defaults
  EnasSampler sampler(space::find_space("minatar/ss1"), o, (dir / "snapshots.jsonl").string());
  rl::TrainOptions t;
  t.run_dir = dir.string();
  t.quiet = true;
  t.path_sampler = &sampler;
  rl::train(config, rl::test_util::registry(), t);
  int updates = 0;
  json last;
  std::ifstream in(dir / "snapshots.jsonl");
  for (std::string line; std::getline(in, line);) {
    ++updates;
    last = json::parse(line).at("payload");
  }
  const int64_t children = sampler.children();
  EXPECT_GE(children, 90);                 // 100k steps of 8 x 128
  EXPECT_EQ(updates, children / o.batch);  // every child rewarded: one update per 10
  EXPECT_EQ(last.at("rewarded_children"), last.at("children"));
}

}  // namespace
}  // namespace rlnas::search
