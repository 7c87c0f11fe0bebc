// DQN learns CartPole: built from options as a user would (resolve_train_config + train), fixed
// seed, final evaluation well above the threshold, in a few seconds on two CPU cores.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "rlnas/rl/trainer.h"

namespace rlnas::rl {
namespace {

namespace fs = std::filesystem;

TEST(DqnLearning, LearnsCartPole) {
  env::EnvRegistry registry;
  env::register_builtin_envs(registry);
  const auto dir = fs::temp_directory_path() / ("rlnas_dqn_learning_" + std::to_string(::getpid()));
  fs::remove_all(dir);

  TrainSources s;
  s.flags = {{"env", "classic/cartpole"}, {"algo", "dqn"},          {"net.name", "mlp"},
             {"steps", "STEPS"},          {"seed", "1"},            {"eval.episodes", "10"},
             {"checkpoint_every", "0"}};
  s.sets = {};
  const auto config = resolve_train_config(s, registry);

  const auto start = std::chrono::steady_clock::now();
  TrainOptions options;
  options.run_dir = dir.string();
  options.quiet = true;
  const auto result = train(config, registry, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("seconds", std::to_string(seconds));
  RecordProperty("eval_mean", std::to_string(result.eval.mean_return()));
  EXPECT_GE(result.eval.mean_return(), 300.0) << "after " << result.steps << " steps, " << seconds << " s";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rlnas::rl
