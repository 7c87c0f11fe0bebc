// Schedules.
#include "rlnas/rl/schedule.h"

#include <algorithm>
#include <cmath>

#include "rlnas/core/error.h"

namespace rlnas::rl {

const std::vector<std::string>& schedule_names() {
  static const std::vector<std::string> names = {"constant", "linear", "cosine", "constant_then_linear"};
  return names;
}

double schedule_value(const std::string& kind, double start, double end, double progress, double hold) {
  const double p = std::clamp(progress, 0.0, 1.0);
  if (kind == "constant") return start;
  if (kind == "linear") return start + (end - start) * p;
  if (kind == "cosine") return end + (start - end) * 0.5 * (1.0 + std::cos(M_PI * p));
  if (kind == "constant_then_linear") {
    if (p <= hold || hold >= 1.0) return start;
    return start + (end - start) * (p - hold) / (1.0 - hold);
  }
  throw Error("unknown schedule '" + kind + "'; valid: constant, linear, cosine, constant_then_linear");
}

}  // namespace rlnas::rl
