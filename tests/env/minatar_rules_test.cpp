#include <gtest/gtest.h>

// ---- Seaquest rules ----
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

// ---- Asterix rules ----
#include <cstdint>
#include <memory>
#include <vector>

#include "rlnas/env/minatar.h"

namespace {

std::unique_ptr<rlnas::env::minatar::MinAtarEnv> asterix_make(bool ramping, uint32_t seed) {
  rlnas::env::minatar::MinAtarOptions options;
  options.sticky = 0.0;
  options.ramping = ramping;
  auto env = rlnas::env::minatar::make_game("asterix", options);
  env->seed(seed);
  env->reset();
  return env;
}

std::vector<float> asterix_observe(const rlnas::env::minatar::MinAtarEnv& env) {
  std::vector<float> obs(4 * 100);
  env.write_observation(obs.data());
  return obs;
}

// Enemies (channel 1) and gold (channel 3) together.
int asterix_entity_count(const std::vector<float>& obs) {
  int n = 0;
  for (int k = 0; k < 100; ++k) n += (obs[100 + k] != 0.0f) + (obs[300 + k] != 0.0f);
  return n;
}

TEST(Asterix, FirstEntitySpawnsAtStep11AndMovesInTheSameStep) {
  auto env = asterix_make(/*ramping=*/true, 42);
  for (int t = 1; t <= 10; ++t) {
    ASSERT_FALSE(env->step(rlnas::env::Action::discrete(0)).terminated);
    ASSERT_EQ(asterix_entity_count(asterix_observe(*env)), 0) << "step " << t;
  }
  // Step 11 is a spawn step and also a move step (moves at 6, 11, 16, ...): the entity spawns
  // on an edge column and has already moved one cell inward, its trail on the edge.
  env->step(rlnas::env::Action::discrete(0));
  auto obs = asterix_observe(*env);
  ASSERT_EQ(asterix_entity_count(obs), 1);
  int row = -1, col = -1;
  for (int k = 0; k < 100; ++k) {
    if (obs[100 + k] != 0.0f || obs[300 + k] != 0.0f) row = k / 10, col = k % 10;
  }
  EXPECT_GE(row, 1);
  EXPECT_LE(row, 8);
  ASSERT_TRUE(col == 1 || col == 8);
  const int edge = col == 1 ? 0 : 9;
  EXPECT_EQ(obs[200 + row * 10 + edge], 1.0f);

  for (int t = 12; t <= 15; ++t) {
    env->step(rlnas::env::Action::discrete(0));
    EXPECT_EQ(asterix_observe(*env), obs) << "step " << t;
  }
  env->step(rlnas::env::Action::discrete(0));
  obs = asterix_observe(*env);
  const int moved = col == 1 ? 2 : 7;
  EXPECT_TRUE(obs[100 + row * 10 + moved] != 0.0f || obs[300 + row * 10 + moved] != 0.0f);
  EXPECT_EQ(obs[200 + row * 10 + col], 1.0f);
}

TEST(Asterix, RampingShortensTheSpawnIntervalAfter102Steps) {
  auto ramped = asterix_make(/*ramping=*/true, 42);
  auto steady = asterix_make(/*ramping=*/false, 42);
  // Spawns come at steps 11, 21, ..., 111 either way. The first ramp (end of step 102) makes
  // the interval 9, so the ramped game spawns again at step 120 instead of 121.
  for (int t = 1; t <= 119; ++t) {
    ASSERT_FALSE(ramped->step(rlnas::env::Action::discrete(0)).terminated) << "step " << t;
    ASSERT_FALSE(steady->step(rlnas::env::Action::discrete(0)).terminated) << "step " << t;
    ASSERT_EQ(asterix_observe(*ramped), asterix_observe(*steady)) << "step " << t;
  }
  ramped->step(rlnas::env::Action::discrete(0));
  steady->step(rlnas::env::Action::discrete(0));
  EXPECT_EQ(asterix_entity_count(asterix_observe(*ramped)),
            asterix_entity_count(asterix_observe(*steady)) + 1);
}

TEST(Asterix, PlayerStaysInsideRowsOneToEight) {
  auto env = asterix_make(/*ramping=*/true, 0);
  // Nothing spawns before step 11, so the first ten steps are safe.
  for (int t = 0; t < 5; ++t) env->step(rlnas::env::Action::discrete(2));  // up
  for (int t = 0; t < 5; ++t) env->step(rlnas::env::Action::discrete(1));  // left
  const auto obs = asterix_observe(*env);
  EXPECT_EQ(obs[1 * 10 + 0], 1.0f);
  int players = 0;
  for (int k = 0; k < 100; ++k) players += obs[k] != 0.0f;
  EXPECT_EQ(players, 1);
}

}  // namespace

