// PPO (Schulman et al. 2017) and A2C (Mnih et al. 2016, synchronous): on-policy actor-critic
// learners sharing one rollout/GAE code path. A2C is the same loop with GAE lambda = 1 (n-step
// returns), one full-batch update per rollout, RMSProp and no clipping.
#pragma once

#include <string>
#include <vector>

#include "rlnas/rl/algorithm.h"

namespace rlnas::rl {

struct ActorCriticOptions {
  int64_t num_envs = 8;                // parallel environments
  int64_t num_steps = 128;             // rollout length per environment
  double lr = 2.5e-4;                  // initial learning rate
  std::string lr_schedule = "linear";  // constant | linear | cosine | constant_then_linear
  double lr_end = 0.0;                 // learning rate at the end of training (non-constant schedules)
  double lr_hold = 0.0;                // constant_then_linear: fraction of training before decay starts
  double gamma = 0.99;                 // discount
  double gae_lambda = 0.95;            // GAE lambda (1 = n-step returns)
  int64_t epochs = 4;                  // passes over each rollout
  int64_t minibatches = 4;             // minibatches per pass
  double clip_coef = 0.2;              // PPO ratio clipping; 0 = no clipping (plain policy gradient)
  bool clip_value = true;              // clip value updates to +-clip_coef around the rollout values
  double ent_coef = 0.01;              // entropy bonus
  double vf_coef = 0.5;                // value-loss weight
  double max_grad_norm = 0.5;          // global gradient-norm clip (0 = off)
  bool norm_adv = true;                // normalize advantages per minibatch
  std::string optimizer = "adam";      // adam | rmsprop
  double eps = 1e-5;                   // optimizer epsilon
  double rmsprop_alpha = 0.99;         // RMSProp smoothing
  // The critic's own backbone: auto = separate for vector observations (CleanRL ppo.py, "separate MLP
  // networks for policy and value functions"; Stable-Baselines3 >= 1.8 MlpPolicy), shared for images
  // (CleanRL ppo_atari.py's Nature-CNN trunk) and for supernets (one architecture searched) | true | false.
  std::string separate_critic = "auto";
  bool norm_obs = false;     // running observation normalization (classic control)
  bool norm_reward = false;  // scale rewards by the running std of discounted returns

  // CleanRL's PPO (ppo.py / ppo_atari.py, "The 37 Implementation Details of PPO"): 128-step rollouts,
  // 4 epochs x 4 minibatches, lr 2.5e-4 annealed linearly, clip 0.2 with value clipping, entropy 0.01,
  // value 0.5, grad norm 0.5, GAE 0.95, normalized advantages; 8 environments as ppo_atari.py (ppo.py
  // uses 4: preset ppo.cleanrl).
  static ActorCriticOptions ppo_defaults();
  // Whether the critic gets its own backbone for these observations (`separate_critic` resolved).
  bool critic_separate(const std::vector<int64_t>& obs_shape, bool supernet) const;
  static ActorCriticOptions a2c_defaults();  // Stable-Baselines3 A2C defaults (n-step 5, RMSProp)
  void bind(OptionTable& table, const std::string& prefix);
};

// GAE(lambda) over a rollout: rewards, values, dones [T, N] (done[t] = the episode ended with
// step t), next_value [N] = V(observation after the last step). Returns advantages [T, N].
torch::Tensor compute_gae(const torch::Tensor& rewards, const torch::Tensor& values, const torch::Tensor& dones,
                          const torch::Tensor& next_value, double gamma, double lambda);

struct PolicyLossTerms {
  torch::Tensor policy_loss;  // clipped surrogate (scalar, to minimize)
  torch::Tensor clip_fraction;
  torch::Tensor approx_kl;  // mean((ratio - 1) - log ratio)
};
// PPO clipped surrogate: -min(r A, clip(r, 1 - c, 1 + c) A) averaged; c == 0 gives -r A.
PolicyLossTerms ppo_policy_loss(const torch::Tensor& new_log_prob, const torch::Tensor& old_log_prob,
                                const torch::Tensor& advantages, double clip_coef);
// 0.5 (V - R)^2, or 0.5 max((V - R)^2, (V_clipped - R)^2) when clip > 0 (averaged).
torch::Tensor value_loss(const torch::Tensor& values, const torch::Tensor& old_values, const torch::Tensor& returns,
                         double clip);

std::unique_ptr<AlgorithmFactory> make_actor_critic_factory(const std::string& name);  // "ppo" | "a2c"

}  // namespace rlnas::rl
