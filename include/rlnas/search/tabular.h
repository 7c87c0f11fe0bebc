// Statistics on a tabular benchmark: one true performance per architecture of a space (e.g. the
// mean reward of the last 100 episodes of each architecture trained from scratch, nas-for-rl-agents
// Section 5.3).
//
// The random search baseline of nas-for-rl-agents Section 5.4: select K architectures of the space
// at random, train them, return the best by true performance; its spread is estimated by repeating
// it 1000 times (Table 1 reports mean ± std, K = 3). On a tabular benchmark "training" is a look-up,
// so one repeat draws K distinct architectures uniformly (without replacement) and takes the best
// score. expected_best_of_k_exact gives the exact expectation of the same quantity.
#pragma once

#include <cstdint>
#include <vector>

namespace rlnas::search {

struct RandomSearchStats {
  double mean = 0;  // mean of `bests`
  double std = 0;   // population standard deviation of `bests` (ddof 0, numpy's default)
  int64_t k = 0;
  int64_t repeats = 0;
  std::vector<double> bests;  // each repeat's best score, in order
};

// `repeats` random searches of `k` distinct architectures each, drawn uniformly from `scores` (one
// true performance per architecture) with an Mt19937 seeded by `seed` (folded to 32 bits: low ^
// high). Throws rlnas::Error when scores is empty or holds a non-finite value, k is outside
// [1, scores.size()], or repeats < 1.
RandomSearchStats random_search_best_of_k(const std::vector<double>& scores, int64_t k, int64_t repeats = 1000,
                                          uint64_t seed = 1);

// The exact expectation of the best of k distinct uniformly drawn scores, over all C(n, k) subsets:
// with the scores sorted ascending s_0 <= ... <= s_{n-1}, P(the best is s_i) = C(i, k-1) / C(n, k)
// for i >= k-1. The weights are computed in long double by the exact ratio
// w_{n-1} = k/n, w_{i-1} = w_i * (i-k+1)/i, so nothing overflows whatever n. Same errors as above.
double expected_best_of_k_exact(const std::vector<double>& scores, int64_t k);

// Random search under the protocol's one selection rule (summary.h): K distinct architectures drawn
// uniformly, the one with the highest `selection` score picked, its `test` score reported. Exact over
// all C(n, K) subsets: with the architectures ranked by selection, best first (ties in their given
// order), the i-th (0-based) is the pick with probability C(n-1-i, K-1) / C(n, K).
struct BestOfKPick {
  int64_t k = 0;
  std::vector<double> probability;  // per architecture (in the given order): P(it is the pick)
  double selection_mean = 0;        // E[the pick's selection score]
  double selection_std = 0;         // its spread over the draws (population std)
  double test_mean = 0;             // E[the pick's test score]
  double test_std = 0;
  // E[the pick's score in `scores`] with the same pick probabilities (e.g. one seed's test scores),
  // and its spread over the draws (population std).
  double expected(const std::vector<double>& scores) const;
  double spread(const std::vector<double>& scores) const;
};
// Throws rlnas::Error when the two have different sizes, are empty, hold a non-finite value, or k
// is outside [1, n].
BestOfKPick best_of_k_by_selection(const std::vector<double>& selection, const std::vector<double>& test, int64_t k);

struct Histogram {
  std::vector<double> edges;    // bins + 1 increasing edges
  std::vector<int64_t> counts;  // bins counts; they sum to scores.size()
};

// numpy.histogram(scores, bins): `bins` equal-width bins from the smallest to the largest score, each
// bin half-open [lo, hi) except the last, which holds the largest score. When every score is the
// same value v, the range is [v - 0.5, v + 0.5] (as numpy), so the bins have total width 1 centred
// on v. Throws rlnas::Error when scores is empty or holds a non-finite value, or bins < 1.
Histogram histogram(const std::vector<double>& scores, int64_t bins);

}  // namespace rlnas::search
