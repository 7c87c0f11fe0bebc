// Private: the part every MinAtar game shares (sticky actions, action sets, the generator,
// snapshots), wrapped around a plain-data Game struct that holds the rules.
//
//   agent action -> action set -> sticky draw -> Game::act -> reward, terminal
//
// A Game is trivially copyable and provides:
//   static constexpr int kChannels; static constexpr std::string_view kName;
//   bool terminal;
//   void reset(Mt19937& rng);
//   int act(int action, Mt19937& rng);        // full-set action, returns the reward
//   void write(float* obs) const;             // sets cells of a zeroed [C, 10, 10] buffer
#pragma once

#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "rlnas/env/minatar.h"

namespace rlnas::env::minatar {

// Cell index of (channel, row y, column x) in a [C, 10, 10] observation.
inline constexpr int cell(int channel, int y, int x) { return channel * 100 + y * 10 + x; }

template <class Game>
class GameEnv final : public MinAtarEnv {
  static_assert(std::is_trivially_copyable_v<Game>);

 public:
  GameEnv(const MinAtarOptions& options, Game game) : sticky_(options.sticky), game_(std::move(game)) {
    if (options.actions == ActionSet::kFull) {
      for (int a = 0; a < kNumFullActions; ++a) action_set_.push_back(a);
    } else {
      action_set_ = minimal_action_set(Game::kName);
    }
    obs_spec_ = BoxSpec{{Game::kChannels, kGridSize, kGridSize}, DType::kBool, {0.0f}, {1.0f}};
    action_spec_ = ActionSpec::discrete(static_cast<int64_t>(action_set_.size()));
    // The original resets once at construction with an unseeded generator; callers seed and
    // reset again, so the construction-time reset only needs to leave a valid state.
    game_.reset(rng_);
  }

  const ObservationSpec& observation_spec() const override { return obs_spec_; }
  const ActionSpec& action_spec() const override { return action_spec_; }
  std::string name() const override { return "minatar/" + std::string(Game::kName); }
  std::string_view game() const override { return Game::kName; }
  int num_channels() const override { return Game::kChannels; }
  int last_executed_action() const override { return last_action_; }
  const std::vector<int>& action_set() const override { return action_set_; }

  void seed(uint32_t seed) override { rng_.seed(seed); }
  void reset() override { game_.reset(rng_); }

  StepResult step(const Action& action) override {
    if (action.index < 0 || action.index >= static_cast<int64_t>(action_set_.size())) {
      throw Error(name() + ": action must be in 0.." + std::to_string(action_set_.size() - 1) + ", got " +
                  std::to_string(action.index));
    }
    int executed = action_set_[static_cast<size_t>(action.index)];
    // The sticky draw comes first in every step, even after the episode has ended.
    if (rng_.rand() < sticky_) executed = last_action_;
    last_action_ = executed;
    if (game_.terminal) return {0.0f, true, false};
    const int reward = game_.act(executed, rng_);
    return {static_cast<float>(reward), game_.terminal, false};
  }

  void write_observation(float* out) const override {
    std::memset(out, 0, sizeof(float) * Game::kChannels * 100);
    game_.write(out);
  }

  void save_state(ByteWriter& out) const override {
    out.pod(sticky_);
    out.pod(last_action_);
    out.pod(rng_);
    out.pod(game_);
  }
  void load_state(ByteReader& in) override {
    double sticky;
    in.pod(sticky);
    if (sticky != sticky_) {
      throw Error("restoring " + name() + ": snapshot has sticky=" + std::to_string(sticky) +
                  ", this environment has sticky=" + std::to_string(sticky_));
    }
    in.pod(last_action_);
    in.pod(rng_);
    in.pod(game_);
  }

  const Game& state() const { return game_; }

 private:
  double sticky_;
  int last_action_ = 0;  // not cleared by reset(), as in the original
  Mt19937 rng_;
  Game game_;
  std::vector<int> action_set_;
  ObservationSpec obs_spec_;
  ActionSpec action_spec_;
};

// One factory per game, each in its own file.
std::unique_ptr<MinAtarEnv> make_breakout(const MinAtarOptions& options);
std::unique_ptr<MinAtarEnv> make_freeway(const MinAtarOptions& options);
std::unique_ptr<MinAtarEnv> make_asterix(const MinAtarOptions& options);
std::unique_ptr<MinAtarEnv> make_seaquest(const MinAtarOptions& options);
std::unique_ptr<MinAtarEnv> make_space_invaders(const MinAtarOptions& options);

}  // namespace rlnas::env::minatar
