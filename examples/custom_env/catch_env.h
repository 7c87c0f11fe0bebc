// Example of a user environment: "Catch". A ball falls one row per step from a random column of
// the top row; the agent moves a paddle on the bottom row (0 left, 1 stay, 2 right) and gets +1
// for catching the ball, -1 for missing it; either ends the episode.
// Observation: bool [1, rows, cols] with the ball and the paddle set.
#pragma once

#include <algorithm>
#include <string>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "rlnas/env/env.h"
#include "rlnas/env/registry.h"

namespace example {

class Catch final : public rlnas::env::Env {
 public:
  Catch(int rows, int cols) : rows_(rows), cols_(cols) {
    if (rows < 2 || cols < 1) {
      throw rlnas::Error("catch: expected rows >= 2 and cols >= 1, got rows=" + std::to_string(rows) +
                         " cols=" + std::to_string(cols));
    }
    obs_spec_ = {{1, rows, cols}, rlnas::env::DType::kBool, {0.0f}, {1.0f}};
    action_spec_ = rlnas::env::ActionSpec::discrete(3);
  }

  const rlnas::env::ObservationSpec& observation_spec() const override { return obs_spec_; }
  const rlnas::env::ActionSpec& action_spec() const override { return action_spec_; }
  std::string name() const override { return "example/catch"; }

  void seed(uint32_t seed) override { rng_.seed(seed); }

  void reset() override {
    ball_y_ = 0;
    ball_x_ = static_cast<int>(rng_.randint(0, cols_));
    paddle_x_ = cols_ / 2;
  }

  rlnas::env::StepResult step(const rlnas::env::Action& action) override {
    if (action.index < 0 || action.index > 2) {
      throw rlnas::Error("example/catch: action must be 0, 1 or 2, got " + std::to_string(action.index));
    }
    paddle_x_ = std::clamp(paddle_x_ + static_cast<int>(action.index) - 1, 0, cols_ - 1);
    ball_y_ += 1;
    if (ball_y_ < rows_ - 1) return {0.0f, false, false};
    return {ball_x_ == paddle_x_ ? 1.0f : -1.0f, /*terminated=*/true, /*truncated=*/false};
  }

  void write_observation(float* out) const override {
    std::fill(out, out + rows_ * cols_, 0.0f);
    out[ball_y_ * cols_ + ball_x_] = 1.0f;
    out[(rows_ - 1) * cols_ + paddle_x_] = 1.0f;
  }

  // Everything that decides the future: generator and game state.
  void save_state(rlnas::ByteWriter& out) const override {
    out.pod(rng_);
    out.pod(ball_x_);
    out.pod(ball_y_);
    out.pod(paddle_x_);
  }
  void load_state(rlnas::ByteReader& in) override {
    in.pod(rng_);
    in.pod(ball_x_);
    in.pod(ball_y_);
    in.pod(paddle_x_);
  }

 private:
  int rows_, cols_;
  rlnas::env::ObservationSpec obs_spec_;
  rlnas::env::ActionSpec action_spec_;
  rlnas::Mt19937 rng_;
  int ball_x_ = 0, ball_y_ = 0, paddle_x_ = 0;
};

// Registers "example/catch" (used by the plugin, catch_plugin.cpp, and by main.cpp).
inline void register_example_envs(rlnas::env::EnvRegistry& registry) {
  registry.add({.name = "example/catch",
                .description = "catch a falling ball with a paddle",
                .max_steps = 100,
                .options = {{"rows", "10", "grid rows"}, {"cols", "5", "grid columns"}},
                .make = [](const rlnas::env::OptionReader& options) -> std::unique_ptr<rlnas::env::Env> {
                  return std::make_unique<Catch>(static_cast<int>(options.get_int("rows", 2, 100)),
                                                 static_cast<int>(options.get_int("cols", 1, 100)));
                }});
}

}  // namespace example
