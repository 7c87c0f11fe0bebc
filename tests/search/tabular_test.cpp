// Tabular-benchmark statistics: the random search baseline (nas-for-rl-agents Section 5.4) and histograms.
#include "rlnas/search/tabular.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "../common/error_of.h"

namespace rlnas::search {
namespace {

using test_util::error_of;

std::vector<double> one_to(int n) {
  std::vector<double> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 1.0);
  return v;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Tabular, ExactExpectationMatchesHandComputedValues) {
  // 1..5, k = 2: the max of the 10 pairs is 2 once, 3 twice, 4 three times, 5 four times.
  EXPECT_NEAR(expected_best_of_k_exact(one_to(5), 2), (2 * 1 + 3 * 2 + 4 * 3 + 5 * 4) / 10.0, 1e-12);
  // 1..25, k = 3: sum_i i C(i-1, 2) / C(25, 3) = 3 C(26, 4) / C(25, 3) = 44850 / 2300 = 19.5.
  EXPECT_NEAR(expected_best_of_k_exact(one_to(25), 3), 19.5, 1e-12);
  // Order does not matter; ties are fine: {0, 0, 10}, k = 2: 2 of the 3 pairs hold the 10.
  EXPECT_NEAR(expected_best_of_k_exact({10, 0, 0}, 2), 20.0 / 3, 1e-12);
  // k = 1 is the mean, k = n the max.
  EXPECT_NEAR(expected_best_of_k_exact({3, -1, 7, 2}, 1), 2.75, 1e-12);
  EXPECT_EQ(expected_best_of_k_exact({3, -1, 7, 2}, 4), 7);
  // Large n stays finite: 1..100000, k = 50 gives k (n + 1) / (k + 1).
  EXPECT_NEAR(expected_best_of_k_exact(one_to(100000), 50), 50.0 * 100001 / 51, 1e-6);
}

TEST(Tabular, ResampledMeanAgreesWithTheExactExpectation) {
  // Uneven scores in no particular order.
  std::vector<double> scores;
  for (int i = 0; i < 25; ++i) scores.push_back(std::fmod(i * 7.3, 11.0) + (i % 4 == 0 ? 30 : 0));
  for (int64_t k : {1, 3, 10}) {
    const auto stats = random_search_best_of_k(scores, k, 1000, 42);
    EXPECT_EQ(stats.k, k);
    EXPECT_EQ(stats.repeats, 1000);
    ASSERT_EQ(stats.bests.size(), 1000u);
    const double exact = expected_best_of_k_exact(scores, k);
    const double se = stats.std / std::sqrt(1000.0);
    EXPECT_GT(se, 0);
    EXPECT_LT(std::abs(stats.mean - exact), 3 * se) << "k " << k << " mean " << stats.mean << " exact " << exact;
  }
  const auto stats = random_search_best_of_k(one_to(25), 3);
  EXPECT_LT(std::abs(stats.mean - 19.5), 3 * stats.std / std::sqrt(1000.0));
}

TEST(Tabular, MeanAndPopulationStdOfTheBests) {
  const auto stats = random_search_best_of_k(one_to(10), 2, 200, 3);
  double mean = 0;
  for (double b : stats.bests) mean += b;
  mean /= 200;
  double var = 0;
  for (double b : stats.bests) var += (b - mean) * (b - mean);
  EXPECT_NEAR(stats.mean, mean, 1e-12);
  EXPECT_NEAR(stats.std, std::sqrt(var / 200), 1e-12);  // ddof 0
  for (double b : stats.bests) {
    EXPECT_GE(b, 2);  // two distinct draws: the best is never the smallest score
    EXPECT_LE(b, 10);
    EXPECT_EQ(b, std::round(b));
  }
}

TEST(Tabular, BestOfAllIsTheMaxWithNoSpread) {
  const std::vector<double> scores = {4.5, -2, 9.25, 0, 9.0};
  const auto stats = random_search_best_of_k(scores, 5, 50, 9);
  EXPECT_EQ(stats.mean, 9.25);
  EXPECT_EQ(stats.std, 0);
  for (double b : stats.bests) EXPECT_EQ(b, 9.25);
  EXPECT_EQ(expected_best_of_k_exact(scores, 5), 9.25);
}

TEST(Tabular, IsDeterministicForASeed) {
  const auto scores = one_to(30);
  const auto a = random_search_best_of_k(scores, 3, 100, 17);
  EXPECT_EQ(a.bests, random_search_best_of_k(scores, 3, 100, 17).bests);
  EXPECT_NE(a.bests, random_search_best_of_k(scores, 3, 100, 18).bests);
}

TEST(Tabular, RejectsBadArguments) {
  const auto scores = one_to(5);
  EXPECT_TRUE(contains(error_of([&] { random_search_best_of_k(scores, 0); }),
                       "k must be between 1 and the number of scores (5), got 0"));
  EXPECT_TRUE(contains(error_of([&] { random_search_best_of_k(scores, 6); }), "got 6"));
  EXPECT_TRUE(contains(error_of([&] { random_search_best_of_k(scores, 2, 0); }), "repeats must be at least 1, got 0"));
  EXPECT_TRUE(contains(error_of([&] { random_search_best_of_k({}, 1); }), "no scores given"));
  EXPECT_TRUE(contains(error_of([&] { expected_best_of_k_exact(scores, 7); }),
                       "k must be between 1 and the number of scores (5), got 7"));
  EXPECT_TRUE(contains(error_of([&] { expected_best_of_k_exact({}, 1); }), "no scores given"));
  EXPECT_TRUE(contains(error_of([&] { expected_best_of_k_exact({1, std::nan(""), 3}, 1); }), "score 1 is nan"));
  EXPECT_TRUE(contains(error_of([&] { histogram(scores, 0); }), "bins must be at least 1, got 0"));
  EXPECT_TRUE(contains(error_of([&] { histogram({}, 3); }), "no scores given"));
  EXPECT_TRUE(contains(error_of([&] {
                         histogram({1, std::numeric_limits<double>::infinity()}, 3);
                       }),
                       "score 1 is inf"));
}

TEST(Tabular, HistogramAsNumpy) {
  // numpy.histogram([1, 2, 2, 3, 4], 3): edges [1, 2, 3, 4], counts [1, 2, 2] (the last bin is closed).
  const auto h = histogram({1, 2, 2, 3, 4}, 3);
  EXPECT_EQ(h.edges, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(h.counts, (std::vector<int64_t>{1, 2, 2}));

  std::vector<double> scores;
  for (int i = 0; i < 1000; ++i) scores.push_back(std::sin(i * 0.37) * 50 + i * 0.01);
  for (int64_t bins : {1, 7, 10, 64}) {
    const auto g = histogram(scores, bins);
    ASSERT_EQ(g.edges.size(), static_cast<size_t>(bins) + 1);
    ASSERT_EQ(g.counts.size(), static_cast<size_t>(bins));
    EXPECT_EQ(std::accumulate(g.counts.begin(), g.counts.end(), int64_t{0}), 1000);
    for (size_t i = 1; i < g.edges.size(); ++i) EXPECT_LT(g.edges[i - 1], g.edges[i]);
    EXPECT_EQ(g.edges.front(), *std::min_element(scores.begin(), scores.end()));
    EXPECT_EQ(g.edges.back(), *std::max_element(scores.begin(), scores.end()));
    // Every count is the number of scores within its bin's edges.
    for (int64_t b = 0; b < bins; ++b) {
      const double lo = g.edges[static_cast<size_t>(b)], hi = g.edges[static_cast<size_t>(b) + 1];
      const auto n = std::count_if(scores.begin(), scores.end(),
                                   [&](double x) { return x >= lo && (x < hi || (b == bins - 1 && x == hi)); });
      EXPECT_EQ(g.counts[static_cast<size_t>(b)], n) << "bin " << b << " of " << bins;
    }
  }
}

TEST(Tabular, HistogramOfConstantScoresIsCentredOnTheValue) {
  const auto h = histogram({7, 7, 7}, 1);
  EXPECT_EQ(h.edges, (std::vector<double>{6.5, 7.5}));
  EXPECT_EQ(h.counts, (std::vector<int64_t>{3}));
  const auto four = histogram({7, 7, 7}, 4);
  EXPECT_EQ(four.edges, (std::vector<double>{6.5, 6.75, 7, 7.25, 7.5}));
  EXPECT_EQ(four.counts, (std::vector<int64_t>{0, 0, 3, 0}));  // numpy: [0, 0, 3, 0]
}

}  // namespace
}  // namespace rlnas::search
