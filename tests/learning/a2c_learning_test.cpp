// A2C learns CartPole-v1 (mean evaluation return >= 300).
#include <gtest/gtest.h>

#include "learning_util.h"

namespace rlnas::rl {
namespace {

TEST(A2cLearning, LearnsCartPole) {
  // Default A2C (16 envs x 5 steps, RMSProp 7e-4) with separate actor and critic MLPs reached
  // 443-489 over seeds 1-3 after 150k steps.
  const auto result = testing::train_for_test(
      "a2c_cartpole",
      {{"env", "classic/cartpole"}, {"algo", "a2c"}, {"net.name", "mlp"}, {"steps", "150000"}, {"seed", "1"},
       {"eval.episodes", "20"}},
      {"a2c.separate_critic=true"});
  EXPECT_GE(result.eval.mean_return(), 300.0);
}

}  // namespace
}  // namespace rlnas::rl
