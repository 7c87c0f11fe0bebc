// Algorithm registry and named presets.
#include "rlnas/rl/algorithm.h"

#include "rlnas/core/error.h"
#include "rlnas/rl/actor_critic.h"
#include "rlnas/rl/dqn.h"
#include "rlnas/rl/sac.h"

namespace rlnas::rl {

std::vector<std::string> algorithm_names() { return {"ppo", "a2c", "dqn", "sac"}; }

std::unique_ptr<AlgorithmFactory> make_algorithm_factory(const std::string& name) {
  if (name == "ppo" || name == "a2c") return make_actor_critic_factory(name);
  if (name == "dqn") return make_dqn_factory();
  if (name == "sac") return make_sac_factory();
  std::string valid;
  for (const auto& n : algorithm_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw Error("unknown algorithm '" + name + "'; valid algorithms: " + valid);
}

const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = {
      {"ppo.cleanrl",
       "ppo",
       "CleanRL ppo.py defaults: 4 envs x 128 steps, 4 epochs x 4 minibatches, lr 2.5e-4 annealed linearly, "
       "separate actor and critic networks",
       {{"ppo.num_envs", "4"}, {"ppo.separate_critic", "true"}}},
      {"ppo.nas-rl",
       "ppo",
       "nas-for-rl-agents Table 4 plus the authors' code: clip 0.1, value coef 0.25, GAE 0.95, entropy 0.01, "
       "cosine-annealed lr 2.5e-4, 8 envs x 128 steps, 5 epochs x 4 minibatches, grad-norm 0.5, value clipping",
       {{"ppo.num_envs", "8"},
        {"ppo.num_steps", "128"},
        {"ppo.lr", "2.5e-4"},
        {"ppo.lr_schedule", "cosine"},
        {"ppo.lr_end", "0"},
        {"ppo.gamma", "0.99"},
        {"ppo.gae_lambda", "0.95"},
        {"ppo.epochs", "5"},
        {"ppo.minibatches", "4"},
        {"ppo.clip_coef", "0.1"},
        {"ppo.clip_value", "true"},
        {"ppo.ent_coef", "0.01"},
        {"ppo.vf_coef", "0.25"},
        {"ppo.max_grad_norm", "0.5"},
        {"ppo.separate_critic", "false"}}},
      {"a2c.a2d",
       "a2c",
       "A2D Section 4.1: rollout 5, gamma 0.99, RMSProp lr 1e-3 constant for the first third then linear to 1e-4, "
       "entropy 0.01 (= a1 of the distillation loss); Section 4.4 for Gumbel supernets: Adam lr 1e-3 beta1 0.9 "
       "for alpha, temperature 5 -> 0.1",
       {{"a2c.num_steps", "5"},
        {"a2c.gamma", "0.99"},
        {"a2c.lr", "1e-3"},
        {"a2c.lr_schedule", "constant_then_linear"},
        {"a2c.lr_hold", "0.3333333333"},
        {"a2c.lr_end", "1e-4"},
        {"a2c.optimizer", "rmsprop"},
        {"a2c.ent_coef", "0.01"},
        {"a2c.separate_critic", "false"},
        {"arch.lr", "1e-3"},
        {"arch.beta1", "0.9"},
        {"arch.temperature", "5"},
        {"arch.temperature_end", "0.1"}}},
      // DQN presets (dqn.minatar, dqn.rainbow-minatar, dqn.rainbow-rl-darts) follow.
      {"dqn.minatar",
       "dqn",
       "MinAtar paper's DQN (Young & Tian 2019, examples/dqn.py as published with the paper), for the default "
       "minatar net: batch 32, replay 100k, target copy every 1000 steps, centered RMSProp lr 2.5e-4 "
       "(PyTorch RMSprop alpha 0.95, eps 0.01, centered, no momentum; a later commit of dqn.py adds momentum 0.95, "
       "which rlnas's RMSProp does not implement), "
       "gamma 0.99, Huber loss, one update per step after 5000 random steps, epsilon 1 -> 0.1 over the next 100k",
       {{"dqn.num_envs", "1"},
        {"dqn.buffer_size", "100000"},
        {"dqn.batch_size", "32"},
        {"dqn.optimizer", "rmsprop"},
        {"dqn.lr", "2.5e-4"},
        {"dqn.rmsprop_alpha", "0.95"},
        {"dqn.eps", "0.01"},
        {"dqn.rmsprop_centered", "true"},
        {"dqn.gamma", "0.99"},
        {"dqn.learning_starts", "5000"},
        {"dqn.train_frequency", "1"},
        {"dqn.target_update_period", "1000"},
        {"dqn.tau", "1"},
        {"dqn.loss", "huber"},
        {"dqn.epsilon_start", "1"},
        {"dqn.epsilon_end", "0.1"},
        {"dqn.epsilon_decay_steps", "100000"},
        {"dqn.double_q", "false"},
        {"dqn.dueling", "false"},
        {"dqn.n_step", "1"},
        {"dqn.prioritized", "false"},
        {"dqn.num_atoms", "1"}}},
      {"dqn.rainbow-minatar",
       "dqn",
       "Dopamine's MinAtar Rainbow (labs/environments/minatar/rainbow_<game>.gin with JaxRainbowAgent defaults): "
       "C51 51 atoms on [-100, 100], n-step 3, prioritized replay (priority exponent 0.5, fixed IS exponent 0.5), "
       "100k buffer, batch 32, update every 4 steps after 1000, target copy every 1000 steps, Adam lr 2.5e-4 "
       "eps 3.125e-4, epsilon 1 -> 0.01 over 250k steps, eval epsilon 0.001. Dopamine's agent has no double Q and "
       "no dueling head, so both are off here. Differs from Dopamine in its net: rlnas's minatar backbone keeps "
       "the paper's 128-unit layer, where Dopamine's MinatarRainbowNetwork goes from the conv straight to the atoms",
       {{"dqn.num_envs", "1"},
        {"dqn.num_atoms", "51"},
        {"dqn.v_min", "-100"},
        {"dqn.v_max", "100"},
        {"dqn.gamma", "0.99"},
        {"dqn.n_step", "3"},
        {"dqn.prioritized", "true"},
        {"dqn.per_alpha", "0.5"},
        {"dqn.per_beta_start", "0.5"},
        {"dqn.per_beta_end", "0.5"},
        {"dqn.per_eps", "1e-10"},
        {"dqn.buffer_size", "100000"},
        {"dqn.batch_size", "32"},
        {"dqn.learning_starts", "1000"},
        {"dqn.train_frequency", "4"},
        {"dqn.target_update_period", "1000"},
        {"dqn.tau", "1"},
        {"dqn.optimizer", "adam"},
        {"dqn.lr", "2.5e-4"},
        {"dqn.eps", "3.125e-4"},
        {"dqn.epsilon_start", "1"},
        {"dqn.epsilon_end", "0.01"},
        {"dqn.epsilon_decay_steps", "250000"},
        {"dqn.eval_epsilon", "0.001"},
        {"dqn.double_q", "false"},
        {"dqn.dueling", "false"},
        {"dqn.hidden", "0"}}},
      {"dqn.rainbow-rl-darts",
       "dqn",
       "RL-DARTS Appendix F.2 (Procgen Rainbow, no noisy nets): Adam lr 5e-5, batch 256, n-step 7, gamma 0.99, "
       "prioritized replay with priority exponent 0.8 and IS exponent 0.2, 500k buffer, C51 51 atoms on [0, 1]. "
       "The paper divides rewards by the game's maximum possible return (Cobbe et al. 2020); this preset cannot "
       "know the game, so YOU MUST SET dqn.reward_scale TO THE GAME'S MAXIMUM RETURN, or returns above 1 are "
       "clipped to the top of the support. Not given by the paper, taken from Acme's DQN defaults (the paper's "
       "code base): constant epsilon 0.05, 1000 transitions before learning, double-Q categorical loss, 32 samples "
       "per insert (one 256-batch update per 8 steps), target update every 100 learner steps (800 env steps). The "
       "paper's smaller setting for Bigfish, Bossfight, Chaser, Dodgeball, Miner, Plunder, Starpilot: "
       "dqn.n_step=2 dqn.buffer_size=10000",
       {{"dqn.optimizer", "adam"},
        {"dqn.lr", "5e-5"},
        {"dqn.batch_size", "256"},
        {"dqn.n_step", "7"},
        {"dqn.gamma", "0.99"},
        {"dqn.prioritized", "true"},
        {"dqn.per_alpha", "0.8"},
        {"dqn.per_beta_start", "0.2"},
        {"dqn.per_beta_end", "0.2"},
        {"dqn.buffer_size", "500000"},
        {"dqn.num_atoms", "51"},
        {"dqn.v_min", "0"},
        {"dqn.v_max", "1"},
        {"dqn.double_q", "true"},
        {"dqn.epsilon_start", "0.05"},
        {"dqn.epsilon_end", "0.05"},
        {"dqn.learning_starts", "1000"},
        {"dqn.train_frequency", "8"},
        {"dqn.target_update_period", "800"},
        {"dqn.tau", "1"},
        {"arch.temperature", "10"}}},
      {"ppo.rl-darts",
       "ppo",
       "RL-DARTS Appendix F.3: the Procgen PPO of Cobbe et al. 2020 (gamma 0.999, GAE 0.95, lr 5e-4, 3 epochs, 8 "
       "minibatches, clip 0.2, entropy 0.01, value 0.5, grad norm 0.5, 256-step rollouts) with 8 environments "
       "instead of 64 (MinAtar budgets), constant lr, and softmax temperature 5 for DARTS supernets (Appendix F.1)",
       {{"ppo.num_envs", "8"},
        {"ppo.num_steps", "256"},
        {"ppo.lr", "5e-4"},
        {"ppo.lr_schedule", "constant"},
        {"ppo.gamma", "0.999"},
        {"ppo.gae_lambda", "0.95"},
        {"ppo.epochs", "3"},
        {"ppo.minibatches", "8"},
        {"ppo.clip_coef", "0.2"},
        {"ppo.ent_coef", "0.01"},
        {"ppo.vf_coef", "0.5"},
        {"ppo.max_grad_norm", "0.5"},
        {"ppo.separate_critic", "false"},
        {"arch.temperature", "5"},
        {"arch.lr", "5e-4"}}},
      // SAC presets follow.
      {"sac.cleanrl",
       "sac",
       "CleanRL sac_continuous_action.py defaults: 256-256 ReLU actor and Q networks, buffer 1e6, batch 256, "
       "gamma 0.99, tau 0.005, 5k random steps, Adam lr 3e-4 (actor) and 1e-3 (critic, alpha), delayed actor "
       "updates every 2, autotuned alpha with target entropy -dim(A)",
       {{"net.name", "mlp"},
        {"net.mlp_hidden", "256,256"},
        {"net.activation", "relu"},
        {"sac.num_envs", "1"},
        {"sac.buffer_size", "1000000"},
        {"sac.gamma", "0.99"},
        {"sac.tau", "0.005"},
        {"sac.batch_size", "256"},
        {"sac.learning_starts", "5000"},
        {"sac.policy_lr", "3e-4"},
        {"sac.q_lr", "1e-3"},
        {"sac.policy_frequency", "2"},
        {"sac.target_network_frequency", "1"},
        {"sac.alpha", "0.2"},
        {"sac.autotune", "true"},
        {"sac.target_entropy_scale", "1"},
        {"sac.q_hidden", "256"},
        {"sac.q_input", "flat"},
        {"sac.updates_per_step", "1"}}},
  };
  return all;
}

const Preset& find_preset(const std::string& name) {
  std::string valid;
  for (const auto& p : presets()) {
    if (p.name == name) return p;
    valid += (valid.empty() ? "" : ", ") + p.name;
  }
  throw Error("unknown preset '" + name + "'; valid presets: " + valid);
}

}  // namespace rlnas::rl
