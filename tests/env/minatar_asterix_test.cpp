// Rules of MinAtar Asterix checked on hand-picked situations (sticky actions off).
#include <gtest/gtest.h>

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
  EXPECT_EQ(asterix_entity_count(asterix_observe(*ramped)), asterix_entity_count(asterix_observe(*steady)) + 1);
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
