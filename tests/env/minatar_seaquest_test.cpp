// Rules of MinAtar Seaquest checked on hand-picked situations (sticky actions off).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "rlnas/env/minatar.h"

namespace {

using rlnas::env::Action;
using rlnas::env::StepResult;
namespace minatar = rlnas::env::minatar;

constexpr int kSeaquestChannels = 10;

int seaquest_count_row9(const std::vector<float>& obs, int channel) {
  int n = 0;
  for (int x = 0; x < 10; ++x) n += obs[channel * 100 + 90 + x] != 0.0f;
  return n;
}

int seaquest_count_channel(const std::vector<float>& obs, int channel) {
  int n = 0;
  for (int k = 0; k < 100; ++k) n += obs[channel * 100 + k] != 0.0f;
  return n;
}

TEST(Seaquest, StayingSubmergedRunsOutOfOxygenAtStep201) {
  minatar::MinAtarOptions options;
  options.sticky = 0.0;
  int full_runs = 0;
  for (uint32_t seed = 0; seed < 10; ++seed) {
    auto env = minatar::make_game("seaquest", options);
    env->seed(seed);
    env->reset();
    std::vector<float> obs(kSeaquestChannels * 100);
    int end_step = 0;
    for (int t = 1; t <= 300 && end_step == 0; ++t) {
      const StepResult r = env->step(Action::discrete(t == 1 ? 4 : 0));
      env->write_observation(obs.data());
      if (r.terminated) end_step = t;
      // Oxygen falls by one per submerged step; the gauge shows oxygen * 10 // 200 cells.
      const int oxygen = std::max(0, 200 - t);
      ASSERT_EQ(seaquest_count_row9(obs, 7), oxygen * 10 / 200) << "seed " << seed << " step " << t;
    }
    // An enemy may end the run earlier, but nothing lets it outlast its oxygen.
    ASSERT_GT(end_step, 0) << "seed " << seed;
    ASSERT_LE(end_step, 201) << "seed " << seed;
    full_runs += end_step == 201;
  }
  EXPECT_GT(full_runs, 0);
}

TEST(Seaquest, SurfacingWithoutDiversEndsTheEpisode) {
  minatar::MinAtarOptions options;
  options.sticky = 0.0;
  auto env = minatar::make_game("seaquest", options);
  env->seed(3);
  env->reset();
  StepResult r = env->step(Action::discrete(4));  // down
  EXPECT_FALSE(r.terminated);
  r = env->step(Action::discrete(2));  // back up, holding no diver
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 0.0f);
  // Steps after the end change nothing.
  r = env->step(Action::discrete(4));
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 0.0f);
}

TEST(Seaquest, FiringHasAFiveStepCooldownAndBulletsMoveWhenFired) {
  minatar::MinAtarOptions options;
  options.sticky = 0.0;
  auto env = minatar::make_game("seaquest", options);
  env->seed(0);
  env->reset();
  std::vector<float> obs(kSeaquestChannels * 100);
  // The sub starts at row 0, column 5, facing left; keep pressing fire.
  const int expected_x[] = {4, 3, 2, 1, 0, 4};
  for (int t = 1; t <= 6; ++t) {
    env->step(Action::discrete(5));
    env->write_observation(obs.data());
    ASSERT_EQ(seaquest_count_channel(obs, 2), 1) << "step " << t;
    EXPECT_EQ(obs[2 * 100 + expected_x[t - 1]], 1.0f) << "step " << t;
    // Firing does not move the sub.
    EXPECT_EQ(obs[0 * 100 + 5], 1.0f);
    EXPECT_EQ(obs[1 * 100 + 6], 1.0f);
  }
}

TEST(Seaquest, RestoredSnapshotContinuesIdentically) {
  auto env = minatar::make_game("seaquest");
  env->seed(12345);
  env->reset();
  std::mt19937 actions(7);
  auto play = [&](minatar::MinAtarEnv& e, int steps, std::vector<float>* log) {
    std::vector<float> obs(kSeaquestChannels * 100);
    for (int t = 0; t < steps; ++t) {
      const StepResult r = e.step(Action::discrete(static_cast<int64_t>(actions() % 6)));
      if (log) {
        e.write_observation(obs.data());
        log->insert(log->end(), obs.begin(), obs.end());
        log->push_back(r.reward);
        log->push_back(r.terminated ? 1.0f : 0.0f);
        log->push_back(static_cast<float>(e.last_executed_action()));
      }
      if (r.terminated) e.reset();
    }
  };
  play(*env, 250, nullptr);
  const std::string snap = env->snapshot();
  const std::mt19937 actions_at_snapshot = actions;
  std::vector<float> first;
  play(*env, 1000, &first);

  auto other = minatar::make_game("seaquest");
  other->restore(snap);
  actions = actions_at_snapshot;
  std::vector<float> second;
  play(*other, 1000, &second);
  EXPECT_EQ(first, second);
}

}  // namespace
