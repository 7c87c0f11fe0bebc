// Helpers shared by the tests that train through rlnas::rl::train: the built-in registry, a
// fresh temporary run directory, a run's final weights and its metric lines without clocks.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rlnas/rl/trainer.h"

namespace rlnas::rl::test_util {

inline const env::EnvRegistry& registry() {
  static const env::EnvRegistry r = [] {
    env::EnvRegistry r;
    env::register_builtin_envs(r);
    return r;
  }();
  return r;
}

// An empty path under the temporary folder, unique to this process, suite and name.
inline std::filesystem::path fresh_dir(const std::string& suite, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rlnas_" + suite + "_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

// Parameters of the network of a run directory's latest checkpoint.
inline std::vector<torch::Tensor> final_weights(const std::string& run_dir) {
  auto algo = load_trained_algorithm(run_dir, registry());
  std::vector<torch::Tensor> out;
  for (const auto& p : algo->network().parameters()) out.push_back(p.detach().clone());
  return out;
}

// metrics.jsonl lines without wall-clock fields, for comparing runs.
inline std::vector<std::string> metric_lines(const std::filesystem::path& dir) {
  std::ifstream in(dir / "metrics.jsonl");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    for (const char* clock : {"time", "steps_per_s", "rollout_s", "update_s"}) j.erase(clock);
    out.push_back(j.dump());
  }
  return out;
}

// The error resolving a training configuration of MinAtar Breakout with `flags` gives, or "no error".
inline std::string flags_error(const std::vector<std::pair<std::string, std::string>>& flags) {
  TrainSources s;
  s.flags = {{"env", "minatar/breakout"}};
  s.flags.insert(s.flags.end(), flags.begin(), flags.end());
  try {
    resolve_train_config(s, registry());
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

inline void expect_same_weights(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
}

}  // namespace rlnas::rl::test_util
