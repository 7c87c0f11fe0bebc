// Student's t distribution and the paired interval (see rlnas/core/stats.h).
#include "rlnas/core/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"

namespace rlnas {
namespace {

// The continued fraction of the regularized incomplete beta function I_x(a, b), by the modified
// Lentz method (converges fast for x < (a + 1) / (a + b + 2)).
double beta_fraction(double a, double b, double x) {
  constexpr double tiny = 1e-300, eps = 1e-15;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < eps) break;
  }
  return h;
}

double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

// The q-quantile of sorted values, linearly interpolated (numpy's default).
double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<size_t>(std::floor(pos));
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (pos - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]);
}

double binomial(int64_t n, int64_t k) {
  if (k < 0 || k > n) return 0;
  double r = 1;
  for (int64_t i = 1; i <= k; ++i) r = r * static_cast<double>(n - k + i) / static_cast<double>(i);
  return r;
}

void check_level(double level, const char* who) {
  if (!(level > 0 && level < 1)) throw Error(std::string(who) + ": level must be in (0, 1), found " + std::to_string(level));
}

// A comparison's result before its test: what was compared, by which method, at which level.
TestResult begin_result(const char* method, double level, size_t n_a, size_t n_b, double effect) {
  check_level(level, method);
  TestResult r;
  r.method = method;
  r.level = level;
  r.n_a = static_cast<int64_t>(n_a);
  r.n_b = static_cast<int64_t>(n_b);
  r.effect = effect;
  return r;
}

// The smallest true difference a two-sided t test at 5% detects with 80% power.
double t_mde(double se, double df) { return (student_t_quantile(0.975, df) + student_t_quantile(0.8, df)) * se; }

}  // namespace

