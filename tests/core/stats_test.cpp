// core/stats.h against values computed independently: SciPy 1.10 (scipy.stats: f, t, norm,
// ttest_ind(equal_var=False), f_oneway, spearmanr, trim_mean), brute-force enumeration in Python
// (permutation p-values and intervals, best-of-K with ties), and a published example (Shrout &
// Fleiss 1979, Table 2: ICC(1,1) = .17, ICC(1,4) = .44).
#include <gtest/gtest.h>

#include <cmath>

#include "rlnas/core/error.h"
#include "rlnas/core/stats.h"

namespace rlnas {
namespace {

TEST(Stats, DistributionsMatchScipy) {
  EXPECT_NEAR(f_cdf(1.43, 24, 50), 0.8580367654517846, 1e-9);
  EXPECT_NEAR(f_cdf(2.5, 3, 10), 0.8809604373417219, 1e-9);
  EXPECT_NEAR(1 - f_cdf(0.64, 24, 50), 0.8818497352616232, 1e-9);
  EXPECT_EQ(f_cdf(0, 3, 10), 0);
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-9);
  EXPECT_NEAR(normal_cdf(-1.3), 0.09680048458561036, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.8, 4), 0.94096457719753, 1e-9);
}

TEST(Stats, SampleSdUsesNMinusOne) {
  EXPECT_NEAR(sample_sd({26.3, 28.67, 0.0}), 15.9133, 1e-3);  // population sd: 12.99
  EXPECT_NEAR(population_std({26.3, 28.67, 0.0}), 12.9933, 1e-3);
  EXPECT_EQ(sample_sd({4.0}), 0);
}

TEST(Stats, WelchMatchesScipy) {
  const auto r = welch_test({1, 2, 3, 4, 5.5}, {2, 2.5, 7, 8});
  EXPECT_EQ(r.method, "welch");
  EXPECT_NEAR(r.effect, 3.1 - 4.875, 1e-12);
  EXPECT_NEAR(*r.df, 4.531266537832849, 1e-9);
  EXPECT_NEAR(*r.p, 0.35402446576961144, 1e-9);
  EXPECT_NEAR(*r.low, -6.3380038720922265, 1e-8);
  EXPECT_NEAR(*r.high, 2.788003872092226, 1e-8);
  EXPECT_NEAR(*r.mde, 6.159848432375596, 1e-7);
  EXPECT_EQ(verdict_word(r), "inconclusive");
  // One value on a side, or no spread at all: no interval, said.
  EXPECT_FALSE(welch_test({1}, {2, 3}).low);
  EXPECT_NE(welch_test({1, 1}, {2, 2}).note.find("constant"), std::string::npos);
}

TEST(Stats, VerdictWordsNeedTheIntervalAndTheAdjustedP) {
  TestResult r;
  r.low = 0.5;
  r.high = 1.5;
  EXPECT_EQ(verdict_word(r), "better");
  EXPECT_EQ(verdict_word(r, 0.2), "inconclusive");  // Holm took it away
  r.low = -1.5;
  r.high = -0.5;
  EXPECT_EQ(verdict_word(r), "worse");
  r.high = 0.1;
  EXPECT_EQ(verdict_word(r), "inconclusive");
  EXPECT_EQ(verdict_word(TestResult{}), "no interval");
}

TEST(Stats, PermutationTestMatchesEnumeration) {
  const auto r = permutation_test({1, 2, 3, 4}, {3, 5, 6, 7, 8});
  EXPECT_EQ(r.draws, 0);  // C(9, 4) = 126 splits: exact
  EXPECT_NEAR(*r.p, 5.0 / 126, 1e-12);
  EXPECT_NEAR(r.effect, -3.3, 1e-12);
  // The acceptance region of the test over shifts, found by a fine scan in Python.
  EXPECT_NEAR(*r.low, -6.0, 2e-3);
  EXPECT_NEAR(*r.high, -0.462, 2e-3);
  EXPECT_EQ(verdict_word(r), "worse");
}

