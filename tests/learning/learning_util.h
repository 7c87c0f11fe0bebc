// Shared helper of the learning tests: train through the same path a user takes
// (resolve_train_config + train) in a fresh temporary run directory.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../rl/run_test_util.h"
#include "rlnas/rl/trainer.h"

namespace rlnas::rl::testing {

using test_util::registry;

// `flags` as on the command line ({"env", "classic/cartpole"}, ...), `sets` as KEY=VALUE.
inline TrainResult train_for_test(const std::string& name, std::vector<std::pair<std::string, std::string>> flags,
                                  std::vector<std::string> sets) {
  TrainSources sources;
  sources.flags = std::move(flags);
  sources.sets = std::move(sets);
  const auto config = resolve_train_config(sources, registry());
  const auto dir = test_util::fresh_dir("learning", name);
  TrainOptions options;
  options.run_dir = dir.string();
  options.quiet = true;
  auto result = train(config, registry(), options);
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace rlnas::rl::testing
