// CartPole-v1: Gymnasium's cart-pole dynamics (explicit Euler, tau 0.02).
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "rlnas/core/error.h"
#include "rlnas/env/classic.h"

namespace rlnas::env::classic {
namespace {

constexpr double kGravity = 9.8;
constexpr double kMassCart = 1.0;
constexpr double kMassPole = 0.1;
constexpr double kTotalMass = kMassCart + kMassPole;
constexpr double kHalfLength = 0.5;  // Gymnasium's `length` is half the pole
constexpr double kPoleMassLength = kMassPole * kHalfLength;
constexpr double kForceMag = 10.0;
constexpr double kTau = 0.02;
constexpr double kXThreshold = 2.4;
constexpr double kThetaThreshold = 12.0 * 2.0 * std::numbers::pi / 360.0;  // 12 degrees, as Gymnasium writes it

}  // namespace

CartPole::CartPole() {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  // Bounds are twice the termination thresholds so a terminating state is still inside them.
  const float x_high = static_cast<float>(2.0 * kXThreshold);
  const float theta_high = static_cast<float>(2.0 * kThetaThreshold);
  obs_spec_ = BoxSpec{{4}, DType::kFloat32, {-x_high, -kInf, -theta_high, -kInf}, {x_high, kInf, theta_high, kInf}};
  action_spec_ = ActionSpec::discrete(2);
}

void CartPole::reset() {
  for (double& v : state_) v = rng_.uniform(-0.05, 0.05);
  terminal_ = false;
}

StepResult CartPole::step(const Action& action) {
  if (action.index < 0 || action.index > 1) {
    throw Error(name() + ": action must be 0 (push left) or 1 (push right), got " + std::to_string(action.index));
  }
  if (terminal_) return {0.0f, true, false};

  auto& [x, x_dot, theta, theta_dot] = state_;
  const double force = action.index == 1 ? kForceMag : -kForceMag;
  const double cos_theta = std::cos(theta);
  const double sin_theta = std::sin(theta);
  const double temp = (force + kPoleMassLength * theta_dot * theta_dot * sin_theta) / kTotalMass;
  const double theta_acc = (kGravity * sin_theta - cos_theta * temp) /
                           (kHalfLength * (4.0 / 3.0 - kMassPole * cos_theta * cos_theta / kTotalMass));
  const double x_acc = temp - kPoleMassLength * theta_acc * cos_theta / kTotalMass;

  // Explicit Euler: positions move with the old velocities.
  x += kTau * x_dot;
  x_dot += kTau * x_acc;
  theta += kTau * theta_dot;
  theta_dot += kTau * theta_acc;

  terminal_ = x < -kXThreshold || x > kXThreshold || theta < -kThetaThreshold || theta > kThetaThreshold;
  // The terminating step still earns +1, as in Gymnasium.
  return {1.0f, terminal_, false};
}

void CartPole::write_observation(float* out) const {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<float>(state_[static_cast<size_t>(i)]);
}

}  // namespace rlnas::env::classic
