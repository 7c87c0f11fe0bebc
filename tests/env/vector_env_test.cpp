#include "rlnas/env/vector_env.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "builtin_registry.h"
#include "rlnas/env/registry.h"

namespace rlnas::env {
namespace {

VectorEnv::Factory factory(const std::string& name, EnvOptions options = {}) {
  return [name, options] { return registry().make(name, options); };
}

TEST(VectorEnv, SeedsEnvironmentIWithSeedPlusI) {
  const uint32_t seed = 40;
  VectorEnv venv(factory("minatar/breakout"), 4, seed);
  for (int i = 0; i < 4; ++i) {
    auto env = registry().make("minatar/breakout");
    env->seed(seed + static_cast<uint32_t>(i));
    env->reset();
    std::vector<float> obs(400);
    env->write_observation(obs.data());
    auto row = venv.observations()[i].contiguous();
    EXPECT_TRUE(at::equal(row.view({-1}), at::from_blob(obs.data(), {400}))) << "env " << i;
  }
}

TEST(VectorEnv, MatchesSingleEnvsStepForStepAcrossAutoResets) {
  // Auto-reset must not re-seed: each row continues its generator exactly as a single env that
  // is reset by hand.
  const int n = 3;
  VectorEnv venv(factory("minatar/breakout"), n, 7);
  std::vector<std::unique_ptr<Env>> singles;
  for (int i = 0; i < n; ++i) {
    singles.push_back(registry().make("minatar/breakout"));
    singles.back()->seed(7 + static_cast<uint32_t>(i));
    singles.back()->reset();
  }
  Mt19937 rng(5);
  std::vector<float> obs(400);
  int episodes = 0;
  for (int t = 0; t < 300; ++t) {
    std::vector<int64_t> actions;
    for (int i = 0; i < n; ++i) actions.push_back(rng.randint(0, 6));
    venv.step_discrete(actions);
    for (int i = 0; i < n; ++i) {
      const auto r = singles[static_cast<size_t>(i)]->step(Action::discrete(actions[static_cast<size_t>(i)]));
      ASSERT_EQ(venv.rewards()[i].item<float>(), r.reward);
      ASSERT_EQ(venv.terminated()[i].item<bool>(), r.terminated);
      if (r.done()) {
        singles[static_cast<size_t>(i)]->write_observation(obs.data());
        ASSERT_TRUE(at::equal(venv.final_observations()[i].reshape({-1}), at::from_blob(obs.data(), {400})));
        singles[static_cast<size_t>(i)]->reset();
        ++episodes;
      }
      singles[static_cast<size_t>(i)]->write_observation(obs.data());
      ASSERT_TRUE(at::equal(venv.observations()[i].reshape({-1}), at::from_blob(obs.data(), {400})))
          << "step " << t << " env " << i;
    }
  }
  EXPECT_GT(episodes, 10);
  EXPECT_EQ(venv.total_episodes(), episodes);
  EXPECT_EQ(venv.total_steps(), 300 * n);
}

TEST(VectorEnv, TruncatedEpisodeKeepsItsFinalObservationAndStatistics) {
  VectorEnv venv(factory("minatar/freeway", {{"max_steps", "5"}}), 2, 0);
  const std::vector<int64_t> up = {2, 2};
  for (int t = 1; t <= 5; ++t) venv.step_discrete(up);
  EXPECT_TRUE(venv.truncated().all().item<bool>());
  EXPECT_FALSE(venv.terminated().any().item<bool>());
  ASSERT_EQ(venv.finished_episodes().size(), 2u);
  EXPECT_EQ(venv.finished_episodes()[0].length, 5);
  EXPECT_TRUE(venv.finished_episodes()[0].truncated);
  // The final observation shows the chicken moved up (row < 9); the new episode starts at row 9.
  auto chicken_final = venv.final_observations()[0][0];
  auto chicken_new = venv.observations()[0][0];
  EXPECT_EQ(chicken_new[9][4].item<float>(), 1.0f);
  EXPECT_EQ(chicken_final[9][4].item<float>(), 0.0f);
  EXPECT_EQ(chicken_final.sum().item<float>(), 1.0f);
}

TEST(VectorEnv, ObservationBufferIsReusedNotReallocated) {
  VectorEnv venv(factory("minatar/breakout"), 4, 0);
  const void* before = venv.observations().data_ptr();
  for (int t = 0; t < 100; ++t) venv.step(at::zeros({4}, at::kLong));
  EXPECT_EQ(venv.observations().data_ptr(), before);
}

TEST(VectorEnv, SnapshotRestoreContinuesExactly) {
  VectorEnv a(factory("minatar/breakout"), 4, 11);
  Mt19937 rng(2);
  auto random_actions = [&] {
    std::vector<int64_t> v;
    for (int i = 0; i < 4; ++i) v.push_back(rng.randint(0, 6));
    return v;
  };
  for (int t = 0; t < 57; ++t) a.step_discrete(random_actions());
  const std::string snap = a.snapshot();
  VectorEnv b(factory("minatar/breakout"), 4, 999);
  b.restore(snap);
  EXPECT_TRUE(at::equal(a.observations(), b.observations()));
  EXPECT_EQ(a.total_episodes(), b.total_episodes());
  for (int t = 0; t < 200; ++t) {
    const auto actions = random_actions();
    a.step_discrete(actions);
    b.step_discrete(actions);
    ASSERT_TRUE(at::equal(a.observations(), b.observations())) << t;
    ASSERT_TRUE(at::equal(a.rewards(), b.rewards())) << t;
  }
  EXPECT_DOUBLE_EQ(a.recent_mean_return(), b.recent_mean_return());
}

TEST(VectorEnv, ContinuousActionsAndWrongActionsAreChecked) {
  VectorEnv venv(factory("classic/pendulum"), 2, 0);
  venv.step(at::zeros({2, 1}, at::kFloat));
  EXPECT_THROW(venv.step(at::zeros({2}, at::kLong)), Error);
  VectorEnv discrete(factory("minatar/breakout"), 2, 0);
  EXPECT_THROW(discrete.step(at::zeros({3}, at::kLong)), Error);
  EXPECT_THROW(discrete.step(at::zeros({2}, at::kFloat)), Error);
}

TEST(VectorEnv, RecentEpisodesKeepsTheWindow) {
  VectorEnv venv(factory("minatar/breakout"), 2, 0, /*recent_window=*/5);
  for (int t = 0; t < 500; ++t) venv.step_discrete(std::vector<int64_t>{0, 0});
  EXPECT_GT(venv.total_episodes(), 5);
  EXPECT_EQ(venv.recent_episodes().size(), 5u);
}

}  // namespace
}  // namespace rlnas::env
