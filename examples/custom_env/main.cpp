// The library route: registers the example "Catch" environment next to the built-ins, checks it,
// rolls out a random policy, steps it through a VectorEnv and trains PPO on it, all through the C++
// API. The command-line route is the plugin (catch_plugin.cpp). See docs/adding_an_env.md.
#include <cstdio>
#include <filesystem>

#include "catch_env.h"
#include "rlnas/env/checker.h"
#include "rlnas/env/registry.h"
#include "rlnas/env/rollout.h"
#include "rlnas/env/vector_env.h"
#include "rlnas/rl/trainer.h"

int main() {
  rlnas::env::EnvRegistry registry;
  rlnas::env::register_builtin_envs(registry);
  example::register_example_envs(registry);

  auto env = registry.make("example/catch", {{"cols", "7"}});
  const auto report = rlnas::env::check_env(*env);
  std::printf("check: %s", report.to_string().c_str());

  rlnas::env::RolloutOptions options;
  options.episodes = 200;
  const auto result = rlnas::env::rollout(*env, rlnas::env::Policy{}, options);
  const auto r = result.return_summary();
  std::printf("random policy: mean return %.3f over %zu episodes\n", r.mean, result.returns.size());

  rlnas::env::VectorEnv venv([&] { return registry.make("example/catch"); }, /*num_envs=*/4, /*seed=*/0);
  for (int t = 0; t < 100; ++t) venv.step_discrete(std::vector<int64_t>{0, 1, 2, 1});
  std::printf("VectorEnv: %lld episodes, observations %s\n", static_cast<long long>(venv.total_episodes()),
              rlnas::env::shape_to_string(venv.observations().sizes().vec()).c_str());

  // Train an agent on it: the same trainer `rlnas train` runs, with this registry.
  rlnas::rl::TrainSources sources;
  sources.flags = {{"env", "example/catch"}, {"algo", "ppo"}, {"steps", "20000"}, {"seed", "1"}};
  sources.sets = {"net.name=mlp", "eval.episodes=200"};
  sources.env_options = {"cols=7"};  // the environment the random policy played
  const auto config = rlnas::rl::resolve_train_config(sources, registry);
  rlnas::rl::TrainOptions train;
  train.run_dir = (std::filesystem::temp_directory_path() / "rlnas_custom_env_example").string();
  std::filesystem::remove_all(train.run_dir);
  train.quiet = true;
  const auto trained = rlnas::rl::train(config, registry, train);
  std::printf("ppo, 20000 steps: mean return %.3f over %zu evaluation episodes (run directory %s)\n",
              trained.eval.mean_return(), trained.eval.returns.size(), train.run_dir.c_str());
  // The trained agent must beat the random policy (the test runs this example).
  const bool learned = trained.eval.mean_return() > r.mean + 0.2;
  if (!learned) std::printf("ppo did not beat the random policy\n");
  return report.ok() && learned ? 0 : 1;
}
