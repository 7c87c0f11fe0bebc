// Rollouts of fixed policies for whole-run statistics, following the MinAtar "reference
// protocol": one environment seeded once, reset before each episode, never re-seeded; the
// random policy has its own MT19937 drawing numpy-style randint(0, number of actions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rlnas/env/env.h"

namespace rlnas::env {

struct Policy {
  enum class Kind { kRandom, kConstant };
  Kind kind = Kind::kRandom;
  double constant = 0.0;  // the action index (discrete) or the value of every dimension (box)

  // "random" or "const:A"; throws rlnas::Error otherwise.
  static Policy parse(const std::string& text);
};

struct RolloutOptions {
  int episodes = 10;
  uint32_t seed = 0;
  std::optional<uint32_t> policy_seed;  // default: seed + 1
  int64_t max_steps = 10000;            // episodes cut here count as truncated
};

struct Summary {
  double mean = 0, std = 0, min = 0, max = 0;  // std is the population standard deviation
  static Summary of(const std::vector<double>& values);
};

struct RolloutResult {
  std::vector<double> returns;
  std::vector<int64_t> lengths;
  int truncated = 0;
  Summary return_summary() const { return Summary::of(returns); }
  Summary length_summary() const;
};

RolloutResult rollout(Env& env, const Policy& policy, const RolloutOptions& options);

}  // namespace rlnas::env
