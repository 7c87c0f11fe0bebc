// SAC learns to swing up and balance Pendulum, configured the way a user would (rlnas train).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "../rl/run_test_util.h"
#include "rlnas/rl/trainer.h"

namespace rlnas::rl {
namespace {

namespace fs = std::filesystem;

TEST(SacLearning, SwingsUpAndBalancesPendulum) {
  const auto& registry = test_util::registry();
  // CleanRL's settings (one update per step, batch 256, autotuned alpha) with 64-64 networks
  // instead of 256-256 and 1k random steps instead of 5k, to fit a 2-core CPU. Seeds 1-4 evaluate
  // at -123 to -187 after these 5k steps; 4k steps are not yet reliable (seed 1: -304).
  TrainSources s;
  s.flags = {{"env", "classic/pendulum"}, {"algo", "sac"},          {"net.name", "mlp"}, {"net.mlp_hidden", "64,64"},
             {"net.activation", "relu"},  {"steps", "5000"},        {"seed", "1"},       {"eval.episodes", "10"},
             {"eval.greedy", "true"},     {"checkpoint_every", "0"}};
  s.sets = {"sac.q_hidden=64", "sac.learning_starts=1000"};
  const auto config = resolve_train_config(s, registry);
  const auto dir = test_util::fresh_dir("sac", "learning");
  const auto start = std::chrono::steady_clock::now();
  const auto result = train(config, registry, {.run_dir = dir.string(), .quiet = true});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fs::remove_all(dir);
  RecordProperty("eval_mean", std::to_string(result.eval.mean_return()));
  RecordProperty("seconds", std::to_string(seconds));
  std::printf("sac pendulum: eval mean %.1f over %zu episodes, %.1f s\n", result.eval.mean_return(),
              result.eval.returns.size(), seconds);
  // CleanRL reaches about -200; random play scores about -1200.
  EXPECT_GE(result.eval.mean_return(), -400.0);
}

}  // namespace
}  // namespace rlnas::rl
