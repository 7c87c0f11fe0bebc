// MinAtar (Young & Tian 2019): five miniature Atari games on a 10x10 grid, reimplemented to
// match the original Python package step for step, random-number generation included.
// Observation: bool [channels, 10, 10] (as float32). Actions: the full set of 6 by default.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rlnas/env/env.h"

namespace rlnas::env::minatar {

inline constexpr int kGridSize = 10;
inline constexpr int kNumFullActions = 6;  // 0 no-op, 1 left, 2 up, 3 right, 4 down, 5 fire
inline constexpr std::array<std::string_view, 5> kGames = {"breakout", "freeway", "asterix", "seaquest",
                                                           "space_invaders"};

enum class ActionSet { kFull, kMinimal };

struct MinAtarOptions {
  double sticky = 0.1;  // probability of repeating the previous executed action
  bool ramping = true;  // difficulty ramping (Asterix, Seaquest, Space Invaders)
  ActionSet actions = ActionSet::kFull;
};

class MinAtarEnv : public Env {
 public:
  virtual std::string_view game() const = 0;
  virtual int num_channels() const = 0;
  // Full-set action executed by the last step, after sticky actions.
  virtual int last_executed_action() const = 0;
  // The env's action indices as full-set indices (identity for the full set).
  virtual const std::vector<int>& action_set() const = 0;
};

// Makes one of kGames. Throws rlnas::Error for an unknown game.
std::unique_ptr<MinAtarEnv> make_game(std::string_view game, const MinAtarOptions& options = {});

// Minimal action set of a game, as full-set indices.
std::vector<int> minimal_action_set(std::string_view game);

// Packs a [C, 10, 10] observation the way the reference traces store it: the original's
// bool[row][col][channel] flattened with the channel fastest, packed MSB first, hex encoded.
std::string pack_observation_hex(const float* obs, int channels);

}  // namespace rlnas::env::minatar
