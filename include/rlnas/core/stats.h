// Summary statistics as rlnas reports them: the mean and the population standard deviation
// (ddof 0, as numpy's default) of a sample; both 0 for an empty one.
#pragma once

#include <cmath>
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

}  // namespace rlnas