TEST(Stats, PermutationTestSaysWhenThreeAgainstThreeCannotDecide) {
  // However far apart, 3 against 3 values reach p = 2/20 at best.
  const auto r = permutation_test({10, 11, 12}, {0, 1, 2});
  EXPECT_NEAR(*r.p, 0.1, 1e-12);
  EXPECT_FALSE(r.low);
  EXPECT_NE(r.note.find("smallest p"), std::string::npos);
  EXPECT_EQ(verdict_word(r), "no interval");
}

TEST(Stats, PermutationTestSamplesWhenThereAreTooManySplits) {
  std::vector<double> a, b;
  for (int i = 0; i < 10; ++i) {
    a.push_back(i + 3.0);
    b.push_back(i * 1.0);
  }
  const auto exact = permutation_test(a, b, 0.95, 1, 20000, 1'000'000);  // C(20, 10) = 184,756
  const auto sampled = permutation_test(a, b, 0.95, 7, 20000, 1000);
  EXPECT_EQ(exact.draws, 0);
  EXPECT_EQ(sampled.draws, 20000);
  EXPECT_NEAR(*sampled.p, *exact.p, 0.01);
  EXPECT_EQ(permutation_test(a, b, 0.95, 7, 20000, 1000).p, sampled.p);  // seeded
}

TEST(Stats, WelchWithHsuDegreesOfFreedom) {
  // df = min(5, 4) - 1 = 3: the same effect and standard error, a wider interval.
  const auto r = welch_test({1, 2, 3, 4, 5.5}, {2, 2.5, 7, 8}, 0.95, true);
  EXPECT_EQ(r.method, "welch_hsu");
  EXPECT_EQ(*r.df, 3);
  const double se = (2.788003872092226 - -6.3380038720922265) / 2 / 2.6526589240757144;  // t_.975 at 4.53 df
  EXPECT_NEAR(*r.high - r.effect, 3.182446305284263 * se, 1e-6);                        // t_.975 at 3 df
  EXPECT_GT(*r.p, 0.35402446576961144);
}

TEST(Stats, BestOfKSharesTiedProbability) {
  // Enumerated in Python over all C(5, 2) draws, a tie split evenly.
  const auto d = best_of_k_distribution({3, 1, 3, 2, 5}, {10, 20, 30, 40, 50}, 2);
  double p10 = 0, p30 = 0, p40 = 0, p50 = 0, p20 = 0;
  for (size_t i = 0; i < d.values.size(); ++i) {
    (d.values[i] == 10 ? p10 : d.values[i] == 30 ? p30 : d.values[i] == 40 ? p40 : d.values[i] == 50 ? p50 : p20) +=
        d.probs[i];
  }
  EXPECT_NEAR(p10, 0.25, 1e-12);
  EXPECT_NEAR(p30, 0.25, 1e-12);
  EXPECT_NEAR(p40, 0.1, 1e-12);
  EXPECT_NEAR(p50, 0.4, 1e-12);
  EXPECT_NEAR(p20, 0, 1e-12);
  EXPECT_NEAR(d.mean(), 34.0, 1e-12);
  EXPECT_NEAR(d.p_at_least(40), 0.5, 1e-12);
  EXPECT_NEAR(d.p_at_least(50), 0.4, 1e-12);
  // Three tied of six, K = 3.
  const auto e = best_of_k_distribution({3, 1, 3, 2, 5, 3}, {10, 20, 30, 40, 50, 60}, 3);
  EXPECT_NEAR(e.p_at_least(60), 1.0 / 6, 1e-12);
  EXPECT_NEAR(e.p_at_least(50), 0.5 + 1.0 / 6, 1e-12);
  EXPECT_NEAR(e.p_at_least(10.5), 5.0 / 6, 1e-12);  // 10 and 30 tied at selection 3 with 60: 1/6 each
  EXPECT_THROW(best_of_k_distribution({1, 2}, {1, 2}, 3), Error);
}

