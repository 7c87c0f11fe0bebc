// Student's t distribution and the paired interval (see rlnas/core/stats.h).
#include "rlnas/core/stats.h"

#include <cstdio>
#include <limits>

#include "rlnas/core/error.h"

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
  return "not significant";
}

}  // namespace rlnas
