// DQN with Rainbow options (Hessel et al. 2018), each switchable: double Q, dueling, n-step
// returns, prioritized replay, C51 distributional; no noisy nets (epsilon-greedy instead).
#pragma once

#include "rlnas/rl/algorithm.h"

namespace rlnas::rl {

std::unique_ptr<AlgorithmFactory> make_dqn_factory();

}  // namespace rlnas::rl
