// Classic control: CartPole-v1, Acrobot-v1, MountainCar-v0, Pendulum-v1 with Gymnasium's
// dynamics and constants. Their state is exposed so tests can check single steps by hand.
// Time limits are applied by the registry (TimeLimit wrapper), not here.
//
// After a terminating step the state is absorbing: further steps validate the action, leave the
// state untouched and return reward 0 with terminated set (Gymnasium would warn and keep
// integrating, which drives CartPole's observation out of its bounds). reset() or set_state()
// start a live episode again.
#pragma once

#include <array>
#include <memory>

#include "rlnas/core/rng.h"
#include "rlnas/env/env.h"

namespace rlnas::env::classic {

// Shared plumbing: a seeded generator, a fixed-size double state, snapshotting.
template <int N>
class ClassicEnv : public Env {
 public:
  using State = std::array<double, N>;
  const State& state() const { return state_; }
  // Places the environment at `state` as a live (non-terminal) state, e.g. for hand-checked steps.
  void set_state(const State& state) {
    state_ = state;
    terminal_ = false;
  }
  const ObservationSpec& observation_spec() const override { return obs_spec_; }
  const ActionSpec& action_spec() const override { return action_spec_; }
  void seed(uint32_t seed) override { rng_.seed(seed); }
  void save_state(ByteWriter& out) const override {
    out.pod(rng_);
    out.pod(state_);
    out.pod(terminal_);
  }
  void load_state(ByteReader& in) override {
    in.pod(rng_);
    in.pod(state_);
    in.pod(terminal_);
  }

 protected:
  Mt19937 rng_;
  State state_{};
  bool terminal_ = false;
  ObservationSpec obs_spec_;
  ActionSpec action_spec_;
};

// State [x, x_dot, theta, theta_dot]; actions 0 push left, 1 push right; +1 per step.
class CartPole final : public ClassicEnv<4> {
 public:
  CartPole();
  std::string name() const override { return "classic/cartpole"; }
  void reset() override;
  StepResult step(const Action& action) override;
  void write_observation(float* out) const override;
};

// State [theta1, theta2, theta1_dot, theta2_dot]; actions 0,1,2 = torque -1, 0, +1.
class Acrobot final : public ClassicEnv<4> {
 public:
  Acrobot();
  std::string name() const override { return "classic/acrobot"; }
  void reset() override;
  StepResult step(const Action& action) override;
  void write_observation(float* out) const override;
};

// State [position, velocity]; actions 0 push left, 1 none, 2 push right; -1 per step.
class MountainCar final : public ClassicEnv<2> {
 public:
  MountainCar();
  std::string name() const override { return "classic/mountain_car"; }
  void reset() override;
  StepResult step(const Action& action) override;
  void write_observation(float* out) const override;
};

// State [theta, theta_dot]; one continuous torque in [-2, 2]; never terminates.
class Pendulum final : public ClassicEnv<2> {
 public:
  Pendulum();
  std::string name() const override { return "classic/pendulum"; }
  void reset() override;
  StepResult step(const Action& action) override;
  void write_observation(float* out) const override;
};

}  // namespace rlnas::env::classic
