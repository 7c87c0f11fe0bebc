// Acrobot-v1: Gymnasium's two-link swing-up with the "book" dynamics and one RK4 step over dt.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "rlnas/core/error.h"
#include "rlnas/env/classic.h"

namespace rlnas::env::classic {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDt = 0.2;
constexpr double kLinkLength1 = 1.0;
constexpr double kLinkMass1 = 1.0;
constexpr double kLinkMass2 = 1.0;
constexpr double kLinkCom1 = 0.5;
constexpr double kLinkCom2 = 0.5;
constexpr double kLinkMoi = 1.0;
constexpr double kGravity = 9.8;
constexpr double kMaxVel1 = 4.0 * kPi;
constexpr double kMaxVel2 = 9.0 * kPi;
constexpr std::array<double, 3> kTorques = {-1.0, 0.0, 1.0};

using Vec = std::array<double, 4>;

// Time derivative of [th1, th2, th1dot, th2dot] under torque `a` on the second joint
// (Sutton & Barto's equations; Gymnasium's _dsdt with book_or_nips="book").
Vec derivatives(const Vec& s, double a) {
  const auto [theta1, theta2, dtheta1, dtheta2] = s;
  constexpr double m1 = kLinkMass1, m2 = kLinkMass2, l1 = kLinkLength1;
  constexpr double lc1 = kLinkCom1, lc2 = kLinkCom2, i1 = kLinkMoi, i2 = kLinkMoi;
  const double d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2.0 * l1 * lc2 * std::cos(theta2)) + i1 + i2;
  const double d2 = m2 * (lc2 * lc2 + l1 * lc2 * std::cos(theta2)) + i2;
  const double phi2 = m2 * lc2 * kGravity * std::cos(theta1 + theta2 - kPi / 2.0);
  const double phi1 = -m2 * l1 * lc2 * dtheta2 * dtheta2 * std::sin(theta2) -
                      2.0 * m2 * l1 * lc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                      (m1 * lc1 + m2 * l1) * kGravity * std::cos(theta1 - kPi / 2.0) + phi2;
  const double ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1 * dtheta1 * std::sin(theta2) - phi2) /
                          (m2 * lc2 * lc2 + i2 - d2 * d2 / d1);
  const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  return {dtheta1, dtheta2, ddtheta1, ddtheta2};
}

Vec axpy(const Vec& y, double h, const Vec& k) {
  Vec out;
  for (size_t i = 0; i < 4; ++i) out[i] = y[i] + h * k[i];
  return out;
}

// One classic RK4 step over [0, dt], the torque held constant (Gymnasium's rk4 with t=[0, dt]).
Vec rk4(const Vec& y0, double a, double dt) {
  const double dt2 = dt / 2.0;
  const Vec k1 = derivatives(y0, a);
  const Vec k2 = derivatives(axpy(y0, dt2, k1), a);
  const Vec k3 = derivatives(axpy(y0, dt2, k2), a);
  const Vec k4 = derivatives(axpy(y0, dt, k3), a);
  Vec out;
  for (size_t i = 0; i < 4; ++i) {
    out[i] = y0[i] + dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
  }
  return out;
}

// Gymnasium's wrap(): shifts by whole turns into [lo, hi]; an angle already inside is untouched.
double wrap(double x, double lo, double hi) {
  const double diff = hi - lo;
  while (x > hi) x -= diff;
  while (x < lo) x += diff;
  return x;
}

}  // namespace

Acrobot::Acrobot() {
  const float vel1 = static_cast<float>(kMaxVel1);
  const float vel2 = static_cast<float>(kMaxVel2);
  obs_spec_ =
      BoxSpec{{6}, DType::kFloat32, {-1.0f, -1.0f, -1.0f, -1.0f, -vel1, -vel2}, {1.0f, 1.0f, 1.0f, 1.0f, vel1, vel2}};
  action_spec_ = ActionSpec::discrete(3);
}

void Acrobot::reset() {
  for (double& v : state_) v = rng_.uniform(-0.1, 0.1);
  terminal_ = false;
}

StepResult Acrobot::step(const Action& action) {
  if (action.index < 0 || action.index > 2) {
    throw Error(name() + ": action must be 0, 1 or 2 (torque -1, 0, +1), got " + std::to_string(action.index));
  }
  if (terminal_) return {0.0f, true, false};

  Vec next = rk4(state_, kTorques[static_cast<size_t>(action.index)], kDt);
  next[0] = wrap(next[0], -kPi, kPi);
  next[1] = wrap(next[1], -kPi, kPi);
  next[2] = std::clamp(next[2], -kMaxVel1, kMaxVel1);
  next[3] = std::clamp(next[3], -kMaxVel2, kMaxVel2);
  state_ = next;

  // Tip height above the pivot, in link lengths, must exceed one link.
  terminal_ = -std::cos(state_[0]) - std::cos(state_[1] + state_[0]) > 1.0;
  return {terminal_ ? 0.0f : -1.0f, terminal_, false};
}

void Acrobot::write_observation(float* out) const {
  out[0] = static_cast<float>(std::cos(state_[0]));
  out[1] = static_cast<float>(std::sin(state_[0]));
  out[2] = static_cast<float>(std::cos(state_[1]));
  out[3] = static_cast<float>(std::sin(state_[1]));
  out[4] = static_cast<float>(state_[2]);
  out[5] = static_cast<float>(state_[3]);
}

}  // namespace rlnas::env::classic
