#include "rlnas/search/tabular.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"

namespace rlnas::search {
namespace {

void check_scores(const std::string& what, const std::vector<double>& scores) {
  if (scores.empty()) throw Error(what + ": no scores given (one per architecture of the space)");
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i])) {
      std::ostringstream s;
      s << what << ": score " << i << " is " << scores[i] << "; every score must be finite";
      throw Error(s.str());
    }
  }
}

void check_k(const std::string& what, const std::vector<double>& scores, int64_t k) {
  check_scores(what, scores);
  if (k < 1 || k > static_cast<int64_t>(scores.size())) {
    throw Error(what + ": k must be between 1 and the number of scores (" + std::to_string(scores.size()) + "), got " +
                std::to_string(k));
  }
}

}  // namespace

RandomSearchStats random_search_best_of_k(const std::vector<double>& scores, int64_t k, int64_t repeats,
                                          uint64_t seed) {
  const std::string what = "random search best of k";
  check_k(what, scores, k);
  if (repeats < 1) throw Error(what + ": repeats must be at least 1, got " + std::to_string(repeats));
  Mt19937 rng(static_cast<uint32_t>(seed ^ (seed >> 32)));
  const auto n = static_cast<int64_t>(scores.size());
  // A partial Fisher-Yates shuffle draws k distinct indices uniformly; it stays uniform when it
  // starts from the permutation the previous repeat left.
  std::vector<size_t> index(scores.size());
  std::iota(index.begin(), index.end(), size_t{0});
  RandomSearchStats out;
  out.k = k;
  out.repeats = repeats;
  out.bests.reserve(static_cast<size_t>(repeats));
  for (int64_t r = 0; r < repeats; ++r) {
    double best = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < k; ++i) {
      const auto j = rng.randint(i, n);
      std::swap(index[static_cast<size_t>(i)], index[static_cast<size_t>(j)]);
      best = std::max(best, scores[index[static_cast<size_t>(i)]]);
    }
    out.bests.push_back(best);
  }
  long double sum = 0;
  for (double b : out.bests) sum += b;
  const long double mean = sum / static_cast<long double>(repeats);
  long double sq = 0;
  for (double b : out.bests) sq += (b - mean) * (b - mean);
  out.mean = static_cast<double>(mean);
  out.std = static_cast<double>(std::sqrt(sq / static_cast<long double>(repeats)));
  return out;
}

double expected_best_of_k_exact(const std::vector<double>& scores, int64_t k) {
  check_k("exact expected best of k", scores, k);
  std::vector<double> sorted = scores;
  std::sort(sorted.begin(), sorted.end());
  const auto n = static_cast<int64_t>(sorted.size());
  // w_i = C(i, k-1) / C(n, k) for i = n-1 down to k-1
  long double w = static_cast<long double>(k) / static_cast<long double>(n);
  long double total = 0;
  for (int64_t i = n - 1; i >= k - 1; --i) {
    total += w * static_cast<long double>(sorted[static_cast<size_t>(i)]);
    if (i > 0) w *= static_cast<long double>(i - k + 1) / static_cast<long double>(i);
  }
  return static_cast<double>(total);
}

BestOfKPick best_of_k_by_selection(const std::vector<double>& selection, const std::vector<double>& test, int64_t k) {
  const std::string what = "random search best of k (by selection)";
  check_k(what, selection, k);
  check_scores(what + ", test scores", test);
  if (test.size() != selection.size()) {
    throw Error(what + ": " + std::to_string(selection.size()) + " selection scores but " +
                std::to_string(test.size()) + " test scores; expected one of each per architecture");
  }
  const auto n = static_cast<int64_t>(selection.size());
  std::vector<size_t> order(selection.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return selection[a] > selection[b]; });
  BestOfKPick out;
  out.k = k;
  out.probability.assign(selection.size(), 0.0);
  // p_i = C(n-1-i, k-1) / C(n, k): p_0 = k/n, p_{i+1} = p_i (n-1-i-(k-1)) / (n-1-i).
  long double p = static_cast<long double>(k) / static_cast<long double>(n);
  for (int64_t i = 0; i + k <= n; ++i) {
    out.probability[order[static_cast<size_t>(i)]] = static_cast<double>(p);
    const int64_t rest = n - 1 - i;
    if (rest > 0) p *= static_cast<long double>(rest - (k - 1)) / static_cast<long double>(rest);
  }
  out.selection_mean = out.expected(selection);
  out.selection_std = out.spread(selection);
  out.test_mean = out.expected(test);
  out.test_std = out.spread(test);
  return out;
}

namespace {

// E[v] and E[(v - E[v])^2] under the pick probabilities, in long double.
std::pair<long double, long double> pick_moments(const std::vector<double>& probability,
                                                 const std::vector<double>& scores) {
  if (scores.size() != probability.size()) {
    throw Error("best of k: " + std::to_string(scores.size()) + " scores for " + std::to_string(probability.size()) +
                " architectures");
  }
  long double m = 0, sq = 0;
  for (size_t i = 0; i < scores.size(); ++i) m += probability[i] * static_cast<long double>(scores[i]);
  for (size_t i = 0; i < scores.size(); ++i) sq += probability[i] * (scores[i] - m) * (scores[i] - m);
  return {m, sq};
}

}  // namespace

double BestOfKPick::expected(const std::vector<double>& scores) const {
  return static_cast<double>(pick_moments(probability, scores).first);
}

double BestOfKPick::spread(const std::vector<double>& scores) const {
  return static_cast<double>(std::sqrt(std::max<long double>(0, pick_moments(probability, scores).second)));
}

Histogram histogram(const std::vector<double>& scores, int64_t bins) {
  check_scores("histogram", scores);
  if (bins < 1) throw Error("histogram: bins must be at least 1, got " + std::to_string(bins));
  const auto [lo_it, hi_it] = std::minmax_element(scores.begin(), scores.end());
  double lo = *lo_it, hi = *hi_it;
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const double width = hi - lo;  // 0 only for one value beyond 2^53, where v +- 0.5 == v
  Histogram h;
  h.edges.resize(static_cast<size_t>(bins) + 1);
  for (int64_t i = 0; i <= bins; ++i) {
    h.edges[static_cast<size_t>(i)] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(bins);
  }
  h.edges.back() = hi;
  h.counts.assign(static_cast<size_t>(bins), 0);
  for (double x : scores) {
    auto b = width > 0 ? static_cast<int64_t>((x - lo) / width * static_cast<double>(bins)) : 0;
    b = std::clamp<int64_t>(b, 0, bins - 1);
    // rounding may put x one bin off: the edges decide
    if (b > 0 && x < h.edges[static_cast<size_t>(b)]) --b;
    if (b < bins - 1 && x >= h.edges[static_cast<size_t>(b) + 1]) ++b;
    ++h.counts[static_cast<size_t>(b)];
  }
  return h;
}

}  // namespace rlnas::search
