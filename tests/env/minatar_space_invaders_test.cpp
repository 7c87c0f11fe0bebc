// Rules of MinAtar Space Invaders checked on hand-picked situations (sticky actions off).
#include <gtest/gtest.h>

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
