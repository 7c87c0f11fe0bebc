// PPO solves CartPole-v1 (mean evaluation return >= 475 of a possible 500).
#include <gtest/gtest.h>

#include "learning_util.h"

namespace rlnas::rl {
namespace {

TEST(PpoLearning, SolvesCartPole) {
  // Stable-Baselines3 zoo's CartPole PPO settings (8 envs x 32 steps, 20 epochs of one batch,
  // gamma 0.98, GAE 0.8, lr 1e-3 decaying linearly) with a 0.01 entropy bonus, which kept all
  // three seeds tried at 500 after 100k steps (without it seed 1 collapsed late in training).
  const auto result = testing::train_for_test(
      "ppo_cartpole",
      {{"env", "classic/cartpole"}, {"algo", "ppo"}, {"net.name", "mlp"}, {"steps", "100000"}, {"seed", "1"},
       {"eval.episodes", "20"}},
      {"ppo.separate_critic=true", "ppo.num_steps=32", "ppo.minibatches=1", "ppo.epochs=20", "ppo.gamma=0.98",
       "ppo.gae_lambda=0.8", "ppo.lr=1e-3", "ppo.ent_coef=0.01"});
  EXPECT_GE(result.eval.mean_return(), 475.0);
}

}  // namespace
}  // namespace rlnas::rl
