// Environment checker, in the spirit of Stable-Baselines3's check_env: steps an environment and
// reports every broken promise with an exact message (spec problems, observations of the wrong
// size, outside their bounds or dtype, NaN/Inf, rewards that are not finite, steps that throw,
// seeding that is not reproducible, snapshots that do not restore).
#pragma once

#include <string>
#include <vector>

#include "rlnas/env/env.h"

namespace rlnas::env {

struct CheckOptions {
  int steps = 2000;  // random steps to take (episodes are reset as they end)
  // When no episode ended within `steps`, keep stepping up to this many steps in all before
  // warning that none ends (MinAtar Freeway's episodes last 2,500 steps).
  int steps_to_end_an_episode = 100000;
  uint32_t seed = 0;  // for the environment and the random actions
};

struct CheckFinding {
  std::string check;    // short class: "spec", "shape", "bounds", "dtype", "nan", "reward", ...
  std::string message;  // exact first occurrence
  int64_t count = 1;    // how many times this class was seen
};

struct CheckReport {
  std::vector<CheckFinding> errors;
  std::vector<CheckFinding> warnings;
  int64_t steps = 0;
  int64_t steps_asked = 0;  // CheckOptions::steps; `steps` is more when stepping went on to end an episode
  int64_t episodes = 0;
  bool ok() const { return errors.empty(); }
  // Whether some error has this check class.
  bool has_error(const std::string& check) const;
  std::string to_string() const;
};

CheckReport check_env(Env& env, const CheckOptions& options = {});

}  // namespace rlnas::env
