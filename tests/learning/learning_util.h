// Shared helper of the learning tests: train through the same path a user takes
// (resolve_train_config + train) in a fresh temporary run directory.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "rlnas/rl/trainer.h"

namespace rlnas::rl::testing {

inline const env::EnvRegistry& registry() {
  static const env::EnvRegistry r = [] {
    env::EnvRegistry r;
    env::register_builtin_envs(r);
    return r;
  }();
  return r;
}

// `flags` as on the command line ({"env", "classic/cartpole"}, ...), `sets` as KEY=VALUE.
inline TrainResult train_for_test(const std::string& name, std::vector<std::pair<std::string, std::string>> flags,
                                  std::vector<std::string> sets) {
  TrainSources sources;
  sources.flags = std::move(flags);
  sources.sets = std::move(sets);
  const auto config = resolve_train_config(sources, registry());
  const auto dir = std::filesystem::temp_directory_path() / ("rlnas_learning_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  TrainOptions options;
  options.run_dir = dir.string();
  options.quiet = true;
  auto result = train(config, registry(), options);
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace rlnas::rl::testing
