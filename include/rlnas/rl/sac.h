// Soft Actor-Critic (Haarnoja et al. 2018) for continuous actions: twin Q with target networks,
// tanh-squashed Gaussian actor, automatic entropy tuning.
#pragma once

#include "rlnas/rl/algorithm.h"

namespace rlnas::rl {

std::unique_ptr<AlgorithmFactory> make_sac_factory();

}  // namespace rlnas::rl