double student_t_cdf(double t, double df) {
  if (!(df > 0)) throw Error("student_t_cdf: degrees of freedom must be positive, found " + std::to_string(df));
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const double tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));  // P(T > |t|)
  return t >= 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double df) {
  if (!(p > 0 && p < 1)) throw Error("student_t_quantile: p must be in (0, 1), found " + std::to_string(p));
  if (!(df > 0)) throw Error("student_t_quantile: degrees of freedom must be positive, found " + std::to_string(df));
  // Bisection on the monotone cdf; the bracket grows until it holds the quantile.
  double lo = -1, hi = 1;
  while (student_t_cdf(lo, df) > p) lo *= 2;
  while (student_t_cdf(hi, df) < p) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * std::max(1.0, std::fabs(hi)); ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_cdf(mid, df) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double f_cdf(double f, double d1, double d2) {
  if (!(d1 > 0 && d2 > 0)) throw Error("f_cdf: degrees of freedom must be positive");
  if (!(f > 0)) return 0;
  if (std::isinf(f)) return 1;
  return incomplete_beta(d1 / 2, d2 / 2, d1 * f / (d1 * f + d2));
}

double chi_square_sf(double x, double df) {
  if (!(df > 0)) throw Error("chi_square_sf: degrees of freedom must be positive, found " + std::to_string(df));
  if (!(x > 0)) return 1;
  if (std::isinf(x)) return 0;
  // Q(a, z) = Gamma(a, z) / Gamma(a) with a = df / 2, z = x / 2: the series of P below a + 1, the
  // continued fraction of Q (modified Lentz) above.
  const double a = df / 2, z = x / 2;
  const double front = std::exp(a * std::log(z) - z - std::lgamma(a));
  if (z < a + 1) {
    double term = 1 / a, sum = term;
    for (int n = 1; n < 1000 && std::fabs(term) > std::fabs(sum) * 1e-16; ++n) {
      term *= z / (a + n);
      sum += term;
    }
    return std::max(0.0, 1 - front * sum);
  }
  constexpr double tiny = 1e-300;
  double b = z + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < 1e-16) break;
  }
  return front * h;
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) throw Error("normal_quantile: p must be in (0, 1), found " + std::to_string(p));
  double lo = -40, hi = 40;
  for (int i = 0; i < 200 && hi - lo > 1e-14; ++i) {
    const double mid = 0.5 * (lo + hi);
    (normal_cdf(mid) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

DifferenceInterval paired_t_interval(const std::vector<double>& d, double level) {
  if (!(level > 0 && level < 1))
    throw Error("paired_t_interval: level must be in (0, 1), found " + std::to_string(level));
  DifferenceInterval out;
  out.level = level;
  out.n = static_cast<int64_t>(d.size());
  out.difference = mean_of(d);
  if (out.n < kMinIntervalSamples) return out;
  double ss = 0;
  for (double x : d) ss += (x - out.difference) * (x - out.difference);
  const double sd = std::sqrt(ss / static_cast<double>(out.n - 1));
  const double half =
      student_t_quantile(0.5 + level / 2, static_cast<double>(out.n - 1)) * sd / std::sqrt(static_cast<double>(out.n));
  out.low = out.difference - half;
  out.high = out.difference + half;
  return out;
}

std::string DifferenceInterval::verdict(const std::string& a, const std::string& b) const {
  if (!low || !high) {
    return "fewer than " + std::to_string(kMinIntervalSamples) + " pairs: no interval";
  }
  if (*low > 0) return a + " better";
  if (*high < 0) return b + " better";
  return "inconclusive";
}

// ---------------------------------------------------------------------------------------------
// Comparisons

std::string verdict_word(const TestResult& r, std::optional<double> adjusted_p) {
  if (!r.low || !r.high) return "no interval";
  const bool held = !adjusted_p || *adjusted_p < 1 - r.level;
  if (*r.low > 0 && held) return "better";
  if (*r.high < 0 && held) return "worse";
  return "inconclusive";
}

TestResult welch_test(const std::vector<double>& a, const std::vector<double>& b, double level, bool conservative) {
  TestResult r = begin_result(conservative ? "welch_hsu" : "welch", level, a.size(), b.size(), mean_of(a) - mean_of(b));
  if (a.size() < 2 || b.size() < 2) {
    r.note = "Welch's t needs at least 2 values on each side";
    return r;
  }
  const double va = sample_sd(a) * sample_sd(a) / static_cast<double>(a.size());
  const double vb = sample_sd(b) * sample_sd(b) / static_cast<double>(b.size());
  const double se2 = va + vb;
  if (!(se2 > 0)) {
    r.note = "both sides are constant: no spread to test against";
    return r;
  }
  const double df = conservative ? static_cast<double>(std::min(a.size(), b.size()) - 1)
                                  : se2 * se2 / (va * va / static_cast<double>(a.size() - 1) +
                                                 vb * vb / static_cast<double>(b.size() - 1));
  const double se = std::sqrt(se2);
  r.df = df;
  r.p = 2 * student_t_cdf(-std::fabs(r.effect) / se, df);
  const double half = student_t_quantile(0.5 + level / 2, df) * se;
  r.low = r.effect - half;
  r.high = r.effect + half;
  r.mde = t_mde(se, df);
  return r;
}

namespace {

// The splits of a permutation test: the indices (into the pooled a ++ b) that form the a side.
// Exact: every split (the observed one included); else seeded random splits.
struct Splits {
  std::vector<std::vector<int>> sides;
  bool exact = false;
};

Splits make_splits(int n, int k, int64_t draws, int64_t exact_limit, uint32_t seed) {
  Splits s;
  if (binomial(n, k) <= static_cast<double>(exact_limit)) {
    s.exact = true;
    std::vector<int> idx(static_cast<size_t>(k));
    std::iota(idx.begin(), idx.end(), 0);
    while (true) {
      s.sides.push_back(idx);
      int i = k - 1;
      while (i >= 0 && idx[static_cast<size_t>(i)] == n - k + i) --i;
      if (i < 0) break;
      ++idx[static_cast<size_t>(i)];
      for (int j = i + 1; j < k; ++j) idx[static_cast<size_t>(j)] = idx[static_cast<size_t>(j - 1)] + 1;
    }
    return s;
  }
  Mt19937 rng(seed);
  std::vector<int> all(static_cast<size_t>(n));
  for (int64_t d = 0; d < draws; ++d) {
    std::iota(all.begin(), all.end(), 0);
    for (int i = 0; i < k; ++i) std::swap(all[static_cast<size_t>(i)], all[static_cast<size_t>(rng.randint(i, n))]);
    s.sides.emplace_back(all.begin(), all.begin() + k);
  }
  return s;
}

// p of the permutation test of (a - shift) against b.
double permutation_p(const std::vector<double>& a, const std::vector<double>& b, double shift, const Splits& splits) {
  std::vector<double> pooled;
  pooled.reserve(a.size() + b.size());
  for (double x : a) pooled.push_back(x - shift);
  pooled.insert(pooled.end(), b.begin(), b.end());
  const double total = std::accumulate(pooled.begin(), pooled.end(), 0.0);
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  double scale = 0;
  for (double x : pooled) scale = std::max(scale, std::fabs(x));
  const double observed = std::fabs(mean_of(a) - shift - mean_of(b));
  const double tol = 1e-12 * std::max(1.0, scale);
  int64_t hits = 0;
  for (const auto& side : splits.sides) {
    double sa = 0;
    for (int i : side) sa += pooled[static_cast<size_t>(i)];
    if (std::fabs(sa / na - (total - sa) / nb) >= observed - tol) ++hits;
  }
  const auto count = static_cast<double>(splits.sides.size());
  return splits.exact ? static_cast<double>(hits) / count : (1.0 + static_cast<double>(hits)) / (1.0 + count);
}

}  // namespace

TestResult permutation_test(const std::vector<double>& a, const std::vector<double>& b, double level, uint32_t seed,
                            int64_t draws, int64_t exact_limit) {
  TestResult r = begin_result("permutation", level, a.size(), b.size(), mean_of(a) - mean_of(b));
  if (a.empty() || b.empty()) {
    r.note = "a permutation test needs values on both sides";
    return r;
  }
  const int n = static_cast<int>(a.size() + b.size()), k = static_cast<int>(a.size());
  const Splits splits = make_splits(n, k, draws, exact_limit, seed);
  r.draws = splits.exact ? 0 : static_cast<int64_t>(splits.sides.size());
  r.p = permutation_p(a, b, 0, splits);
  if (a.size() >= 2 && b.size() >= 2) {
    const double se = std::sqrt(sample_sd(a) * sample_sd(a) / a.size() + sample_sd(b) * sample_sd(b) / b.size());
    if (se > 0) r.mde = t_mde(se, static_cast<double>(n - 2));
  }
  const double alpha = 1 - level;
  // The smallest p any data could give: the observed split and its mirror (when sizes are equal)
  // are the most extreme.
  const double least = splits.exact ? (k * 2 == n ? 2.0 : 1.0) / static_cast<double>(splits.sides.size())
                                    : 1.0 / (1.0 + static_cast<double>(splits.sides.size()));
  if (least > alpha) {
    r.note = std::to_string(r.n_a) + " against " + std::to_string(r.n_b) + " values: the smallest p a permutation test can give is " +
             std::to_string(least).substr(0, 6) + ", above " + std::to_string(alpha).substr(0, 4) + ": no interval";
    return r;
  }
  const auto [amin, amax] = std::minmax_element(a.begin(), a.end());
  const auto [bmin, bmax] = std::minmax_element(b.begin(), b.end());
  const double span = 1.01 * ((*amax - *amin) + (*bmax - *bmin)) + 1e-9 * std::max(1.0, std::fabs(r.effect));
  // The last shift on each side of the effect that the test does not reject.
  auto edge = [&](double direction) {
    double inside = r.effect, outside = r.effect + direction * (span + 1e-12);
    for (int i = 0; i < 40; ++i) {
      const double mid = 0.5 * (inside + outside);
      (permutation_p(a, b, mid, splits) > alpha ? inside : outside) = mid;
    }
    return inside;
  };
  r.low = edge(-1);
  r.high = edge(+1);
  return r;
}

double DiscreteDistribution::mean() const {
  double m = 0;
  for (size_t i = 0; i < values.size(); ++i) m += values[i] * probs[i];
  return m;
}

double DiscreteDistribution::sd() const {
  const double m = mean();
  double v = 0;
  for (size_t i = 0; i < values.size(); ++i) v += probs[i] * (values[i] - m) * (values[i] - m);
  return std::sqrt(v);
}

double DiscreteDistribution::p_at_least(double x) const {
  const double tol = 1e-12 * std::max(1.0, std::fabs(x));
  double p = 0;
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] >= x - tol) p += probs[i];
  return std::min(1.0, p);
}

