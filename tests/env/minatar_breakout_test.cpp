// Rules of MinAtar Breakout checked on hand-picked situations (sticky actions off).
#include <gtest/gtest.h>

#include <vector>

#include "rlnas/env/minatar.h"

namespace {

using rlnas::env::Action;
namespace minatar = rlnas::env::minatar;

// Seed 0's reset draws randint(0, 2) == 0: the ball starts at (row 3, x 0) moving down-right.
std::unique_ptr<minatar::MinAtarEnv> breakout_seed0() {
  minatar::MinAtarOptions options;
  options.sticky = 0.0;
  auto env = minatar::make_game("breakout", options);
  env->seed(0);
  env->reset();
  return env;
}

// (row, column) of the single set cell of a channel, or (-1, -1).
std::pair<int, int> find(const minatar::MinAtarEnv& env, int channel) {
  std::vector<float> obs(400);
  env.write_observation(obs.data());
  for (int k = 0; k < 100; ++k) {
    if (obs[static_cast<size_t>(channel * 100 + k)] != 0.0f) return {k / 10, k % 10};
  }
  return {-1, -1};
}

TEST(Breakout, BallStartsOnRowThreeAndMovesDiagonally) {
  auto env = breakout_seed0();
  EXPECT_EQ(find(*env, 1), std::make_pair(3, 0));
  EXPECT_EQ(find(*env, 0), std::make_pair(9, 4));
  for (int t = 1; t <= 5; ++t) {
    EXPECT_FALSE(env->step(Action::discrete(0)).terminated);
    EXPECT_EQ(find(*env, 1), std::make_pair(3 + t, t)) << "step " << t;
    EXPECT_EQ(find(*env, 2), std::make_pair(2 + t, t - 1)) << "trail at step " << t;
  }
}

TEST(Breakout, BallBouncesOffThePaddleUnderIt) {
  auto env = breakout_seed0();
  env->step(Action::discrete(3));  // paddle 4 -> 5, under the ball's column at step 5
  for (int t = 2; t <= 5; ++t) env->step(Action::discrete(0));
  ASSERT_EQ(find(*env, 1), std::make_pair(8, 5));
  const auto r = env->step(Action::discrete(0));
  EXPECT_FALSE(r.terminated);
  EXPECT_EQ(find(*env, 1), std::make_pair(8, 6));  // stays on row 8, takes the new column
  env->step(Action::discrete(0));
  EXPECT_EQ(find(*env, 1), std::make_pair(7, 7));  // now moving up-right
}

TEST(Breakout, BallPastThePaddleEndsTheEpisodeOnRowNine) {
  auto env = breakout_seed0();
  for (int t = 1; t <= 5; ++t) env->step(Action::discrete(0));
  const auto r = env->step(Action::discrete(0));
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 0.0f);
  EXPECT_EQ(find(*env, 1), std::make_pair(9, 6));
  // Steps after the end change nothing and pay nothing.
  const auto after = env->step(Action::discrete(3));
  EXPECT_TRUE(after.terminated);
  EXPECT_EQ(find(*env, 0), std::make_pair(9, 4));
}

TEST(Breakout, PaddleIsClampedToTheGrid) {
  auto env = breakout_seed0();
  for (int t = 0; t < 5; ++t) env->step(Action::discrete(1));
  EXPECT_EQ(find(*env, 0), std::make_pair(9, 0));
}

TEST(StickyActions, RepeatThePreviousExecutedActionAtTheConfiguredRate) {
  minatar::MinAtarOptions options;
  options.sticky = 0.25;
  auto env = minatar::make_game("freeway", options);
  env->seed(5);
  env->reset();
  int repeated = 0;
  const int steps = 2400;
  int previous = env->last_executed_action();
  for (int t = 0; t < steps; ++t) {
    const int agent = t % 2 == 0 ? 2 : 4;  // alternate so a repeat is visible
    env->step(Action::discrete(agent));
    if (env->last_executed_action() != agent) {
      EXPECT_EQ(env->last_executed_action(), previous);
      ++repeated;
    }
    previous = env->last_executed_action();
  }
  // With two alternating actions, a repeat is visible when the previous executed action was the
  // previous agent action. p = P(executed == agent) solves p = 0.75 + 0.25 (1 - p), so p = 0.8
  // and the visible repeat rate is 0.25 * 0.8 = 0.2 (binomial sd 0.008 at 2400 steps).
  EXPECT_NEAR(static_cast<double>(repeated) / steps, 0.2, 0.03);
}

}  // namespace