// ---- Space Invaders rules ----
#include <cstdint>
#include <memory>
#include <vector>

#include "rlnas/env/minatar.h"

namespace {

std::unique_ptr<rlnas::env::minatar::MinAtarEnv> space_invaders_make(
    rlnas::env::minatar::ActionSet actions = rlnas::env::minatar::ActionSet::kFull) {
  rlnas::env::minatar::MinAtarOptions options;
  options.sticky = 0.0;
  options.actions = actions;
  auto env = rlnas::env::minatar::make_game("space_invaders", options);
  env->seed(0);
  env->reset();
  return env;
}

std::vector<float> space_invaders_observe(const rlnas::env::minatar::MinAtarEnv& env) {
  std::vector<float> obs(6 * 100);
  env.write_observation(obs.data());
  return obs;
}

int space_invaders_count(const std::vector<float>& obs, int channel) {
  int n = 0;
  for (int k = 0; k < 100; ++k) n += obs[channel * 100 + k] != 0.0f;
  return n;
}

float space_invaders_at(const std::vector<float>& obs, int channel, int y, int x) {
  return obs[channel * 100 + y * 10 + x];
}

TEST(SpaceInvaders, MinimalActionSetIsNoopLeftRightFire) {
  auto env = space_invaders_make(rlnas::env::minatar::ActionSet::kMinimal);
  EXPECT_EQ(env->action_set(), (std::vector<int>{0, 1, 3, 5}));
  env->step(rlnas::env::Action::discrete(3));
  EXPECT_EQ(env->last_executed_action(), 5);
  // The bullet starts on the cannon's row and moves up in the step it is fired.
  EXPECT_EQ(space_invaders_at(space_invaders_observe(*env), 4, 8, 5), 1.0f);
}

TEST(SpaceInvaders, FirstAlienShotStartsOnTheLowestAlienNearestTheCannon) {
  auto env = space_invaders_make();
  for (int t = 1; t <= 10; ++t) {
    env->step(rlnas::env::Action::discrete(0));
    ASSERT_EQ(space_invaders_count(space_invaders_observe(*env), 5), 0) << "step " << t;
  }
  env->step(rlnas::env::Action::discrete(0));
  auto obs = space_invaders_observe(*env);
  ASSERT_EQ(space_invaders_count(obs, 5), 1);
  // Column 5 is right above the cannon; its lowest alien is on row 3, and the bullet shares
  // that alien's cell until it moves.
  EXPECT_EQ(space_invaders_at(obs, 5, 3, 5), 1.0f);
  EXPECT_EQ(space_invaders_at(obs, 1, 3, 5), 1.0f);
  env->step(rlnas::env::Action::discrete(0));
  EXPECT_EQ(space_invaders_at(space_invaders_observe(*env), 5, 4, 5), 1.0f);

  // The block first moves at step 13, one column left, and shows in the alien-left channel.
  env->step(rlnas::env::Action::discrete(0));
  obs = space_invaders_observe(*env);
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 10; ++x) {
      const float alien = (y <= 3 && x >= 1 && x <= 6) ? 1.0f : 0.0f;
      EXPECT_EQ(space_invaders_at(obs, 1, y, x), alien) << y << "," << x;
      EXPECT_EQ(space_invaders_at(obs, 2, y, x), alien) << y << "," << x;
      EXPECT_EQ(space_invaders_at(obs, 3, y, x), 0.0f) << y << "," << x;
    }
  }
}

TEST(SpaceInvaders, CannonFiresEveryFiveStepsAndAHitPays) {
  auto env = space_invaders_make();
  for (int t = 1; t <= 5; ++t) {
    const auto r = env->step(rlnas::env::Action::discrete(5));
    EXPECT_EQ(r.reward, 0.0f) << "step " << t;
    const auto obs = space_invaders_observe(*env);
    // Only the step-1 shot exists; fire is ignored while the cooldown runs.
    ASSERT_EQ(space_invaders_count(obs, 4), 1) << "step " << t;
    EXPECT_EQ(space_invaders_at(obs, 4, 9 - t, 5), 1.0f) << "step " << t;
  }
  // Step 6: the first bullet reaches the alien at (3, 5) and both vanish; a new shot goes out.
  const auto r = env->step(rlnas::env::Action::discrete(5));
  EXPECT_EQ(r.reward, 1.0f);
  EXPECT_FALSE(r.terminated);
  const auto obs = space_invaders_observe(*env);
  EXPECT_EQ(space_invaders_count(obs, 1), 23);
  EXPECT_EQ(space_invaders_at(obs, 1, 3, 5), 0.0f);
  ASSERT_EQ(space_invaders_count(obs, 4), 1);
  EXPECT_EQ(space_invaders_at(obs, 4, 8, 5), 1.0f);
}

}  // namespace
