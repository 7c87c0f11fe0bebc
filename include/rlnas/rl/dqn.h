// DQN with Rainbow options (Hessel et al. 2018), each switchable: double Q, dueling, n-step
// returns, prioritized replay, C51 distributional; no noisy nets (epsilon-greedy instead).
//
//   obs -> epsilon-greedy(Q) -> VectorEnv step -> ReplayBuffer (n-step, PER)
//       -> every train_frequency steps: sample -> TD / C51 loss -> optimizer -> priorities
//       -> every target_update_period steps: target <- online (hard copy or Polyak with tau)
#pragma once

#include <string>

#include "rlnas/rl/algorithm.h"

namespace rlnas::rl {

// Defaults follow CleanRL's dqn.py (classic control); the presets dqn.minatar,
// dqn.rainbow-minatar and dqn.rainbow-rl-darts set the published configurations.
struct DqnOptions {
  int64_t num_envs = 1;                  // environments stepped together (one iterate() steps each once)
  int64_t buffer_size = 10000;           // replay capacity in transitions
  int64_t batch_size = 128;              // transitions per gradient step
  double lr = 2.5e-4;                    // learning rate
  std::string lr_schedule = "constant";  // constant | linear | cosine | constant_then_linear
  double lr_end = 0.0;                   // learning rate at the end of training (non-constant schedules)
  std::string optimizer = "adam";        // adam | rmsprop (PyTorch's math, without momentum)
  double eps = 1e-8;                     // optimizer epsilon (RMSProp: added to the root of the mean square)
  double rmsprop_alpha = 0.99;           // RMSProp smoothing constant of the squared gradient
  bool rmsprop_centered = false;         // RMSProp divides by the gradient's variance, not its raw second moment
  double gamma = 0.99;                   // discount
  int64_t learning_starts = 10000;       // env steps of pure exploration before the first update
  int64_t train_frequency = 10;          // env steps per gradient update (1 = every step)
  int64_t gradient_steps = 1;            // gradient steps per update
  int64_t target_update_period = 500;    // env steps between target-network updates
  double tau = 1.0;                      // target update: 1 = hard copy, < 1 = Polyak averaging
  bool double_q = false;                 // double DQN: online net selects, target net evaluates
  bool dueling = false;                  // dueling value/advantage streams
  int64_t hidden = 0;                    // width of a hidden layer in front of the Q head (0 = none)
  int64_t n_step = 1;                    // n-step returns
  bool prioritized = false;              // proportional prioritized replay
  double per_alpha = 0.6;                // priority exponent
  double per_beta_start = 0.4;           // importance-sampling exponent at the start of training
  double per_beta_end = 1.0;             // ... annealed linearly to this at the end
  double per_eps = 1e-6;                 // added to priorities so no transition starves
  int64_t num_atoms = 1;                 // 1 = expected-value DQN; >= 2 = C51 with this many atoms
  double v_min = -10.0;                  // C51 support
  double v_max = 10.0;
  double epsilon_start = 1.0;            // exploration: epsilon until learning_starts...
  double epsilon_end = 0.05;             // ... then linear to this ...
  int64_t epsilon_decay_steps = 250000;  // ... over this many env steps
  double eval_epsilon = 0.05;            // epsilon of act(obs, greedy = false)
  std::string loss = "mse";              // huber | mse (expected-value DQN; C51 uses cross-entropy)
  double max_grad_norm = 0.0;            // global gradient-norm clip (0 = off)
  double reward_scale = 1.0;             // rewards are divided by this before learning
  std::string compact_obs = "auto";      // replay stores observations as uint8: auto | true | false

  void bind(OptionTable& table, const std::string& prefix);
  // Throws rlnas::Error for inconsistent values (e.g. v_min >= v_max).
  void check() const;
};

// Exploration rate after `step` env steps: epsilon_start until learning_starts (the replay fills
// with near-random play, as in the MinAtar paper and Dopamine), then linear to epsilon_end over
// epsilon_decay_steps, then constant.
double dqn_epsilon(const DqnOptions& options, int64_t step);

// Bootstrapped target r + discount * Q_target(s', a*) [B]. next_q_target [B, A] from the target
// network; a* = argmax next_q_online (double DQN, van Hasselt et al. 2016) when next_q_online is
// defined, else argmax next_q_target (plain max). discounts [B] are gamma^n, or 0 after a terminal.
torch::Tensor q_learning_target(const torch::Tensor& next_q_target, const torch::Tensor& next_q_online,
                                const torch::Tensor& rewards, const torch::Tensor& discounts);

// Per-sample loss [B] of TD errors [B]: "huber" (smooth L1, delta 1: 0.5 x^2 inside |x| < 1,
// |x| - 0.5 outside) or "mse" (x^2, as CleanRL's F.mse_loss).
torch::Tensor td_loss(const torch::Tensor& td_error, const std::string& kind);

// C51 target distribution [B, K]: the target network's atom probabilities at s' for a*
// (double: argmax of next_q_online; else of the target's own expected values), shifted by the
// rewards, scaled by the discounts and projected back on the support [v_min, v_max].
// next_logits_target [B, A, K]; next_q_online [B, A] or undefined.
torch::Tensor categorical_target(const torch::Tensor& next_logits_target, const torch::Tensor& next_q_online,
                                 const torch::Tensor& rewards, const torch::Tensor& discounts, double v_min,
                                 double v_max);

// Per-sample cross-entropy [B] between target probabilities [B, K] and predicted logits [B, K].
torch::Tensor categorical_loss(const torch::Tensor& logits, const torch::Tensor& target_probs);

std::unique_ptr<AlgorithmFactory> make_dqn_factory();

}  // namespace rlnas::rl
