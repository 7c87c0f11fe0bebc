// Learning-rate (and other) schedules over training progress in [0, 1].
#pragma once

#include <string>
#include <vector>

namespace rlnas::rl {

// Valid schedule names: constant, linear, cosine, constant_then_linear.
const std::vector<std::string>& schedule_names();

// Value at `progress` in [0, 1] going from `start` to `end`:
//   constant: start;  linear: start -> end;  cosine: end + (start - end) (1 + cos(pi p)) / 2
//   (cosine annealing, as the nas-rl paper's CosineAnnealing); constant_then_linear: start until
//   `hold`, then linear to end (a2d: constant for 1e7 of 3e7 steps, then linear to 1e-4).
double schedule_value(const std::string& kind, double start, double end, double progress, double hold = 0.0);

}  // namespace rlnas::rl
