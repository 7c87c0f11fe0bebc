// Classic control: hand-checked single steps, termination thresholds, reset distributions,
// time limits through the registry and snapshot round trips.
//
// Expected states come from a direct Python transcription of Gymnasium's step() (plain floats,
// math module); each test quotes the numbers it uses.
#include "rlnas/env/classic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <string>
#include <vector>

#include "rlnas/core/error.h"
#include "rlnas/env/checker.h"
#include "rlnas/env/registry.h"
#include "rlnas/env/time_limit.h"

namespace rlnas::env::classic {
namespace {

constexpr double kTol = 1e-9;
constexpr double kPi = std::numbers::pi;
constexpr float kInf = std::numeric_limits<float>::infinity();

template <int N>
void expect_state_near(const std::array<double, N>& actual, const std::array<double, N>& expected, double tol = kTol) {
  for (size_t i = 0; i < static_cast<size_t>(N); ++i) {
    EXPECT_NEAR(actual[i], expected[i], tol) << "state[" << i << "]";
  }
}

StepResult torque(Env& env, float u) {
  const float values[1] = {u};
  return env.step(Action::continuous(values));
}

// Message of the rlnas::Error that `fn` throws, or "" if it throws nothing.
template <class Fn>
std::string error_message(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::vector<float> observation(const Env& env) {
  std::vector<float> obs(static_cast<size_t>(env.observation_spec().numel()));
  env.write_observation(obs.data());
  return obs;
}

// ---------------------------------------------------------------------------------------------
// CartPole

TEST(CartPole, SpecsMatchGymnasium) {
  CartPole env;
  const auto& obs = env.observation_spec();
  EXPECT_EQ(obs.shape, (std::vector<int64_t>{4}));
  EXPECT_EQ(obs.dtype, DType::kFloat32);
  EXPECT_EQ(obs.high, (std::vector<float>{4.8f, kInf, 0.41887903f, kInf}));
  EXPECT_EQ(obs.low, (std::vector<float>{-4.8f, -kInf, -0.41887903f, -kInf}));
  EXPECT_TRUE(env.action_spec().is_discrete());
  EXPECT_EQ(env.action_spec().n, 2);
  EXPECT_EQ(env.name(), "classic/cartpole");
}

TEST(CartPole, PushRightFromRestMatchesHandComputedEulerStep) {
  // At rest: temp = F/(m_c+m_p) = 100/11; the denominator is l*(4/3 - 0.1/1.1) = 41/66, so
  // thacc = -(100/11)*(66/41) = -600/41 and xacc = 100/11 + 0.05*(600/41)/1.1 = 4400/451.
  // Euler moves positions with the old (zero) velocities:
  //   x = 0, xdot = 0.02*4400/451 = 88/451, th = 0, thdot = 0.02*(-600/41) = -12/41.
  CartPole env;
  env.set_state({0.0, 0.0, 0.0, 0.0});
  const StepResult r = env.step(Action::discrete(1));
  expect_state_near<4>(env.state(), {0.0, 88.0 / 451.0, 0.0, -12.0 / 41.0});
  EXPECT_EQ(r.reward, 1.0f);
  EXPECT_FALSE(r.terminated);
  EXPECT_FALSE(r.truncated);
}

TEST(CartPole, PushLeftFromGeneralStateMatchesReference) {
  // Python: cartpole([0.1, -0.3, 0.05, 0.4], 0)
  //   -> [0.094, -0.4957942420561364, 0.058, 0.7080182011216816]
  CartPole env;
  env.set_state({0.1, -0.3, 0.05, 0.4});
  env.step(Action::discrete(0));
  expect_state_near<4>(env.state(), {0.094, -0.4957942420561364, 0.058, 0.7080182011216816});
  const auto obs = observation(env);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(obs[i], static_cast<float>(env.state()[i]));
}

TEST(CartPole, TerminatesWhenCartLeavesTrack) {
  {  // x = 2.39 + 0.02*1.0 = 2.41 > 2.4; the terminating step still pays +1.
    CartPole env;
    env.set_state({2.39, 1.0, 0.0, 0.0});
    const StepResult r = env.step(Action::discrete(1));
    EXPECT_NEAR(env.state()[0], 2.41, kTol);
    EXPECT_TRUE(r.terminated);
    EXPECT_FALSE(r.truncated);
    EXPECT_EQ(r.reward, 1.0f);
  }
  {  // x = 2.39 + 0.02*0.4 = 2.398: still inside.
    CartPole env;
    env.set_state({2.39, 0.4, 0.0, 0.0});
    EXPECT_FALSE(env.step(Action::discrete(1)).terminated);
  }
  {  // Mirror image on the left: x = -2.41.
    CartPole env;
    env.set_state({-2.39, -1.0, 0.0, 0.0});
    EXPECT_TRUE(env.step(Action::discrete(0)).terminated);
  }
}

TEST(CartPole, TerminatesWhenPoleFallsPastTwelveDegrees) {
  // 12 degrees = 0.20943951 rad. th = 0.2 + 0.02*0.5 = 0.21 terminates, 0.2 + 0.02*0.4 = 0.208
  // does not.
  {
    CartPole env;
    env.set_state({0.0, 0.0, 0.2, 0.5});
    EXPECT_TRUE(env.step(Action::discrete(1)).terminated);
    EXPECT_NEAR(env.state()[2], 0.21, kTol);
  }
  {
    CartPole env;
    env.set_state({0.0, 0.0, -0.2, -0.5});
    EXPECT_TRUE(env.step(Action::discrete(0)).terminated);
  }
  {
    CartPole env;
    env.set_state({0.0, 0.0, 0.2, 0.4});
    EXPECT_FALSE(env.step(Action::discrete(1)).terminated);
    EXPECT_NEAR(env.state()[2], 0.208, kTol);
  }
}

TEST(CartPole, StepsAfterTerminationAreAbsorbing) {
  CartPole env;
  env.set_state({2.39, 1.0, 0.0, 0.0});
  ASSERT_TRUE(env.step(Action::discrete(1)).terminated);
  const auto frozen = env.state();
  const StepResult r = env.step(Action::discrete(0));
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 0.0f);
  EXPECT_EQ(env.state(), frozen);
  // Invalid actions are still rejected after the end.
  EXPECT_THROW(env.step(Action::discrete(2)), Error);
  // A reset starts a live episode again.
  env.reset();
  EXPECT_FALSE(env.step(Action::discrete(0)).terminated);
}

TEST(CartPole, RejectsOutOfRangeAction) {
  CartPole env;
  env.seed(0);
  env.reset();
  const std::string msg = error_message([&] { env.step(Action::discrete(2)); });
  EXPECT_NE(msg.find("classic/cartpole"), std::string::npos) << msg;
  EXPECT_NE(msg.find("got 2"), std::string::npos) << msg;
  EXPECT_THROW(env.step(Action::discrete(-1)), Error);
}

TEST(CartPole, ResetIsUniformInPlusMinusFiveHundredths) {
  CartPole env;
  std::array<double, 4> lo{1, 1, 1, 1}, hi{-1, -1, -1, -1};
  for (uint32_t seed = 0; seed < 1000; ++seed) {
    env.seed(seed);
    env.reset();
    for (size_t i = 0; i < 4; ++i) {
      const double v = env.state()[i];
      ASSERT_GE(v, -0.05);
      ASSERT_LT(v, 0.05);
      lo[i] = std::min(lo[i], v);
      hi[i] = std::max(hi[i], v);
    }
  }
  // 1000 draws cover the interval to within a few thousandths.
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_LT(lo[i], -0.049);
    EXPECT_GT(hi[i], 0.049);
  }
}

TEST(CartPole, SameSeedGivesSameResetAndResetDoesNotReseed) {
  CartPole a, b;
  a.seed(42);
  b.seed(42);
  a.reset();
  b.reset();
  EXPECT_EQ(a.state(), b.state());
  const auto first = a.state();
  a.reset();  // the stream continues
  EXPECT_NE(a.state(), first);
  b.seed(43);
  b.reset();
  EXPECT_NE(b.state(), first);
}

// ---------------------------------------------------------------------------------------------
// Acrobot

TEST(Acrobot, SpecsMatchGymnasium) {
  Acrobot env;
  const auto& obs = env.observation_spec();
  EXPECT_EQ(obs.shape, (std::vector<int64_t>{6}));
  EXPECT_EQ(obs.dtype, DType::kFloat32);
  const float v1 = static_cast<float>(4 * kPi), v2 = static_cast<float>(9 * kPi);
  EXPECT_EQ(obs.high, (std::vector<float>{1, 1, 1, 1, v1, v2}));
  EXPECT_EQ(obs.low, (std::vector<float>{-1, -1, -1, -1, -v1, -v2}));
  EXPECT_EQ(env.action_spec().n, 3);
  EXPECT_EQ(env.name(), "classic/acrobot");
}

TEST(Acrobot, HangingAtRestWithoutTorqueStaysAtRest) {
  // Hanging straight down is an equilibrium; only cos(-pi/2) ~ 6e-17 rounding moves it.
  // Python: acrobot([0, 0, 0, 0], 1) -> [-7.6e-18, 5.9e-18, -7.6e-17, 5.9e-17]
  Acrobot env;
  env.set_state({0.0, 0.0, 0.0, 0.0});
  const StepResult r = env.step(Action::discrete(1));
  expect_state_near<4>(env.state(), {0.0, 0.0, 0.0, 0.0}, 1e-15);
  EXPECT_EQ(r.reward, -1.0f);
  EXPECT_FALSE(r.terminated);
}

TEST(Acrobot, PositiveTorqueStepMatchesBookDynamicsRk4) {
  // Python (Gymnasium's _dsdt "book" + rk4 over [0, 0.2]):
  //   acrobot([0.05, -0.08, 0.3, -0.6], 2) ->
  //   [0.08598397706978772, -0.14683451638777717, 0.05106575248801584, -0.05251667256631165]
  Acrobot env;
  env.set_state({0.05, -0.08, 0.3, -0.6});
  env.step(Action::discrete(2));
  expect_state_near<4>(env.state(),
                       {0.08598397706978772, -0.14683451638777717, 0.05106575248801584, -0.05251667256631165});
}

TEST(Acrobot, NegativeTorqueStepFromSwingingStateMatchesReference) {
  // Python: acrobot([1.0, 0.5, -2.0, 3.0], 0) ->
  //   [0.5287732800099039, 1.0720353749014468, -2.6448822553326004, 2.5628203459763697]
  Acrobot env;
  env.set_state({1.0, 0.5, -2.0, 3.0});
  env.step(Action::discrete(0));
  expect_state_near<4>(env.state(), {0.5287732800099039, 1.0720353749014468, -2.6448822553326004, 2.5628203459763697});
}

TEST(Acrobot, AnglesWrapIntoMinusPiPi) {
  // Joint 1 spins past +pi and joint 2 past -pi within the step; both come back by one turn.
  // Python: acrobot([3.0, -3.0, 4.0, -4.0], 1) ->
  //   [-2.4696427436448096, 2.4591388509429164, 4.280066535903743, -4.524517897799213]
  Acrobot env;
  env.set_state({3.0, -3.0, 4.0, -4.0});
  env.step(Action::discrete(1));
  expect_state_near<4>(env.state(), {-2.4696427436448096, 2.4591388509429164, 4.280066535903743, -4.524517897799213});
}

TEST(Acrobot, VelocitiesAreClipped) {
  // Joint 1 would exceed 4*pi and is clipped to it exactly; joint 2 stays under 9*pi.
  // Python: acrobot([0, 0, 12.0, 28.0], 2) ->
  //   [-2.297828492152491, -2.2238561489521658, 12.566370614359172, 25.621435365061515]
  Acrobot env;
  env.set_state({0.0, 0.0, 12.0, 28.0});
  env.step(Action::discrete(2));
  EXPECT_EQ(env.state()[2], 4 * kPi);
  expect_state_near<4>(env.state(), {-2.297828492152491, -2.2238561489521658, 4 * kPi, 25.621435365061515});
  // Observation bound is the clip value itself.
  EXPECT_EQ(observation(env)[4], env.observation_spec().high[4]);
}

TEST(Acrobot, TerminatesWhenTipRisesOneLinkAboveThePivot) {
  // From rest with torque 0: th1 = 2.2 swings to height -cos th1 - cos(th1+th2) = 1.0731 > 1
  // after the step (terminal, reward 0); th1 = 2.1 only reaches 0.8920 (reward -1).
  {
    Acrobot env;
    env.set_state({2.2, 0.0, 0.0, 0.0});
    const StepResult r = env.step(Action::discrete(1));
    const auto& s = env.state();
    EXPECT_NEAR(-std::cos(s[0]) - std::cos(s[0] + s[1]), 1.0731407533369943, kTol);
    EXPECT_TRUE(r.terminated);
    EXPECT_EQ(r.reward, 0.0f);
  }
  {
    Acrobot env;
    env.set_state({2.1, 0.0, 0.0, 0.0});
    const StepResult r = env.step(Action::discrete(1));
    const auto& s = env.state();
    EXPECT_NEAR(-std::cos(s[0]) - std::cos(s[0] + s[1]), 0.8919808408898561, kTol);
    EXPECT_FALSE(r.terminated);
    EXPECT_EQ(r.reward, -1.0f);
  }
  {  // Balanced straight up: height 2.
    Acrobot env;
    env.set_state({kPi, 0.0, 0.0, 0.0});
    EXPECT_TRUE(env.step(Action::discrete(1)).terminated);
  }
}

TEST(Acrobot, ObservationIsCosSinOfBothAnglesThenVelocities) {
  Acrobot env;
  env.set_state({0.3, -1.2, 2.5, -7.0});
  const auto obs = observation(env);
  const std::vector<float> expected = {static_cast<float>(std::cos(0.3)),
                                       static_cast<float>(std::sin(0.3)),
                                       static_cast<float>(std::cos(-1.2)),
                                       static_cast<float>(std::sin(-1.2)),
                                       2.5f,
                                       -7.0f};
  EXPECT_EQ(obs, expected);
}

TEST(Acrobot, RejectsOutOfRangeAction) {
  Acrobot env;
  const std::string msg = error_message([&] { env.step(Action::discrete(3)); });
  EXPECT_NE(msg.find("classic/acrobot"), std::string::npos) << msg;
  EXPECT_NE(msg.find("got 3"), std::string::npos) << msg;
}

TEST(Acrobot, ResetIsUniformInPlusMinusOneTenth) {
  Acrobot env;
  double lo = 1, hi = -1;
  for (uint32_t seed = 0; seed < 1000; ++seed) {
    env.seed(seed);
    env.reset();
    for (double v : env.state()) {
      ASSERT_GE(v, -0.1);
      ASSERT_LT(v, 0.1);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  EXPECT_LT(lo, -0.099);
  EXPECT_GT(hi, 0.099);
  Acrobot a, b;
  a.seed(7);
  b.seed(7);
  a.reset();
  b.reset();
  EXPECT_EQ(a.state(), b.state());
}

// ---------------------------------------------------------------------------------------------
// MountainCar

TEST(MountainCar, SpecsMatchGymnasium) {
  MountainCar env;
  const auto& obs = env.observation_spec();
  EXPECT_EQ(obs.shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(obs.low, (std::vector<float>{-1.2f, -0.07f}));
  EXPECT_EQ(obs.high, (std::vector<float>{0.6f, 0.07f}));
  EXPECT_EQ(env.action_spec().n, 3);
  EXPECT_EQ(env.name(), "classic/mountain_car");
}

TEST(MountainCar, PushRightStepMatchesHandComputation) {
  // v = 0 + 0.001 - cos(-1.5)*0.0025 = 0.001 - 0.0707372*0.0025 = 0.0008231569958307428
  // x = -0.5 + v = -0.49917684300416926
  MountainCar env;
  env.set_state({-0.5, 0.0});
  const StepResult r = env.step(Action::discrete(2));
  expect_state_near<2>(env.state(), {-0.49917684300416926, 0.0008231569958307428});
  EXPECT_EQ(r.reward, -1.0f);
  EXPECT_FALSE(r.terminated);
}

TEST(MountainCar, TerminatesAtGoalPosition) {
  {  // x = 0.49 + 0.01974843566653267 = 0.5097 >= 0.5
    MountainCar env;
    env.set_state({0.49, 0.02});
    const StepResult r = env.step(Action::discrete(1));
    expect_state_near<2>(env.state(), {0.5097484356665327, 0.01974843566653267});
    EXPECT_TRUE(r.terminated);
    EXPECT_EQ(r.reward, -1.0f);
  }
  {  // x = 0.4695: short of the flag.
    MountainCar env;
    env.set_state({0.45, 0.02});
    EXPECT_FALSE(env.step(Action::discrete(1)).terminated);
  }
  {  // Past the flag but rolling back (v = -0.000432 < 0): not a success.
    MountainCar env;
    env.set_state({0.6, -0.001});
    EXPECT_FALSE(env.step(Action::discrete(1)).terminated);
    expect_state_near<2>(env.state(), {0.5995680052367327, -0.0004319947632672828});
  }
}

TEST(MountainCar, LeftWallStopsTheCar) {
  // v = -0.02 - 0.001 - cos(-3.57)*0.0025 = -0.01873, x = -1.2087 -> clipped to -1.2 and, moving
  // left into the wall, the velocity is zeroed.
  MountainCar env;
  env.set_state({-1.19, -0.02});
  env.step(Action::discrete(0));
  EXPECT_EQ(env.state()[0], -1.2);
  EXPECT_EQ(env.state()[1], 0.0);
}

TEST(MountainCar, VelocityIsClipped) {
  // v = 0.07 + 0.001 - cos(-3)*0.0025 = 0.0735 -> 0.07; x = -1.0 + 0.07.
  MountainCar env;
  env.set_state({-1.0, 0.07});
  env.step(Action::discrete(2));
  EXPECT_EQ(env.state()[1], 0.07);
  EXPECT_NEAR(env.state()[0], -0.93, kTol);
}

TEST(MountainCar, ResetPositionInRangeWithZeroVelocity) {
  MountainCar env;
  double lo = 0, hi = -1;
  for (uint32_t seed = 0; seed < 1000; ++seed) {
    env.seed(seed);
    env.reset();
    ASSERT_GE(env.state()[0], -0.6);
    ASSERT_LT(env.state()[0], -0.4);
    ASSERT_EQ(env.state()[1], 0.0);
    lo = std::min(lo, env.state()[0]);
    hi = std::max(hi, env.state()[0]);
  }
  EXPECT_LT(lo, -0.599);
  EXPECT_GT(hi, -0.401);
  MountainCar a, b;
  a.seed(3);
  b.seed(3);
  a.reset();
  b.reset();
  EXPECT_EQ(a.state(), b.state());
}

TEST(MountainCar, RejectsOutOfRangeAction) {
  MountainCar env;
  const std::string msg = error_message([&] { env.step(Action::discrete(5)); });
  EXPECT_NE(msg.find("classic/mountain_car"), std::string::npos) << msg;
  EXPECT_NE(msg.find("got 5"), std::string::npos) << msg;
}

// ---------------------------------------------------------------------------------------------
// Pendulum

TEST(Pendulum, SpecsMatchGymnasium) {
  Pendulum env;
  const auto& obs = env.observation_spec();
  EXPECT_EQ(obs.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(obs.low, (std::vector<float>{-1, -1, -8}));
  EXPECT_EQ(obs.high, (std::vector<float>{1, 1, 8}));
  const auto& act = env.action_spec();
  EXPECT_FALSE(act.is_discrete());
  EXPECT_EQ(act.dim(), 1);
  EXPECT_EQ(act.box.low, (std::vector<float>{-2}));
  EXPECT_EQ(act.box.high, (std::vector<float>{2}));
  EXPECT_EQ(env.name(), "classic/pendulum");
}

TEST(Pendulum, CostAndStepOnKnownState) {
  // th = 1, thdot = 2, u = 0.5: cost = 1 + 0.1*4 + 0.001*0.25 = 1.40025.
  // thdot' = 2 + (15 sin 1 + 3*0.5)*0.05 = 2.7061032386059223; th' = 1 + 0.05*thdot'.
  Pendulum env;
  env.set_state({1.0, 2.0});
  const StepResult r = torque(env, 0.5f);
  EXPECT_FLOAT_EQ(r.reward, -1.40025f);
  EXPECT_FALSE(r.terminated);
  EXPECT_FALSE(r.truncated);
  expect_state_near<2>(env.state(), {1.135305161930296, 2.7061032386059223});
  const auto obs = observation(env);
  EXPECT_EQ(obs[0], static_cast<float>(std::cos(env.state()[0])));
  EXPECT_EQ(obs[1], static_cast<float>(std::sin(env.state()[0])));
  EXPECT_EQ(obs[2], static_cast<float>(env.state()[1]));
}

TEST(Pendulum, CostUsesNormalizedAngle) {
  // th = 4 normalises to 4 - 2 pi = -2.2831853071795862: cost = 5.2129 + 0.1 + 0.001*2.25
  // = 5.315185146920741. The state angle itself is not wrapped: th' = 3.9103699064259527.
  Pendulum env;
  env.set_state({4.0, -1.0});
  const StepResult r = torque(env, -1.5f);
  EXPECT_FLOAT_EQ(r.reward, static_cast<float>(-5.315185146920741));
  expect_state_near<2>(env.state(), {3.9103699064259527, -1.7926018714809462});
}

TEST(Pendulum, TorqueIsClippedToTwo) {
  // u = 5 acts and costs as u = 2: cost = 0.25 + 0.1 + 0.004 = 0.354.
  Pendulum a, b;
  a.set_state({0.5, 1.0});
  b.set_state({0.5, 1.0});
  const StepResult ra = torque(a, 5.0f);
  const StepResult rb = torque(b, 2.0f);
  EXPECT_EQ(a.state(), b.state());
  EXPECT_EQ(ra.reward, rb.reward);
  EXPECT_FLOAT_EQ(ra.reward, -0.354f);
  expect_state_near<2>(a.state(), {0.5829784576976577, 1.6595691539531523});
}

TEST(Pendulum, SpeedIsClippedToEight) {
  // thdot' = 7.9 + (15 sin 1.5 + 6)*0.05 = 8.95 -> 8; th' = 1.5 + 0.05*8 = 1.9.
  Pendulum env;
  env.set_state({1.5, 7.9});
  torque(env, 2.0f);
  expect_state_near<2>(env.state(), {1.9, 8.0});
}

TEST(Pendulum, RejectsWrongSizeAndNanActions) {
  Pendulum env;
  env.set_state({0.0, 0.0});
  std::string msg = error_message([&] { env.step(Action::discrete(0)); });
  EXPECT_NE(msg.find("classic/pendulum"), std::string::npos) << msg;
  EXPECT_NE(msg.find("got 0"), std::string::npos) << msg;
  const float two[2] = {0.0f, 1.0f};
  msg = error_message([&] { env.step(Action::continuous(two)); });
  EXPECT_NE(msg.find("got 2"), std::string::npos) << msg;
  msg = error_message([&] { torque(env, std::numeric_limits<float>::quiet_NaN()); });
  EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
  EXPECT_EQ(env.state(), (Pendulum::State{0.0, 0.0}));  // rejected actions change nothing
}

TEST(Pendulum, ResetRangesAndSeeding) {
  Pendulum env;
  double th_lo = 0, th_hi = 0, v_lo = 0, v_hi = 0;
  for (uint32_t seed = 0; seed < 1000; ++seed) {
    env.seed(seed);
    env.reset();
    const auto [th, v] = env.state();
    ASSERT_GE(th, -kPi);
    ASSERT_LT(th, kPi);
    ASSERT_GE(v, -1.0);
    ASSERT_LT(v, 1.0);
    th_lo = std::min(th_lo, th);
    th_hi = std::max(th_hi, th);
    v_lo = std::min(v_lo, v);
    v_hi = std::max(v_hi, v);
  }
  EXPECT_LT(th_lo, -3.1);
  EXPECT_GT(th_hi, 3.1);
  EXPECT_LT(v_lo, -0.99);
  EXPECT_GT(v_hi, 0.99);
  Pendulum a, b;
  a.seed(11);
  b.seed(11);
  a.reset();
  b.reset();
  EXPECT_EQ(a.state(), b.state());
}

// ---------------------------------------------------------------------------------------------
// Time limits through the registry, and snapshots: one test per env, same helpers.

std::unique_ptr<Env> make(const std::string& name) {
  EnvRegistry registry;
  register_classic_envs(registry);
  return registry.make(name);
}

// Steps `env` with `act(step)` and expects done exactly at step `limit`, truncated only.
template <class Act>
void expect_truncated_at(Env& env, int limit, Act&& act) {
  env.seed(1);
  env.reset();
  for (int t = 1; t <= limit; ++t) {
    const StepResult r = act(t);
    ASSERT_FALSE(r.terminated) << "step " << t;
    ASSERT_EQ(r.truncated, t == limit) << "step " << t;
  }
}

TEST(CartPole, RegistryTruncatesAtFiveHundredSteps) {
  auto env = make("classic/cartpole");
  auto& cart = dynamic_cast<CartPole&>(unwrap(*env));
  expect_truncated_at(*env, 500, [&](int t) {
    cart.set_state({0.0, 0.0, 0.0, 0.0});  // hold the pole up so the task never ends
    return env->step(Action::discrete(t % 2));
  });
}

TEST(Acrobot, RegistryTruncatesAtFiveHundredSteps) {
  auto env = make("classic/acrobot");
  // No torque from near rest: the links only sway and never reach the height line.
  expect_truncated_at(*env, 500, [&](int) { return env->step(Action::discrete(1)); });
}

TEST(MountainCar, RegistryTruncatesAtTwoHundredStepsWithNoOpPolicy) {
  auto env = make("classic/mountain_car");
  expect_truncated_at(*env, 200, [&](int) { return env->step(Action::discrete(1)); });
}

TEST(Pendulum, RegistryTruncatesAtTwoHundredSteps) {
  auto env = make("classic/pendulum");
  expect_truncated_at(*env, 200, [&](int t) { return torque(*env, t % 3 == 0 ? 1.0f : -1.0f); });
}

struct Trace {
  std::vector<float> values;  // observations, rewards and flags, in order
  bool operator==(const Trace&) const = default;
};

// Steps with a fixed pseudo-random policy, resetting at episode ends.
Trace run(Env& env, int steps, uint32_t policy_seed) {
  Mt19937 policy(policy_seed);
  Trace trace;
  std::vector<float> obs(static_cast<size_t>(env.observation_spec().numel()));
  for (int t = 0; t < steps; ++t) {
    StepResult r;
    if (env.action_spec().is_discrete()) {
      r = env.step(Action::discrete(policy.randint(0, env.action_spec().n)));
    } else {
      r = torque(env, static_cast<float>(policy.uniform(-3.0, 3.0)));
    }
    env.write_observation(obs.data());
    trace.values.insert(trace.values.end(), obs.begin(), obs.end());
    trace.values.push_back(r.reward);
    trace.values.push_back(r.terminated ? 1.0f : 0.0f);
    trace.values.push_back(r.truncated ? 1.0f : 0.0f);
    if (r.done()) env.reset();
  }
  return trace;
}

void expect_snapshot_round_trip(const std::string& name) {
  auto env = make(name);
  env->seed(5);
  env->reset();
  run(*env, 137, 1);  // mid-episode (or a few episodes in) for every task
  const std::string snap = env->snapshot();
  const Trace first = run(*env, 600, 2);  // long enough to cross resets and time limits
  env->restore(snap);
  const Trace second = run(*env, 600, 2);
  EXPECT_TRUE(first == second) << name;
  // A snapshot also carries over to a freshly built environment.
  auto fresh = make(name);
  fresh->restore(snap);
  EXPECT_TRUE(run(*fresh, 600, 2) == first) << name;
  EXPECT_EQ(fresh->snapshot(), env->snapshot()) << name;
}

// The generic checker (bounds, dtype, determinism, snapshots) finds nothing to complain about.
void expect_checker_clean(const std::string& name) {
  auto env = make(name);
  const CheckReport report = check_env(*env, {.steps = 3000, .seed = 9});
  EXPECT_TRUE(report.ok()) << report.to_string();
  EXPECT_TRUE(report.warnings.empty()) << report.to_string();
}

TEST(CartPole, PassesEnvChecker) { expect_checker_clean("classic/cartpole"); }
TEST(Acrobot, PassesEnvChecker) { expect_checker_clean("classic/acrobot"); }
TEST(MountainCar, PassesEnvChecker) { expect_checker_clean("classic/mountain_car"); }
TEST(Pendulum, PassesEnvChecker) { expect_checker_clean("classic/pendulum"); }

TEST(CartPole, SnapshotRestoreContinuesIdentically) { expect_snapshot_round_trip("classic/cartpole"); }
TEST(Acrobot, SnapshotRestoreContinuesIdentically) { expect_snapshot_round_trip("classic/acrobot"); }
TEST(MountainCar, SnapshotRestoreContinuesIdentically) { expect_snapshot_round_trip("classic/mountain_car"); }
TEST(Pendulum, SnapshotRestoreContinuesIdentically) { expect_snapshot_round_trip("classic/pendulum"); }

}  // namespace
}  // namespace rlnas::env::classic
