// MinAtar game factory, action sets and the reference observation packing.
#include "rlnas/env/minatar.h"

#include "minatar/game_env.h"

namespace rlnas::env::minatar {

namespace {
std::string valid_games() {
  std::string s;
  for (auto g : kGames) s += (s.empty() ? "" : ", ") + std::string(g);
  return s;
}
}  // namespace

std::unique_ptr<MinAtarEnv> make_game(std::string_view game, const MinAtarOptions& options) {
  if (game == "breakout") return make_breakout(options);
  if (game == "freeway") return make_freeway(options);
  if (game == "asterix") return make_asterix(options);
  if (game == "seaquest") return make_seaquest(options);
  if (game == "space_invaders") return make_space_invaders(options);
  throw Error("unknown MinAtar game '" + std::string(game) + "'; valid games: " + valid_games());
}

std::vector<int> minimal_action_set(std::string_view game) {
  if (game == "breakout") return {0, 1, 3};
  if (game == "freeway") return {0, 2, 4};
  if (game == "asterix") return {0, 1, 2, 3, 4};
  if (game == "seaquest") return {0, 1, 2, 3, 4, 5};
  if (game == "space_invaders") return {0, 1, 3, 5};
  throw Error("unknown MinAtar game '" + std::string(game) + "'; valid games: " + valid_games());
}

std::string pack_observation_hex(const float* obs, int channels) {
  static constexpr char kHex[] = "0123456789abcdef";
  const int bits = 100 * channels;
  std::string hex;
  hex.reserve(static_cast<size_t>((bits + 7) / 8 * 2));
  unsigned byte = 0;
  int nbits = 0;
  for (int y = 0; y < kGridSize; ++y) {
    for (int x = 0; x < kGridSize; ++x) {
      for (int c = 0; c < channels; ++c) {
        byte = (byte << 1) | (obs[cell(c, y, x)] != 0.0f ? 1u : 0u);
        if (++nbits == 8) {
          hex += kHex[byte >> 4];
          hex += kHex[byte & 15];
          byte = 0;
          nbits = 0;
        }
      }
    }
  }
  if (nbits > 0) {
    byte <<= (8 - nbits);
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

}  // namespace rlnas::env::minatar
