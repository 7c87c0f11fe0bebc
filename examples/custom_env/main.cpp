// Registers the example "Catch" environment next to the built-ins, checks it, rolls out a
// random policy and steps it through a VectorEnv. See docs/adding_an_env.md.
#include <cstdio>

#include "catch_env.h"
#include "rlnas/env/checker.h"
#include "rlnas/env/registry.h"
#include "rlnas/env/rollout.h"
#include "rlnas/env/vector_env.h"

int main() {
  rlnas::env::EnvRegistry registry;
  rlnas::env::register_builtin_envs(registry);
  registry.add({.name = "example/catch",
                .description = "catch a falling ball with a paddle",
                .max_steps = 100,
                .options = {{"rows", "10", "grid rows"}, {"cols", "5", "grid columns"}},
                .make = [](const rlnas::env::OptionReader& options) -> std::unique_ptr<rlnas::env::Env> {
                  return std::make_unique<example::Catch>(static_cast<int>(options.get_int("rows", 2, 100)),
                                                          static_cast<int>(options.get_int("cols", 1, 100)));
                }});

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
  return report.ok() ? 0 : 1;
}