DiscreteDistribution best_of_k_distribution(const std::vector<double>& selection, const std::vector<double>& reported,
                                            int64_t k) {
  const auto n = static_cast<int64_t>(selection.size());
  if (reported.size() != selection.size())
    throw Error("best_of_k_distribution: " + std::to_string(selection.size()) + " selection values but " +
                std::to_string(reported.size()) + " reported values");
  if (k < 1 || k > n)
    throw Error("best_of_k_distribution: K must be between 1 and the " + std::to_string(n) + " entries, found " + std::to_string(k));
  std::vector<size_t> order(selection.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return selection[x] > selection[y]; });
  const double total = binomial(n, k);
  DiscreteDistribution d;
  std::vector<double> p(order.size());
  for (int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = binomial(n - 1 - i, k - 1) / total;
  // Entries tied on selection share their probability.
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    double sum = 0;
    while (j < order.size() && selection[order[j]] == selection[order[i]]) sum += p[j++];
    for (size_t m = i; m < j; ++m) p[m] = sum / static_cast<double>(j - i);
    i = j;
  }
  for (size_t i = 0; i < order.size(); ++i) {
    d.values.push_back(reported[order[i]]);
    d.probs.push_back(p[i]);
  }
  return d;
}

TestResult randomization_test(const std::vector<double>& picks, const DiscreteDistribution& null, double level,
                              uint32_t seed, int64_t draws) {
  const double expected = null.mean();
  TestResult r = begin_result("randomization", level, picks.size(), null.values.size(), mean_of(picks) - expected);
  if (picks.empty() || null.values.empty()) {
    r.note = "a randomization test needs picks and a benchmark";
    return r;
  }
  std::vector<double> cumulative(null.probs.size());
  std::partial_sum(null.probs.begin(), null.probs.end(), cumulative.begin());
  Mt19937 rng(seed);
  std::vector<double> stat(static_cast<size_t>(draws));
  for (auto& s : stat) {
    double sum = 0;
    for (size_t i = 0; i < picks.size(); ++i) {
      const double u = rng.rand() * cumulative.back();
      auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
      if (it == cumulative.end()) --it;
      sum += null.values[static_cast<size_t>(it - cumulative.begin())];
    }
    s = sum / static_cast<double>(picks.size()) - expected;
  }
  std::sort(stat.begin(), stat.end());
  r.draws = draws;
  const double tol = 1e-12 * std::max(1.0, std::fabs(r.effect));
  const auto above = static_cast<double>(stat.end() - std::lower_bound(stat.begin(), stat.end(), r.effect - tol));
  const auto below = static_cast<double>(std::upper_bound(stat.begin(), stat.end(), r.effect + tol) - stat.begin());
  const double b = static_cast<double>(draws);
  r.p = std::min(1.0, 2 * std::min((1 + above) / (1 + b), (1 + below) / (1 + b)));
  const double alpha = 1 - level;
  r.low = r.effect - quantile_sorted(stat, 1 - alpha / 2);
  r.high = r.effect - quantile_sorted(stat, alpha / 2);
  r.mde = quantile_sorted(stat, 0.975) - quantile_sorted(stat, 0.2);
  return r;
}

