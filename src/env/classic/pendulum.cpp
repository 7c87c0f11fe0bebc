// Pendulum-v1: Gymnasium's torque-limited inverted pendulum swing-up (continuous torque).
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "rlnas/core/error.h"
#include "rlnas/env/classic.h"

namespace rlnas::env::classic {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kGravity = 10.0;
constexpr double kMass = 1.0;
constexpr double kLength = 1.0;
constexpr double kDt = 0.05;
constexpr double kMaxSpeed = 8.0;
constexpr double kMaxTorque = 2.0;

// Python's ((x + pi) % (2 pi)) - pi: floor modulo, so the result lies in [-pi, pi).
double angle_normalize(double x) {
  double r = std::fmod(x + kPi, 2.0 * kPi);
  if (r < 0.0) r += 2.0 * kPi;
  return r - kPi;
}

}  // namespace

Pendulum::Pendulum() {
  obs_spec_ = BoxSpec{{3},
                      DType::kFloat32,
                      {-1.0f, -1.0f, static_cast<float>(-kMaxSpeed)},
                      {1.0f, 1.0f, static_cast<float>(kMaxSpeed)}};
  action_spec_ = ActionSpec::continuous({1}, {static_cast<float>(-kMaxTorque)}, {static_cast<float>(kMaxTorque)});
}

void Pendulum::reset() {
  const double theta = rng_.uniform(-kPi, kPi);
  const double theta_dot = rng_.uniform(-1.0, 1.0);
  state_ = {theta, theta_dot};
  terminal_ = false;
}

StepResult Pendulum::step(const Action& action) {
  if (action.values.size() != 1) {
    throw Error(name() + ": expected 1 action value (torque in [-2, 2]), got " + std::to_string(action.values.size()));
  }
  if (std::isnan(action.values[0])) throw Error(name() + ": expected a torque in [-2, 2], got NaN");
  // Pendulum never terminates, so there is no absorbing state to guard here.

  // Out-of-range torques are clipped, not rejected, as Gymnasium does (agents' Gaussian samples
  // routinely fall outside the box).
  const double u = std::clamp(static_cast<double>(action.values[0]), -kMaxTorque, kMaxTorque);
  auto& [theta, theta_dot] = state_;
  const double th = angle_normalize(theta);
  const double cost = th * th + 0.1 * theta_dot * theta_dot + 0.001 * u * u;

  double new_theta_dot =
      theta_dot + (3.0 * kGravity / (2.0 * kLength) * std::sin(theta) + 3.0 / (kMass * kLength * kLength) * u) * kDt;
  new_theta_dot = std::clamp(new_theta_dot, -kMaxSpeed, kMaxSpeed);
  // Semi-implicit: the angle moves with the new velocity. The angle itself is not wrapped.
  theta += new_theta_dot * kDt;
  theta_dot = new_theta_dot;
  return {static_cast<float>(-cost), false, false};
}

void Pendulum::write_observation(float* out) const {
  out[0] = static_cast<float>(std::cos(state_[0]));
  out[1] = static_cast<float>(std::sin(state_[0]));
  out[2] = static_cast<float>(state_[1]);
}

}  // namespace rlnas::env::classic
