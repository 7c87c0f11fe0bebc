// MinAtar Space Invaders: shoot down a marching block of aliens before it reaches the cannon.
// Channels: 0 cannon, 1 alien, 2 alien moving left, 3 alien moving right, 4 friendly bullet,
// 5 enemy bullet.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

#include "minatar/game_env.h"

namespace rlnas::env::minatar {
namespace {

struct SpaceInvaders {
  static constexpr int kChannels = 6;
  static constexpr std::string_view kName = "space_invaders";
  static constexpr int kShotCooldown = 5;
  static constexpr int kInitMoveInterval = 12;
  static constexpr int kMinRampedMoveInterval = 6;
  static constexpr int kEnemyShotInterval = 10;
  static constexpr uint16_t kWaveRow = 0b0011111100;  // columns 2..7
  static constexpr int kWaveSize = 24;
  static constexpr uint16_t kColumn0 = 1u << 0;
  static constexpr uint16_t kColumn9 = 1u << 9;

  // Bit x of row y set = object at (y, x). The original keeps each kind as a boolean grid, so
  // two bullets of a kind never share a cell and a bitmask grid is exact.
  using Grid = std::array<uint16_t, kGridSize>;
  Grid aliens{};
  Grid friendly_bullets{};
  Grid enemy_bullets{};
  int alien_count = 0;  // kept alongside the grid: counting bits each step is the hot spot
  int cannon_x = 5;
  int alien_dir = -1;
  int move_interval = kInitMoveInterval;
  int alien_move_timer = 0;
  int alien_shot_timer = 0;
  int shot_timer = 0;
  int ramp_index = 0;
  bool ramping = true;
  bool terminal = false;

  static void spawn_wave(Grid& grid) {
    grid = {};
    for (int y = 0; y < 4; ++y) grid[y] = kWaveRow;
  }

  void reset(Mt19937& /*rng*/) {
    spawn_wave(aliens);
    alien_count = kWaveSize;
    friendly_bullets = {};
    enemy_bullets = {};
    cannon_x = 5;
    alien_dir = -1;
    move_interval = kInitMoveInterval;
    alien_move_timer = move_interval;
    alien_shot_timer = kEnemyShotInterval;
    shot_timer = 0;
    ramp_index = 0;
    terminal = false;
  }

  bool at_cannon(const Grid& grid) const { return (grid[9] >> cannon_x) & 1u; }

  uint16_t alien_columns() const {
    uint16_t columns = 0;
    for (uint16_t row : aliens) columns |= row;
    return columns;
  }

  void move_aliens() {
    const uint16_t columns = alien_columns();
    if ((alien_dir < 0 && (columns & kColumn0)) || (alien_dir > 0 && (columns & kColumn9))) {
      alien_dir = -alien_dir;
      if (aliens[9] != 0) terminal = true;
      // A roll, as in the original: row 9 wraps to row 0. Only reachable in the step that has
      // just ended the episode, but the wrapped aliens are still shown and can still be shot.
      std::rotate(aliens.rbegin(), aliens.rbegin() + 1, aliens.rend());
    } else if (alien_dir < 0) {
      for (auto& row : aliens) row = static_cast<uint16_t>(row >> 1);
    } else {
      for (auto& row : aliens) row = static_cast<uint16_t>(row << 1);
    }
  }

  // The column with aliens nearest the cannon (ties go to the lower column) fires from its
  // lowest alien's own cell; the bullet first moves on the next step.
  void alien_fire() {
    const uint16_t columns = alien_columns();
    if (columns == 0) return;  // unreachable: a cleared wave respawns before the next step
    int column = -1;
    for (int d = 0; column < 0; ++d) {
      if (cannon_x - d >= 0 && ((columns >> (cannon_x - d)) & 1u)) {
        column = cannon_x - d;
      } else if (cannon_x + d <= 9 && ((columns >> (cannon_x + d)) & 1u)) {
        column = cannon_x + d;
      }
    }
    const uint16_t bit = static_cast<uint16_t>(1u << column);
    for (int y = 9; y >= 0; --y) {
      if (aliens[y] & bit) {
        enemy_bullets[y] |= bit;
        return;
      }
    }
  }

  int act(int action, Mt19937& /*rng*/) {
    int reward = 0;
    if (action == 5 && shot_timer == 0) {
      friendly_bullets[9] |= static_cast<uint16_t>(1u << cannon_x);
      shot_timer = kShotCooldown;
    } else if (action == 1) {
      cannon_x = cannon_x > 0 ? cannon_x - 1 : 0;
    } else if (action == 3) {
      cannon_x = cannon_x < 9 ? cannon_x + 1 : 9;
    }

    for (int y = 0; y < 9; ++y) friendly_bullets[y] = friendly_bullets[y + 1];
    friendly_bullets[9] = 0;
    for (int y = 9; y > 0; --y) enemy_bullets[y] = enemy_bullets[y - 1];
    enemy_bullets[0] = 0;
    if (at_cannon(enemy_bullets)) terminal = true;

    if (at_cannon(aliens)) terminal = true;
    if (alien_move_timer == 0) {
      // The block speeds up as it thins out: one move per frame with a single alien left.
      alien_move_timer = std::min(alien_count, move_interval);
      move_aliens();
      if (at_cannon(aliens)) terminal = true;
    }
    if (alien_shot_timer == 0) {
      alien_shot_timer = kEnemyShotInterval;
      alien_fire();
    }

    for (int y = 0; y < kGridSize; ++y) {
      const uint16_t hits = aliens[y] & friendly_bullets[y];
      if (hits == 0) continue;
      const int kills = std::popcount(hits);
      reward += kills;
      alien_count -= kills;
      aliens[y] &= static_cast<uint16_t>(~hits);
      friendly_bullets[y] &= static_cast<uint16_t>(~hits);
    }

    if (shot_timer > 0) shot_timer -= 1;
    alien_move_timer -= 1;
    alien_shot_timer -= 1;
    if (alien_count == 0) {
      if (ramping && move_interval > kMinRampedMoveInterval) {
        move_interval -= 1;
        ramp_index += 1;
      }
      // Only the aliens come back: direction, timers and bullets carry over into the new wave.
      spawn_wave(aliens);
      alien_count = kWaveSize;
    }
    return reward;
  }

  static void write_grid(const Grid& grid, int channel, float* obs) {
    for (int y = 0; y < kGridSize; ++y) {
      for (unsigned row = grid[y]; row != 0; row &= row - 1) {
        obs[cell(channel, y, std::countr_zero(row))] = 1.0f;
      }
    }
  }

  void write(float* obs) const {
    obs[cell(0, 9, cannon_x)] = 1.0f;
    write_grid(aliens, 1, obs);
    write_grid(aliens, alien_dir < 0 ? 2 : 3, obs);
    write_grid(friendly_bullets, 4, obs);
    write_grid(enemy_bullets, 5, obs);
  }
};

}  // namespace

std::unique_ptr<MinAtarEnv> make_space_invaders(const MinAtarOptions& options) {
  SpaceInvaders game;
  game.ramping = options.ramping;
  return std::make_unique<GameEnv<SpaceInvaders>>(options, game);
}

}  // namespace rlnas::env::minatar
