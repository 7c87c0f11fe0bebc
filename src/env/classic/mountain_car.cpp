// MountainCar-v0: Gymnasium's underpowered car in a valley, discrete pushes.
#include <algorithm>
#include <cmath>
#include <string>

#include "rlnas/core/error.h"
#include "rlnas/env/classic.h"

namespace rlnas::env::classic {
namespace {

constexpr double kMinPosition = -1.2;
constexpr double kMaxPosition = 0.6;
constexpr double kMaxSpeed = 0.07;
constexpr double kGoalPosition = 0.5;
constexpr double kGoalVelocity = 0.0;
constexpr double kForce = 0.001;
constexpr double kGravity = 0.0025;

}  // namespace

MountainCar::MountainCar() {
  obs_spec_ = BoxSpec{{2},
                      DType::kFloat32,
                      {static_cast<float>(kMinPosition), static_cast<float>(-kMaxSpeed)},
                      {static_cast<float>(kMaxPosition), static_cast<float>(kMaxSpeed)}};
  action_spec_ = ActionSpec::discrete(3);
}

void MountainCar::reset() {
  state_ = {rng_.uniform(-0.6, -0.4), 0.0};
  terminal_ = false;
}

StepResult MountainCar::step(const Action& action) {
  if (action.index < 0 || action.index > 2) {
    throw Error(name() + ": action must be 0, 1 or 2 (push left, none, push right), got " +
                std::to_string(action.index));
  }
  if (terminal_) return {0.0f, true, false};

  auto& [position, velocity] = state_;
  velocity += static_cast<double>(action.index - 1) * kForce - std::cos(3.0 * position) * kGravity;
  velocity = std::clamp(velocity, -kMaxSpeed, kMaxSpeed);
  position += velocity;
  position = std::clamp(position, kMinPosition, kMaxPosition);
  // The left wall is inelastic: the car stops dead instead of bouncing.
  if (position == kMinPosition && velocity < 0.0) velocity = 0.0;

  terminal_ = position >= kGoalPosition && velocity >= kGoalVelocity;
  return {-1.0f, terminal_, false};
}

void MountainCar::write_observation(float* out) const {
  out[0] = static_cast<float>(state_[0]);
  out[1] = static_cast<float>(state_[1]);
}

}  // namespace rlnas::env::classic