TestResult paired_t_test(const std::vector<double>& differences, double level) {
  const DifferenceInterval i = paired_t_interval(differences, level);
  TestResult r = begin_result("paired_t", level, static_cast<size_t>(i.n), static_cast<size_t>(i.n), i.difference);
  if (!i.low) {
    r.note = "fewer than " + std::to_string(kMinIntervalSamples) + " pairs: no interval";
    return r;
  }
  r.low = i.low;
  r.high = i.high;
  const double df = static_cast<double>(i.n - 1);
  const double se = sample_sd(differences) / std::sqrt(static_cast<double>(i.n));
  r.df = df;
  if (se > 0) {
    r.p = 2 * student_t_cdf(-std::fabs(r.effect) / se, df);
    r.mde = t_mde(se, df);
  } else {
    r.p = r.effect == 0 ? 1.0 : 0.0;
  }
  return r;
}

Equivalence equivalence_of(const TestResult& at_1_minus_2alpha, double margin) {
  if (!(margin > 0)) throw Error("equivalence: the margin must be positive, found " + std::to_string(margin));
  Equivalence e;
  e.margin = margin;
  e.effect = at_1_minus_2alpha.effect;
  e.low = at_1_minus_2alpha.low;
  e.high = at_1_minus_2alpha.high;
  e.equivalent = e.low && e.high && *e.low > -margin && *e.high < margin;
  return e;
}

