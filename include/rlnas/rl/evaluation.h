// The one evaluation routine used by training, search, retraining and reports: separate
// environments with their own seeds, a fixed number of episodes, greedy or stochastic actions.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "rlnas/env/vector_env.h"

namespace rlnas::rl {

struct EvalOptions {
  int64_t episodes = 10;
  uint32_t seed = 1000003;  // environment i gets seed + i; keep apart from training seeds
  int64_t num_envs = 8;     // evaluated side by side (capped at `episodes`)
  bool greedy = false;
};

struct EvalResult {
  std::vector<double> returns;
  std::vector<int64_t> lengths;
  int64_t truncated = 0;
  double mean_return() const;
  double std_return() const;  // population std
};

// policy: observations [B, obs...] -> actions. Every environment plays a fixed quota of episodes
// (episodes / num_envs, the remainder to the first ones), so that short episodes are not
// over-represented, as Stable-Baselines3's evaluate_policy does.
EvalResult evaluate(const std::function<torch::Tensor(const torch::Tensor&)>& policy,
                    const env::VectorEnv::Factory& make_env, const EvalOptions& options);

}  // namespace rlnas::rl
