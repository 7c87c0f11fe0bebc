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
       "CleanRL ppo.py defaults (separate actor and critic networks)",
       {{"ppo.separate_critic", "true"}}},
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
        {"ppo.max_grad_norm", "0.5"}}},
      {"a2c.a2d",
       "a2c",
       "A2D Section 4.1: rollout 5, gamma 0.99, RMSProp lr 1e-3 constant for the first third then linear to 1e-4, "
       "entropy 0.01",
       {{"a2c.num_steps", "5"},
        {"a2c.gamma", "0.99"},
        {"a2c.lr", "1e-3"},
        {"a2c.lr_schedule", "constant_then_linear"},
        {"a2c.lr_hold", "0.3333333333"},
        {"a2c.lr_end", "1e-4"},
        {"a2c.optimizer", "rmsprop"},
        {"a2c.ent_coef", "0.01"}}},
      // DQN presets (dqn.minatar, dqn.rainbow-minatar, dqn.rainbow-rl-darts) follow.
      // SAC presets follow.
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