Equivalence equivalence_test(const std::vector<double>& a, const std::vector<double>& b, double margin, double alpha,
                             bool conservative) {
  const TestResult w = welch_test(a, b, 1 - 2 * alpha, conservative);
  Equivalence e = equivalence_of(w, margin);
  if (!w.low || !w.df) return e;
  const double se = (*w.high - *w.low) / 2 / student_t_quantile(1 - alpha, *w.df);
  const double p_lower = 1 - student_t_cdf((e.effect + margin) / se, *w.df);  // H0: difference <= -margin
  const double p_upper = student_t_cdf((e.effect - margin) / se, *w.df);      // H0: difference >= +margin
  e.p = std::max(p_lower, p_upper);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Separation

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return values[x] > values[y]; });
  std::vector<double> r(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (size_t m = i; m <= j; ++m) r[order[m]] = static_cast<double>(i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw Error("spearman: the two samples differ in size");
  const auto rx = average_ranks(x), ry = average_ranks(y);
  const double mx = mean_of(rx), my = mean_of(ry);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < rx.size(); ++i) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) * (rx[i] - mx);
    syy += (ry[i] - my) * (ry[i] - my);
  }
  if (sxx == 0 || syy == 0) return std::numeric_limits<double>::quiet_NaN();
  return sxy / std::sqrt(sxx * syy);
}

