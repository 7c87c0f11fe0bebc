// The statistics rlnas puts on its figures, one implementation for the CLI, the report and (through
// `rlnas compare --json`) the scripts that print docs/results/:
// - summary statistics: mean, the population standard deviation (ddof 0, numpy's default) and the
//   sample standard deviation (ddof 1, what "± sd" means in a comparison);
// - distributions: Student's t, F and the normal;
// - comparisons (TestResult): Welch's t (Satterthwaite's or Hsu's conservative degrees of freedom),
//   a two-sample permutation test, a randomization test against random search's best-of-K from a
//   tabular benchmark, the paired t interval of a search summary, an equivalence test (two
//   one-sided tests);
// - does a benchmark separate architectures: one-way ANOVA, intraclass correlation, rank correlation
//   between training seeds, the smallest difference the design detects;
// - across environments: the interquartile mean and the probability of improvement of Agarwal et
//   al. (2021, rliable) with stratified bootstrap intervals; Holm's correction.
// Every resampling takes a seed; the same inputs give the same figures.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rlnas {

inline double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

inline double population_std(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return v.empty() ? 0.0 : std::sqrt(s / static_cast<double>(v.size()));
}

// The sample standard deviation (ddof 1); 0 below 2 values.
inline double sample_sd(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

// Student's t distribution with `df` degrees of freedom (df >= 1): P(T <= t), and its quantile
// (the t with P(T <= t) = p, 0 < p < 1).
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);
// The F distribution with (d1, d2) degrees of freedom: P(F <= f).
double f_cdf(double f, double d1, double d2);
// P(X > x) for X chi-square with df degrees of freedom (the regularized upper incomplete gamma).
double chi_square_sf(double x, double df);
// The standard normal: P(Z <= z) and its quantile.
double normal_cdf(double z);
double normal_quantile(double p);

// The smallest sample an interval is given for: below it, the spread of the differences is too
// poorly known for any interval to mean much, and rlnas says so instead.
inline constexpr int64_t kMinIntervalSamples = 3;

// A difference "a - b" with its confidence interval.
struct DifferenceInterval {
  int64_t n = 0;                    // pairs
  double difference = 0;            // mean of the differences
  std::optional<double> low, high;  // none below kMinIntervalSamples pairs
  double level = 0.95;
  // "a better" / "b better" / "inconclusive" (the interval holds 0) / "fewer than 3 pairs: no interval".
  std::string verdict(const std::string& a = "a", const std::string& b = "b") const;
  bool significant() const { return low && high && (*low > 0 || *high < 0); }
};

// Student's t interval on paired differences d_i = a_i - b_i: mean(d) +- t_{(1+level)/2, n-1} s/sqrt(n),
// s the sample standard deviation (ddof 1). Exact when the differences are normal, and calibrated at
// 3 seeds where a percentile bootstrap is not (it covers about 73% of the time there). When every
// difference is the same the interval is that one value.
DifferenceInterval paired_t_interval(const std::vector<double>& differences, double level = 0.95);

// ---------------------------------------------------------------------------------------------
// Comparisons of two samples

// A comparison "a - b": the effect, its interval at `level`, a two-sided p-value, and the smallest
// true difference the design would detect with 80% power at the 5% level (two-sided).
struct TestResult {
  std::string method;  // welch | welch_hsu | permutation | randomization | paired_t
  int64_t n_a = 0, n_b = 0;
  double effect = 0;
  std::optional<double> low, high;  // none when the data cannot give one (say why in `note`)
  std::optional<double> p;
  std::optional<double> df;  // Welch and t: the degrees of freedom
  std::optional<double> mde;
  double level = 0.95;
  int64_t draws = 0;  // Monte Carlo draws behind p and the interval; 0 = exact (enumerated)
  std::string note;   // why there is no interval or p, or what limits them
  bool excludes_zero() const { return low && high && (*low > 0 || *high < 0); }
};

// The verdict words of every comparison: "better" / "worse" (a than b) only when the interval
// excludes 0 and, where given, the multiplicity-adjusted p is below 1 - level; otherwise
// "inconclusive"; "no interval" when there is none. Never "equivalent": that takes an
// equivalence test (equivalence_test).
std::string verdict_word(const TestResult& r, std::optional<double> adjusted_p = std::nullopt);

// Welch's t on two independent samples (each at least 2 values, not both constant): effect
// mean(a) - mean(b), standard error sqrt(s_a^2/n_a + s_b^2/n_b), Satterthwaite's degrees of freedom;
// with `conservative`, Hsu's min(n_a, n_b) - 1 instead (method "welch_hsu"), which keeps its level
// for any ratio of the two variances, where Satterthwaite's (and a permutation test) do not when
// one side has 3 values: rlnas compare's test against a 3-seed baseline.
TestResult welch_test(const std::vector<double>& a, const std::vector<double>& b, double level = 0.95,
                      bool conservative = false);

// Two-sample permutation test of mean(a) - mean(b) (a and b exchangeable under the null): every
// split of the pooled values when there are at most `exact_limit` of them, else `draws` random
// splits (seeded). The interval inverts the test over shifts of a. With few values the smallest
// attainable p is above 1 - level (3 against 3: 2/20 = 0.1): then there is no interval, said in
// `note`.
TestResult permutation_test(const std::vector<double>& a, const std::vector<double>& b, double level = 0.95,
                            uint32_t seed = 1, int64_t draws = 20000, int64_t exact_limit = 200000);

