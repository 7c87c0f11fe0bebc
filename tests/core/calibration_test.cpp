// Are rlnas compare's methods calibrated on data like the project's own? Null and planted-effect
// simulations on the committed MinAtar benchmarks (tests/data/benchmarks/, extracted from
// bench/results/nas-rl-table1 by bench/benchmark_extract.py: 25 architectures x 3 training seeds,
// PPO at 250,000 steps), on the image benchmark (bench/results/fashion-mnist: 256 architectures x 3
// seeds, validation and test accuracy, two trainings diverged to chance) and on the synthetic
// workload's benchmark of minatar/ss1 (normal noise),
// at the project's real sample sizes: 8 searches per strategy, top-3, 3 training seeds per
// baseline; and with a baseline that spreads more than the arm (CalibrationSpread).
//
// A method is calibrated when, with no true difference, it says "better" or "worse" in at most
// 5% of the repeats plus three Monte Carlo standard errors (sqrt(0.05 * 0.95 / R)). Each test prints
// the rates it found (docs/search.md, "Reading a comparison", quotes them).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>

#include "rlnas/core/rng.h"
#include "rlnas/core/stats.h"

namespace rlnas {
namespace {

struct Training {
  double selection = 0, test = 0;
};

struct Benchmark {
  std::string name;
  std::vector<std::vector<Training>> architectures;  // [architecture][seed]
  std::vector<Training> pooled;                      // every training of the space
};

Benchmark load(const std::string& file) {
  std::ifstream in(std::string(RLNAS_TEST_DATA_DIR) + "/benchmarks/" + file);
  EXPECT_TRUE(in) << file;
  const auto j = nlohmann::json::parse(in);
  Benchmark b;
  b.name = j.at("env").get<std::string>();
  for (const auto& a : j.at("architectures")) {
    std::vector<Training> seeds;
    for (size_t s = 0; s < a.at("test").size(); ++s) {
      seeds.push_back({a.at("selection")[s].get<double>(), a.at("test")[s].get<double>()});
      b.pooled.push_back(seeds.back());
    }
    b.architectures.push_back(seeds);
  }
  return b;
}

double mean_test(const std::vector<Training>& t) {
  double s = 0;
  for (const auto& x : t) s += x.test;
  return s / static_cast<double>(t.size());
}
double mean_selection(const std::vector<Training>& t) {
  double s = 0;
  for (const auto& x : t) s += x.selection;
  return s / static_cast<double>(t.size());
}

constexpr int kSearches = 8, kTopK = 3, kSeeds = 3;

// A search under the null: its top-K a uniformly random K-subset of the architectures, the found
// one the best of them by the selection metric; its value the found one's mean test figure.
double null_search(const std::vector<std::vector<Training>>& archs, Mt19937& rng) {
  const auto n = static_cast<int64_t>(archs.size());
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  for (int64_t i = 0; i < kTopK; ++i) std::swap(idx[static_cast<size_t>(i)], idx[static_cast<size_t>(rng.randint(i, n))]);
  int64_t best = idx[0];
  for (int64_t i = 1; i < kTopK; ++i) {
    const auto c = idx[static_cast<size_t>(i)];
    const double sc = mean_selection(archs[static_cast<size_t>(c)]), sb = mean_selection(archs[static_cast<size_t>(best)]);
    if (sc > sb || (sc == sb && rng.rand() < 0.5)) best = c;
  }
  return mean_test(archs[static_cast<size_t>(best)]);
}

// The benchmark's best-of-K distribution on the test metric under the selection rule.
DiscreteDistribution best_of_k(const std::vector<std::vector<Training>>& archs) {
  std::vector<double> sel, test;
  for (const auto& a : archs) {
    sel.push_back(mean_selection(a));
    test.push_back(mean_test(a));
  }
  return best_of_k_distribution(sel, test, kTopK);
}

double bound(int repeats) { return 0.05 + 3 * std::sqrt(0.05 * 0.95 / repeats); }

bool decided(const TestResult& r) { return verdict_word(r) == "better" || verdict_word(r) == "worse"; }

void report(const std::string& what, double rate, int repeats) {
  std::cout << "[calibration] " << what << ": " << rate * 100 << "% of " << repeats << " repeats (bound "
            << bound(repeats) * 100 << "%)\n";
}

// Training noise drawn from the benchmark: a training of any architecture, uniformly (under the
// null every architecture is the same; the pool keeps the per-seed spread, the skew, Freeway's
// collapses to 0 and the correlation of the selection and test figures within a training).
std::vector<Training> draw_trainings(const Benchmark& b, Mt19937& rng, int n, double shift = 0) {
  std::vector<Training> out;
  for (int i = 0; i < n; ++i) {
    Training t = b.pooled[static_cast<size_t>(rng.randint(0, static_cast<int64_t>(b.pooled.size())))];
    t.test += shift;
    out.push_back(t);
  }
  return out;
}

class Calibration : public ::testing::TestWithParam<std::string> {};

// Part 1: search vs random search, the null drawn from the committed benchmark itself.
TEST_P(Calibration, RandomizationTestAgainstRandomSearchHoldsItsLevel) {
  const Benchmark b = load(GetParam());
  const auto null = best_of_k(b.architectures);
  Mt19937 rng(11);
  constexpr int kRepeats = 600;
  int decided_count = 0;
  for (int r = 0; r < kRepeats; ++r) {
    std::vector<double> picks;
    for (int s = 0; s < kSearches; ++s) picks.push_back(null_search(b.architectures, rng));
    decided_count += decided(randomization_test(picks, null, 0.95, static_cast<uint32_t>(r + 1), 4000));
  }
  const double rate = static_cast<double>(decided_count) / kRepeats;
  report(b.name + " search vs random best-of-3, randomization test", rate, kRepeats);
  EXPECT_LE(rate, bound(kRepeats));
}

// The method the pages used before: Student's t over the searches' differences from the expected
// best-of-3. Kept as a documented negative case: on Freeway (best-of-3 skew about -3.5, trainings
// that collapse to 0) it says "better" or "worse" far more often than 5%.
TEST_P(Calibration, OldTIntervalOverSearchesAgainstRandomSearch) {
  const Benchmark b = load(GetParam());
  const double expected = best_of_k(b.architectures).mean();
  Mt19937 rng(12);
  constexpr int kRepeats = 2000;
  int decided_count = 0;
  for (int r = 0; r < kRepeats; ++r) {
    std::vector<double> d;
    for (int s = 0; s < kSearches; ++s) d.push_back(null_search(b.architectures, rng) - expected);
    decided_count += decided(paired_t_test(d));
  }
  const double rate = static_cast<double>(decided_count) / kRepeats;
  report(b.name + " search vs random best-of-3, old t interval over searches", rate, kRepeats);
  if (b.name == "minatar/freeway") {
    EXPECT_GT(rate, 0.15) << "the old method was expected to fail on Freeway";
  }
}

// Part 2: arm vs baseline, and arm vs arm, with no true difference: every training drawn from the
// benchmark's pool. A simulated study has its own benchmark (25 architectures x 3 trainings), the
// searches' found architectures reuse its trainings as rlnas's cache does (two searches that find the
// same architecture share its trainings), and each search finds an architecture uniformly (no
// selection on the reported trainings, so that the arm's true mean is the pool's).
struct Study {
  std::vector<double> search_a, search_b;  // per search: its found architecture's mean test figure
  std::vector<double> trainings_a;         // arm a's distinct found architectures' trainings
  std::vector<double> baseline;            // the baseline's training seeds
};

// An arm of kSearches searches that each find an architecture of `archs` uniformly.
void null_arm(const std::vector<std::vector<double>>& archs, Mt19937& rng, std::vector<double>& per_search,
              std::vector<double>* trainings) {
  std::vector<bool> seen(archs.size(), false);
  for (int i = 0; i < kSearches; ++i) {
    const auto a = static_cast<size_t>(rng.randint(0, static_cast<int64_t>(archs.size())));
    per_search.push_back(mean_of(archs[a]));
    if (trainings && !seen[a]) trainings->insert(trainings->end(), archs[a].begin(), archs[a].end());
    seen[a] = true;
  }
}

Study null_study(const Benchmark& b, Mt19937& rng, double shift = 0) {
  std::vector<std::vector<double>> archs, shifted;
  for (size_t i = 0; i < b.architectures.size(); ++i) {
    std::vector<double> v, w;
    for (const auto& t : draw_trainings(b, rng, kSeeds)) {
      v.push_back(t.test);
      w.push_back(t.test + shift);
    }
    archs.push_back(v);
    shifted.push_back(w);
  }
  Study s;
  // Arm a's architectures are `shift` better (a planted effect), arm b's not.
  null_arm(shifted, rng, s.search_a, &s.trainings_a);
  null_arm(archs, rng, s.search_b, nullptr);
  for (const auto& t : draw_trainings(b, rng, kSeeds)) s.baseline.push_back(t.test);
  return s;
}

TEST_P(Calibration, ArmVersusBaselineHoldsItsLevel) {
  const Benchmark b = load(GetParam());
  Mt19937 rng(13);
  constexpr int kRepeats = 2000;
  int hsu = 0, satterthwaite = 0, exact = 0;
  for (int r = 0; r < kRepeats; ++r) {
    const Study s = null_study(b, rng);
    hsu += decided(welch_test(s.search_a, s.baseline, 0.95, true));
    satterthwaite += decided(welch_test(s.search_a, s.baseline));
    // The arm's searches minus the baseline's mean as if the baseline were exact (the pages before).
    std::vector<double> d;
    for (double x : s.search_a) d.push_back(x - mean_of(s.baseline));
    exact += decided(paired_t_test(d));
  }
  report(b.name + " arm vs baseline, Welch with Hsu's df", static_cast<double>(hsu) / kRepeats, kRepeats);
  report(b.name + " arm vs baseline, Welch with Satterthwaite's df", static_cast<double>(satterthwaite) / kRepeats, kRepeats);
  report(b.name + " arm vs baseline, t with the baseline taken as exact", static_cast<double>(exact) / kRepeats, kRepeats);
  EXPECT_LE(static_cast<double>(hsu) / kRepeats, bound(kRepeats));
  EXPECT_GT(static_cast<double>(exact) / kRepeats, 0.2) << "treating the baseline as exact was expected to fail";
  // Satterthwaite's degrees of freedom are not enough where trainings collapse.
  if (b.name == "minatar/freeway") EXPECT_GT(static_cast<double>(satterthwaite) / kRepeats, 0.1);
}

// A baseline whose 3 seeds spread more than the arm's trainings (nothing in the benchmarks fixes
// the ratio): Welch with Hsu's df keeps its level; a permutation test over the trainings, which is
// exact only when both sides have the same spread, does not (kept as a documented negative case).
TEST(CalibrationSpread, ArmVersusBaselineWhenTheBaselineSpreadsMore) {
  Mt19937 rng(21);
  constexpr int kRepeats = 1000;
  auto normal = [&](double sd) {  // Box-Muller
    const double u = 1 - rng.rand(), v = rng.rand();
    return sd * std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
  };
  for (double ratio : {0.5, 1.0, 2.0, 4.0}) {
    int hsu = 0, perm = 0;
    for (int r = 0; r < kRepeats; ++r) {
      std::vector<double> arm, trainings, base;
      for (int i = 0; i < kSearches; ++i) {
        double m = 0;
        for (int k = 0; k < kSeeds; ++k) {
          const double x = normal(1.0);
          trainings.push_back(x);
          m += x / kSeeds;
        }
        arm.push_back(m);
      }
      for (int k = 0; k < kSeeds; ++k) base.push_back(normal(ratio));
      hsu += decided(welch_test(arm, base, 0.95, true));
      perm += decided(permutation_test(trainings, base, 0.95, static_cast<uint32_t>(r + 1), 2000));
    }
    report("baseline sd / training sd " + std::to_string(ratio).substr(0, 3) + ", Welch with Hsu's df",
           static_cast<double>(hsu) / kRepeats, kRepeats);
    report("baseline sd / training sd " + std::to_string(ratio).substr(0, 3) + ", permutation over trainings",
           static_cast<double>(perm) / kRepeats, kRepeats);
    EXPECT_LE(static_cast<double>(hsu) / kRepeats, bound(kRepeats)) << ratio;
    if (ratio >= 4) EXPECT_GT(static_cast<double>(perm) / kRepeats, bound(kRepeats)) << "expected to fail";
  }
}

TEST_P(Calibration, ArmVersusArmHoldsItsLevel) {
  const Benchmark b = load(GetParam());
  Mt19937 rng(14);
  constexpr int kRepeats = 2000;
  int welch = 0;
  for (int r = 0; r < kRepeats; ++r) {
    const Study s = null_study(b, rng);
    welch += decided(welch_test(s.search_a, s.search_b));
  }
  report(b.name + " arm vs arm, Welch over searches", static_cast<double>(welch) / kRepeats, kRepeats);
  EXPECT_LE(static_cast<double>(welch) / kRepeats, bound(kRepeats));
}

// Planted effects: arm a's trainings shifted by a known amount. The interval covers it in 95% of
// repeats (within three Monte Carlo standard errors; wider is allowed, narrower not); the power is
// printed.
TEST_P(Calibration, PlantedEffectIsCoveredAndPowerReported) {
  const Benchmark b = load(GetParam());
  std::vector<double> all;
  for (const auto& t : b.pooled) all.push_back(t.test);
  const double spread = sample_sd(all);
  Mt19937 rng(15);
  constexpr int kRepeats = 2000;
  const double se = std::sqrt(0.95 * 0.05 / kRepeats);
  for (double shift : {0.5 * spread, 1.5 * spread}) {
    int covered_baseline = 0, found_baseline = 0, covered_arms = 0, found_arms = 0;
    for (int r = 0; r < kRepeats; ++r) {
      const Study s = null_study(b, rng, shift);
      const auto w = welch_test(s.search_a, s.baseline, 0.95, true);
      covered_baseline += w.low && *w.low <= shift && shift <= *w.high;
      found_baseline += verdict_word(w) == "better";
      const auto a = welch_test(s.search_a, s.search_b);
      covered_arms += a.low && *a.low <= shift && shift <= *a.high;
      found_arms += verdict_word(a) == "better";
    }
    const double cov_b = static_cast<double>(covered_baseline) / kRepeats, cov_a = static_cast<double>(covered_arms) / kRepeats;
    std::cout << "[calibration] " << b.name << " planted +" << shift << " (" << shift / spread
              << " sd of one training): arm vs baseline coverage " << cov_b * 100 << "%, power "
              << 100.0 * found_baseline / kRepeats << "%; arm vs arm coverage " << cov_a * 100 << "%, power "
              << 100.0 * found_arms / kRepeats << "% (" << kRepeats << " repeats)\n";
    EXPECT_GE(cov_b, 0.95 - 3 * se);
    EXPECT_GE(cov_a, 0.95 - 3 * se);
  }
}

// The randomization test's interval under a planted shift of the picks: coverage and power.
TEST_P(Calibration, RandomizationIntervalCoversAPlantedShift) {
  const Benchmark b = load(GetParam());
  const auto null = best_of_k(b.architectures);
  Mt19937 rng(16);
  constexpr int kRepeats = 600;
  const double shift = null.sd();
  int covered = 0, found = 0;
  for (int r = 0; r < kRepeats; ++r) {
    std::vector<double> picks;
    for (int s = 0; s < kSearches; ++s) picks.push_back(null_search(b.architectures, rng) + shift);
    const auto t = randomization_test(picks, null, 0.95, static_cast<uint32_t>(r + 1), 4000);
    covered += *t.low <= shift && shift <= *t.high;
    found += verdict_word(t) == "better";
  }
  const double cov = static_cast<double>(covered) / kRepeats;
  std::cout << "[calibration] " << b.name << " randomization test, picks shifted by " << shift
            << " (one sd of best-of-3): coverage " << cov * 100 << "%, power " << 100.0 * found / kRepeats << "% ("
            << kRepeats << " repeats)\n";
  EXPECT_GE(cov, 0.95 - 3 * std::sqrt(0.95 * 0.05 / kRepeats));
}

// The search summary's own comparisons (one search: rlnas runs show, search/summary.h
// compare_found). Under the null its found architecture is random search's pick from the
// benchmark. Against random search the summary uses the randomization test of its one figure
// against the benchmark's exact best-of-3; the paired t over the 3 training seeds it used before
// (found minus random search's expected figure per seed) measures only the found architecture's
// training noise, and fails where the benchmark separates architectures (the synthetic workload:
// kept as a documented negative case). Against a baseline of the same distribution, paired by
// seed, the paired t holds its level and stays.
TEST_P(Calibration, SummaryComparisonsOfOneSearch) {
  const Benchmark b = load(GetParam());
  const auto null = best_of_k(b.architectures);
  // Random search's expected figure per seed under the pick (summary.h random_search_row).
  std::vector<double> sel, expected_by_seed(kSeeds, 0.0);
  for (const auto& a : b.architectures) sel.push_back(mean_selection(a));
  for (size_t i = 0; i < b.architectures.size(); ++i) {
    std::vector<double> one(b.architectures.size(), 0.0);
    one[i] = 1;
    const double p_i = best_of_k_distribution(sel, one, kTopK).mean();
    for (int s = 0; s < kSeeds; ++s) expected_by_seed[static_cast<size_t>(s)] += p_i * b.architectures[i][static_cast<size_t>(s)].test;
  }
  Mt19937 rng(17);
  constexpr int kRepeats = 2000;
  int old_random = 0, new_random = 0, t_baseline = 0;
  for (int r = 0; r < kRepeats; ++r) {
    const auto n = static_cast<int64_t>(b.architectures.size());
    std::vector<int64_t> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    for (int64_t i = 0; i < kTopK; ++i) std::swap(idx[static_cast<size_t>(i)], idx[static_cast<size_t>(rng.randint(i, n))]);
    size_t best = static_cast<size_t>(idx[0]);
    for (int64_t i = 1; i < kTopK; ++i) {
      const auto c = static_cast<size_t>(idx[static_cast<size_t>(i)]);
      if (mean_selection(b.architectures[c]) > mean_selection(b.architectures[best])) best = c;
    }
    std::vector<double> d;
    for (int s = 0; s < kSeeds; ++s) d.push_back(b.architectures[best][static_cast<size_t>(s)].test - expected_by_seed[static_cast<size_t>(s)]);
    old_random += decided(paired_t_test(d));
    new_random += decided(randomization_test({mean_test(b.architectures[best])}, null, 0.95, static_cast<uint32_t>(r + 1), 4000));
    // Against a baseline: both drawn from the pool.
    const auto found = draw_trainings(b, rng, kSeeds), base = draw_trainings(b, rng, kSeeds);
    std::vector<double> e;
    for (int s = 0; s < kSeeds; ++s) e.push_back(found[static_cast<size_t>(s)].test - base[static_cast<size_t>(s)].test);
    t_baseline += decided(paired_t_test(e));
  }
  report(b.name + " summary: found vs random search, randomization test", static_cast<double>(new_random) / kRepeats, kRepeats);
  report(b.name + " summary: found vs random search, paired t over 3 seeds (old)", static_cast<double>(old_random) / kRepeats, kRepeats);
  report(b.name + " summary: found vs baseline, paired t over 3 seeds", static_cast<double>(t_baseline) / kRepeats, kRepeats);
  EXPECT_LE(static_cast<double>(new_random) / kRepeats, bound(kRepeats));
  EXPECT_LE(static_cast<double>(t_baseline) / kRepeats, bound(kRepeats));
  if (b.name == "synthetic") EXPECT_GT(static_cast<double>(old_random) / kRepeats, 0.5) << "the old method was expected to fail";
}

INSTANTIATE_TEST_SUITE_P(Benchmarks, Calibration,
                         ::testing::Values("minatar-breakout-ss1.json", "minatar-freeway-ss1.json", "synthetic-ss1.json",
                                           "fashion-mnist-image-small.json"),
                         [](const auto& info) {
                           const std::string& p = info.param;
                           return p.find("freeway") != std::string::npos    ? std::string("Freeway")
                                  : p.find("breakout") != std::string::npos ? std::string("Breakout")
                                  : p.find("fashion") != std::string::npos  ? std::string("FashionMnist")
                                                                            : std::string("Synthetic");
                         });

}  // namespace
}  // namespace rlnas