TEST(Stats, RandomizationTestAgainstAnEnumeratedNull) {
  // Null: best of 2 from {0, 1, 2, 3} by selection = reported: P(3) = 1/2, P(2) = 1/3, P(1) = 1/6.
  // Two searches that both picked 3: the mean is 3 with probability 1/4 under the null, and at
  // most as low as that... so the one-sided upper p is 1/4 and the two-sided 1/2.
  const auto null = best_of_k_distribution({0, 1, 2, 3}, {0, 1, 2, 3}, 2);
  EXPECT_NEAR(null.mean(), 3 * 0.5 + 2.0 / 3 + 1.0 / 6, 1e-12);
  const auto r = randomization_test({3, 3}, null, 0.95, 1, 200000);
  EXPECT_NEAR(r.effect, 3 - null.mean(), 1e-12);
  EXPECT_NEAR(*r.p, 0.5, 0.01);
  EXPECT_EQ(verdict_word(r), "inconclusive");
  // Eight searches that all picked the best: P = 1/2^8 one-sided.
  const auto s = randomization_test(std::vector<double>(8, 3.0), null, 0.95, 1, 200000);
  EXPECT_NEAR(*s.p, 2.0 / 256, 0.002);
  EXPECT_EQ(verdict_word(s), "better");
  EXPECT_EQ(randomization_test(std::vector<double>(8, 3.0), null, 0.95, 1, 200000).p, s.p);  // seeded
}

TEST(Stats, PairedTCarriesPAndMde) {
  const auto r = paired_t_test({1, 2, 3});
  EXPECT_NEAR(r.effect, 2, 1e-12);
  EXPECT_NEAR(*r.low, 2 - 4.302652729911275 / std::sqrt(3.0), 1e-8);
  EXPECT_NEAR(*r.p, 0.07417990022744853, 1e-6);  // scipy.stats.ttest_1samp([1, 2, 3], 0)
  EXPECT_FALSE(paired_t_test({1, 2}).low);
}

TEST(Stats, EquivalenceByTwoOneSidedTests) {
  const std::vector<double> a{10.1, 9.8, 10.3, 10.0, 9.9}, b{10.2, 10.0, 9.7, 10.1};
  const auto e = equivalence_test(a, b, 0.5);
  EXPECT_NEAR(*e.low, -0.24711043589797604, 1e-8);
  EXPECT_NEAR(*e.high, 0.2871104358979752, 1e-8);
  EXPECT_NEAR(*e.p, 0.006335890125390598, 1e-8);
  EXPECT_TRUE(e.equivalent);
  EXPECT_FALSE(equivalence_test(a, b, 0.25).equivalent);  // the 90% interval reaches past 0.25
  EXPECT_THROW(equivalence_test(a, b, 0), Error);
}

TEST(Stats, RanksAndSpearmanMatchScipy) {
  EXPECT_EQ(average_ranks({5, 1, 5, 3}), (std::vector<double>{1.5, 4, 1.5, 3}));
  EXPECT_NEAR(spearman({1, 2, 2, 4, 5}, {5, 3, 4, 1, 1}), -0.9473684210526317, 1e-12);
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
}

TEST(Stats, SeparationMatchesAnovaAndShroutFleiss) {
  // Shrout & Fleiss (1979): 6 targets rated by 4 judges; as one-way data, F = 1.79 (SciPy's
  // f_oneway), ICC(1,1) = .17 and ICC(1,4) = .44.
  const std::vector<std::vector<double>> g{{9, 2, 5, 8}, {6, 1, 3, 2}, {8, 4, 6, 8},
                                           {7, 1, 2, 6}, {10, 5, 6, 9}, {6, 2, 4, 7}};
  const auto s = separation(g);
  EXPECT_NEAR(s.f, 1.7946784922394685, 1e-9);
  EXPECT_NEAR(s.p, 0.1647688083446397, 1e-8);
  EXPECT_EQ(s.df_between, 5);
  EXPECT_EQ(s.df_within, 18);
  EXPECT_NEAR(s.icc1, 0.17, 0.005);
  EXPECT_NEAR(s.icc_mean, 0.44, 0.005);
  EXPECT_FALSE(s.separates());
  EXPECT_EQ(s.seed_rank_correlations.size(), 6u);  // every pair of the 4 columns
  // (t_.975,6 + t_.8,6) * sqrt(2 * MSW / 4), MSW = 6.2639 (Shrout & Fleiss: 6.26).
  EXPECT_NEAR(s.mde, (2.4469118487916806 + 0.9057032851797618) * std::sqrt(2 * 6.263888888888889 / 4), 1e-6);
  EXPECT_THROW(separation({{1, 2}}), Error);
}

