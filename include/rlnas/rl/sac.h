// Soft Actor-Critic (Haarnoja et al. 2018) for continuous actions: twin Q with target networks,
// tanh-squashed Gaussian actor, automatic entropy tuning. Follows CleanRL's
// sac_continuous_action.py (delayed actor updates, log_alpha optimized with Adam).
//
//   env step -> replay -> sample batch -> critic (soft Q target) -> actor + temperature
//   (every policy_frequency updates) -> Polyak-averaged target critic
#pragma once

#include <string>

#include "rlnas/rl/algorithm.h"

namespace rlnas::rl {

struct SacOptions {
  int64_t num_envs = 1;                  // parallel environments
  int64_t buffer_size = 1000000;         // replay capacity (transitions)
  double gamma = 0.99;                   // discount
  double tau = 0.005;                    // target critic Polyak rate (1 = hard copy)
  int64_t batch_size = 256;              // transitions per gradient update
  int64_t learning_starts = 5000;        // environment steps of uniform random actions before learning
  double policy_lr = 3e-4;               // actor learning rate (Adam)
  double q_lr = 1e-3;                    // critic and temperature learning rate (Adam)
  int64_t policy_frequency = 2;          // critic updates per actor phase (the actor then updates this many times)
  int64_t target_network_frequency = 1;  // critic updates between target-critic Polyak steps
  double alpha = 0.2;                    // entropy temperature (the starting value is 1 with autotune, as CleanRL)
  bool autotune = true;                  // learn alpha towards the target entropy
  double target_entropy_scale = 1.0;     // target entropy = -scale * action dimensions
  int64_t q_hidden = 256;                // width of the two hidden layers of each Q network
  std::string q_input = "flat";          // flat: Q(concat(obs, a)) as CleanRL | backbone: Q on net.* features
  int64_t updates_per_step = 1;          // gradient updates per iteration (one step of every environment)

  void bind(OptionTable& table, const std::string& prefix);
};

// Soft Bellman target r + discount * (min(Q1', Q2') - alpha * log pi(a'|s')), a' ~ pi(.|s').
// All arguments [B] (alpha a scalar tensor or a number); discounts hold gamma^n, or 0 where
// the episode terminated (a truncated episode still bootstraps).
torch::Tensor soft_q_target(const torch::Tensor& rewards, const torch::Tensor& discounts, const torch::Tensor& next_q1,
                            const torch::Tensor& next_q2, const torch::Tensor& next_log_prob,
                            const torch::Tensor& alpha);

// Temperature loss mean(-exp(log_alpha) * (log_prob + target_entropy)) (CleanRL): its gradient
// lowers alpha while the policy's entropy -E[log pi] is above the target and raises it below.
torch::Tensor temperature_loss(const torch::Tensor& log_alpha, const torch::Tensor& log_prob, double target_entropy);

std::unique_ptr<AlgorithmFactory> make_sac_factory();

}  // namespace rlnas::rl