Separation separation(const std::vector<std::vector<double>>& groups) {
  Separation s;
  double total = 0, sum_sq_sizes = 0;
  size_t widest = 0;
  for (const auto& g : groups) {
    if (g.empty()) continue;
    ++s.architectures;
    s.observations += static_cast<int64_t>(g.size());
    sum_sq_sizes += static_cast<double>(g.size() * g.size());
    for (double x : g) total += x;
    widest = std::max(widest, g.size());
  }
  if (s.architectures < 2 || s.observations <= s.architectures)
    throw Error("separation: needs at least 2 architectures and more trainings than architectures, found " +
                std::to_string(s.architectures) + " architectures and " + std::to_string(s.observations) + " trainings");
  const double n = static_cast<double>(s.observations), g = static_cast<double>(s.architectures);
  const double grand = total / n;
  double ssb = 0, ssw = 0;
  for (const auto& grp : groups) {
    if (grp.empty()) continue;
    const double m = mean_of(grp);
    ssb += static_cast<double>(grp.size()) * (m - grand) * (m - grand);
    for (double x : grp) ssw += (x - m) * (x - m);
  }
  s.df_between = g - 1;
  s.df_within = n - g;
  s.ms_between = ssb / s.df_between;
  s.ms_within = ssw / s.df_within;
  s.seeds_per_architecture = n / g;
  if (s.ms_within > 0) {
    s.f = s.ms_between / s.ms_within;
    s.p = 1 - f_cdf(s.f, s.df_between, s.df_within);
  } else {
    s.f = s.ms_between > 0 ? std::numeric_limits<double>::infinity() : 0;
    s.p = s.ms_between > 0 ? 0 : 1;
  }
  const double k0 = (n - sum_sq_sizes / n) / (g - 1);
  const double denom1 = s.ms_between + (k0 - 1) * s.ms_within;
  s.icc1 = denom1 > 0 ? (s.ms_between - s.ms_within) / denom1 : 0;
  s.icc_mean = s.ms_between > 0 ? (s.ms_between - s.ms_within) / s.ms_between : 0;
  for (size_t j1 = 0; j1 < widest; ++j1) {
    for (size_t j2 = j1 + 1; j2 < widest; ++j2) {
      std::vector<double> x, y;
      for (const auto& grp : groups) {
        if (grp.size() != widest) continue;
        x.push_back(grp[j1]);
        y.push_back(grp[j2]);
      }
      if (x.size() >= 3) s.seed_rank_correlations.push_back(spearman(x, y));
    }
  }
  const double k = s.seeds_per_architecture;
  if (k > 1 && s.ms_within > 0) s.mde = t_mde(std::sqrt(2 * s.ms_within / k), 2 * k - 2);
  // Kruskal-Wallis: H = 12 / (n (n + 1)) sum_i R_i^2 / n_i - 3 (n + 1), over 1 - sum(t^3 - t) / (n^3 - n).
  std::vector<double> all;
  for (const auto& grp : groups) all.insert(all.end(), grp.begin(), grp.end());
  const auto ranks = average_ranks(all);
  double rank_term = 0;
  size_t at = 0;
  for (const auto& grp : groups) {
    if (grp.empty()) continue;
    double r = 0;
    for (size_t j = 0; j < grp.size(); ++j) r += ranks[at + j];
    at += grp.size();
    rank_term += r * r / static_cast<double>(grp.size());
  }
  std::vector<double> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  double ties = 0;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const double t = static_cast<double>(j - i);
    ties += t * t * t - t;
    i = j;
  }
  const double correction = 1 - ties / (n * n * n - n);
  if (correction > 0) {
    s.kruskal_h = (12 / (n * (n + 1)) * rank_term - 3 * (n + 1)) / correction;
    s.kruskal_p = chi_square_sf(s.kruskal_h, s.df_between);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Across environments

double iqm(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const size_t cut = values.size() / 4;
  double s = 0;
  for (size_t i = cut; i < values.size() - cut; ++i) s += values[i];
  return s / static_cast<double>(values.size() - 2 * cut);
}

namespace {

std::vector<double> resample(const std::vector<double>& v, Mt19937& rng) {
  std::vector<double> out(v.size());
  for (auto& x : out) x = v[static_cast<size_t>(rng.randint(0, static_cast<int64_t>(v.size())))];
  return out;
}

AggregateInterval percentile_interval(double value, std::vector<double> stats, double level) {
  std::sort(stats.begin(), stats.end());
  AggregateInterval r;
  r.value = value;
  r.level = level;
  r.draws = static_cast<int64_t>(stats.size());
  r.low = quantile_sorted(stats, (1 - level) / 2);
  r.high = quantile_sorted(stats, 1 - (1 - level) / 2);
  return r;
}

double pooled_iqm(const std::vector<std::vector<double>>& scores) {
  std::vector<double> all;
  for (const auto& t : scores) all.insert(all.end(), t.begin(), t.end());
  return iqm(all);
}

double improvement(const std::vector<std::vector<double>>& x, const std::vector<std::vector<double>>& y) {
  double sum = 0;
  for (size_t t = 0; t < x.size(); ++t) {
    double wins = 0;
    for (double a : x[t])
      for (double b : y[t]) wins += a > b ? 1.0 : (a == b ? 0.5 : 0.0);
    sum += wins / static_cast<double>(x[t].size() * y[t].size());
  }
  return sum / static_cast<double>(x.size());
}

}  // namespace

AggregateInterval iqm_interval(const std::vector<std::vector<double>>& scores, double level, uint32_t seed,
                               int64_t draws) {
  check_level(level, "iqm_interval");
  for (const auto& t : scores)
    if (t.empty()) throw Error("iqm_interval: a task without runs");
  Mt19937 rng(seed);
  std::vector<double> stats;
  std::vector<std::vector<double>> sample(scores.size());
  for (int64_t d = 0; d < draws; ++d) {
    for (size_t t = 0; t < scores.size(); ++t) sample[t] = resample(scores[t], rng);
    stats.push_back(pooled_iqm(sample));
  }
  return percentile_interval(pooled_iqm(scores), std::move(stats), level);
}

AggregateInterval probability_of_improvement(const std::vector<std::vector<double>>& x,
                                             const std::vector<std::vector<double>>& y, double level, uint32_t seed,
                                             int64_t draws) {
  check_level(level, "probability_of_improvement");
  if (x.size() != y.size() || x.empty())
    throw Error("probability_of_improvement: both sides need the same tasks, found " + std::to_string(x.size()) +
                " and " + std::to_string(y.size()));
  for (size_t t = 0; t < x.size(); ++t)
    if (x[t].empty() || y[t].empty()) throw Error("probability_of_improvement: a task without runs");
  Mt19937 rng(seed);
  std::vector<double> stats;
  std::vector<std::vector<double>> sx(x.size()), sy(y.size());
  for (int64_t d = 0; d < draws; ++d) {
    for (size_t t = 0; t < x.size(); ++t) {
      sx[t] = resample(x[t], rng);
      sy[t] = resample(y[t], rng);
    }
    stats.push_back(improvement(sx, sy));
  }
  return percentile_interval(improvement(x, y), std::move(stats), level);
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> out(p.size());
  double running = 0;
  const auto m = static_cast<double>(p.size());
  for (size_t i = 0; i < order.size(); ++i) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(i)) * p[order[i]]));
    out[order[i]] = running;
  }
  return out;
}

}  // namespace rlnas