TEST(Stats, ChiSquareTailAndKruskalWallisMatchScipy) {
  EXPECT_NEAR(chi_square_sf(3.841458820694124, 1), 0.05, 1e-12);
  EXPECT_NEAR(chi_square_sf(7.0, 2), std::exp(-3.5), 1e-14);  // df 2: exp(-x / 2)
  EXPECT_NEAR(chi_square_sf(18.307038053275146, 10), 0.05, 1e-12);
  EXPECT_NEAR(chi_square_sf(0.5, 30), 1.0, 1e-12);
  EXPECT_EQ(chi_square_sf(0, 3), 1.0);
  // scipy.stats.kruskal's examples: without ties, and with ties (the tie correction).
  auto s = separation({{1, 3, 5, 7, 9}, {2, 4, 6, 8, 10}});
  EXPECT_NEAR(s.kruskal_h, 0.2727272727272734, 1e-12);
  EXPECT_NEAR(s.kruskal_p, 0.6015081344405895, 1e-12);
  s = separation({{1, 1, 1}, {2, 2, 2}, {2, 2}});
  EXPECT_NEAR(s.kruskal_h, 7.0, 1e-12);
  EXPECT_NEAR(s.kruskal_p, 0.0301973834223185, 1e-12);
  // Ten architectures a point apart, three seeds each, one training diverged: the ANOVA's
  // within-architecture variance swells and it separates nothing; the ranks still do.
  std::vector<std::vector<double>> g;
  for (int i = 0; i < 10; ++i) g.push_back({80.0 + i, 80.2 + i, 79.9 + i});
  EXPECT_TRUE(separation(g).separates());
  g[3][1] = 10;  // at chance
  const auto dead = separation(g);
  EXPECT_FALSE(dead.separates()) << dead.p;
  EXPECT_TRUE(dead.separates_by_rank()) << dead.kruskal_p;
}

TEST(Stats, IqmMatchesTrimMean) {
  EXPECT_NEAR(iqm({5, 1, 9, 3, 7, 2, 8, 100, 4}), 5.4, 1e-12);
  EXPECT_NEAR(iqm({1, 2, 3, 4, 5, 6, 7, 80}), 4.5, 1e-12);
}

TEST(Stats, StratifiedBootstrapIntervals) {
  const auto i = iqm_interval({{1, 2, 3, 4}, {10, 11, 12, 13}}, 0.95, 3, 2000);
  EXPECT_NEAR(i.value, iqm({1, 2, 3, 4, 10, 11, 12, 13}), 1e-12);
  EXPECT_LT(i.low, i.value);
  EXPECT_GT(i.high, i.value);
  EXPECT_EQ(i.draws, 2000);
  // Task 1: P(x > y) = 0.25 (1 < 2, 2 = 2); task 2: 0.75.
  const auto p = probability_of_improvement({{1, 2}, {3}}, {{2}, {1, 3}}, 0.95, 1, 500);
  EXPECT_NEAR(p.value, 0.5, 1e-12);
  const auto sure = probability_of_improvement({{5, 6, 7}}, {{1, 2, 3}});
  EXPECT_EQ(sure.value, 1);
  EXPECT_EQ(sure.low, 1);
  EXPECT_THROW(probability_of_improvement({{1}}, {{1}, {2}}), Error);
}

TEST(Stats, HolmStepDown) {
  const auto h = holm_adjust({0.01, 0.04, 0.03, 0.005});
  EXPECT_NEAR(h[0], 0.03, 1e-12);
  EXPECT_NEAR(h[1], 0.06, 1e-12);
  EXPECT_NEAR(h[2], 0.06, 1e-12);
  EXPECT_NEAR(h[3], 0.02, 1e-12);
  EXPECT_EQ(holm_adjust({0.5, 0.9})[1], 1.0);
}

}  // namespace
}  // namespace rlnas