// A discrete distribution: values with their probabilities (summing to 1).
struct DiscreteDistribution {
  std::vector<double> values, probs;
  double mean() const;
  double sd() const;
  double p_at_least(double x) const;  // P(X >= x), with a relative tolerance of 1e-12 on x
};

// Random search's best-of-K from a tabular benchmark: K distinct entries drawn uniformly, the one
// with the highest `selection` picked, its `reported` value the outcome. Exact over all C(n, K)
// draws; entries tied on selection share their probability equally (a tie is broken at random).
DiscreteDistribution best_of_k_distribution(const std::vector<double>& selection, const std::vector<double>& reported,
                                            int64_t k);

// Randomization test of S searches' reported values (`picks`) against random search: under the
// null every search's top-K is a uniformly random K-subset of the benchmark, so each pick is a draw
// of `null` (best_of_k_distribution) and the statistic, the mean over the searches, is the mean of
// S independent draws. Its null distribution comes from `draws` seeded Monte Carlo draws of that
// exact null; the effect is mean(picks) - null.mean(), the interval the effect minus the null's
// 97.5% and 2.5% points, p two-sided (equal tails).
TestResult randomization_test(const std::vector<double>& picks, const DiscreteDistribution& null,
                              double level = 0.95, uint32_t seed = 1, int64_t draws = 100000);

// Student's t on paired differences as a TestResult (paired_t_interval, with p and the MDE).
TestResult paired_t_test(const std::vector<double>& differences, double level = 0.95);

// Equivalence of a and b within +-margin by two one-sided Welch tests: "equivalent" when the
// (1 - 2 alpha) interval lies inside (-margin, margin); p the larger one-sided p.
struct Equivalence {
  double margin = 0;
  double effect = 0;
  std::optional<double> low, high;  // the 90% interval at alpha 0.05
  std::optional<double> p;
  bool equivalent = false;
};
Equivalence equivalence_test(const std::vector<double>& a, const std::vector<double>& b, double margin,
                             double alpha = 0.05, bool conservative = false);
// The same rule for any method: `at_1_minus_2alpha` is the comparison at level 1 - 2 alpha;
// "equivalent" when its interval lies inside (-margin, margin). No p (the method may have none).
Equivalence equivalence_of(const TestResult& at_1_minus_2alpha, double margin);

// ---------------------------------------------------------------------------------------------
// Does a benchmark separate architectures?

// Ranks 1..n of the values, 1 the largest, ties sharing their average rank.
std::vector<double> average_ranks(const std::vector<double>& values);
// Spearman's rank correlation (Pearson's on average ranks); NaN when either side is constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

// One-way ANOVA of the architectures' values over training seeds, and what it implies.
// groups[i][j]: architecture i's value at training seed j (the same seeds in the same order for
// every architecture, for the rank correlations; the ANOVA and ICC take unequal group sizes).
struct Separation {
  int64_t architectures = 0, observations = 0;
  double seeds_per_architecture = 0;  // k (the mean group size when they differ)
  double f = 0, df_between = 0, df_within = 0, p = 1;
  double ms_between = 0, ms_within = 0;
  double icc1 = 0;      // ICC(1): the share of one training's variance due to the architecture (may be < 0)
  double icc_mean = 0;  // ICC(k): the reliability of a k-seed mean (Spearman-Brown)
  std::vector<double> seed_rank_correlations;  // Spearman between each pair of seed columns
  // The smallest difference between two architectures' k-seed means that a two-sided t test at 5%
  // detects with 80% power, given the within-architecture spread: (t_.975 + t_.8) * sqrt(2 MSW / k).
  double mde = 0;
  // Kruskal-Wallis H on the ranks of every training (ties: average ranks and the tie correction)
  // and its chi-square p (df architectures - 1): the same question without the normal errors the
  // ANOVA assumes, so that a few outlying trainings (a diverged one) cannot hide a separation.
  double kruskal_h = 0, kruskal_p = 1;
  bool separates(double alpha = 0.05) const { return p <= alpha; }
  bool separates_by_rank(double alpha = 0.05) const { return kruskal_p <= alpha; }
};
Separation separation(const std::vector<std::vector<double>>& groups);

// ---------------------------------------------------------------------------------------------
// Across environments (Agarwal et al. 2021)

// The interquartile mean: the mean of the values left after cutting floor(n / 4) from each end
// (scipy.stats.trim_mean(x, 0.25), as rliable).
double iqm(std::vector<double> values);

struct AggregateInterval {
  double value = 0;
  double low = 0, high = 0;
  double level = 0.95;
  int64_t draws = 0;
};
// IQM over every run of every task (scores[task][run], normalized by the caller), with a
// percentile interval from a stratified bootstrap (runs resampled within each task).
AggregateInterval iqm_interval(const std::vector<std::vector<double>>& scores, double level = 0.95,
                               uint32_t seed = 1, int64_t draws = 2000);
// P(X > Y) averaged over tasks (ties count half), x[task][run] against y[task][run], with a
// stratified bootstrap interval (both sides resampled within each task).
AggregateInterval probability_of_improvement(const std::vector<std::vector<double>>& x,
                                             const std::vector<std::vector<double>>& y, double level = 0.95,
                                             uint32_t seed = 1, int64_t draws = 2000);

// Holm's step-down adjustment of p-values (same order as given; monotone; at most 1).
std::vector<double> holm_adjust(const std::vector<double>& p);

}  // namespace rlnas
