// MinAtar Asterix: collect gold and dodge enemies that stream in from the sides.
// Channels: 0 player, 1 enemy, 2 trail, 3 gold.
#include <array>

#include "minatar/game_env.h"

namespace rlnas::env::minatar {
namespace {

struct Asterix {
  static constexpr int kChannels = 4;
  static constexpr std::string_view kName = "asterix";
  static constexpr int kRampInterval = 100;
  static constexpr int kInitSpawnInterval = 10;
  static constexpr int kInitMoveInterval = 5;
  static constexpr int kSlots = 8;  // slot i lives on row i + 1

  struct Entity {
    int x;
    bool right;  // moving right (spawned at x = 0)
    bool gold;
    bool alive;
  };
  std::array<Entity, kSlots> entities{};
  int player_x = 5, player_y = 5;
  int spawn_interval = kInitSpawnInterval;
  int move_interval = kInitMoveInterval;
  int spawn_timer = 0, move_timer = 0, ramp_timer = 0, ramp_index = 0;
  bool ramping = true;
  bool terminal = false;

  void reset(Mt19937& /*rng*/) {
    entities = {};
    player_x = 5;
    player_y = 5;
    spawn_interval = kInitSpawnInterval;
    move_interval = kInitMoveInterval;
    spawn_timer = spawn_interval;
    move_timer = move_interval;
    ramp_timer = kRampInterval;
    ramp_index = 0;
    terminal = false;
  }

  // Side and kind are drawn before the slot, and still consumed when every slot is taken.
  void spawn(Mt19937& rng) {
    const bool right = rng.rand() < 0.5;
    const bool gold = rng.rand() < 1.0 / 3.0;
    int free = 0;
    for (const auto& e : entities) free += e.alive ? 0 : 1;
    if (free == 0) return;
    int pick = static_cast<int>(rng.randint(0, free));
    for (auto& e : entities) {
      if (e.alive) continue;
      if (pick-- == 0) {
        e = Entity{right ? 0 : 9, right, gold, true};
        return;
      }
    }
  }

  // Gold on the player's cell is collected; an enemy there ends the episode but the step goes on.
  // Slot i is always on row i + 1, so only the slot of the player's row can touch it.
  int touch() {
    Entity& e = entities[player_y - 1];
    if (!e.alive || e.x != player_x) return 0;
    if (e.gold) {
      e.alive = false;
      return 1;
    }
    terminal = true;
    return 0;
  }

  int act(int action, Mt19937& rng) {
    int reward = 0;
    if (spawn_timer == 0) {
      spawn(rng);
      spawn_timer = spawn_interval;
    }
    if (action == 1) player_x = player_x > 0 ? player_x - 1 : 0;
    if (action == 3) player_x = player_x < 9 ? player_x + 1 : 9;
    if (action == 2) player_y = player_y > 1 ? player_y - 1 : 1;
    if (action == 4) player_y = player_y < 8 ? player_y + 1 : 8;

    reward += touch();
    if (move_timer == 0) {
      move_timer = move_interval;
      for (Entity& e : entities) {
        if (!e.alive) continue;
        e.x += e.right ? 1 : -1;
        if (e.x < 0 || e.x > 9) e.alive = false;
      }
      reward += touch();
    }
    spawn_timer -= 1;
    move_timer -= 1;

    // The timer runs down to -1 before a ramp fires, so ramps come every kRampInterval + 2 steps.
    if (ramping && (spawn_interval > 1 || move_interval > 1)) {
      if (ramp_timer >= 0) {
        ramp_timer -= 1;
      } else {
        if (move_interval > 1 && ramp_index % 2 == 1) move_interval -= 1;
        if (spawn_interval > 1) spawn_interval -= 1;
        ramp_index += 1;
        ramp_timer = kRampInterval;
      }
    }
    return reward;
  }

  void write(float* obs) const {
    obs[cell(0, player_y, player_x)] = 1.0f;
    for (int i = 0; i < kSlots; ++i) {
      const Entity& e = entities[i];
      if (!e.alive) continue;
      const int y = i + 1;
      obs[cell(e.gold ? 3 : 1, y, e.x)] = 1.0f;
      const int back_x = e.right ? e.x - 1 : e.x + 1;
      if (back_x >= 0 && back_x <= 9) obs[cell(2, y, back_x)] = 1.0f;
    }
  }
};

}  // namespace

std::unique_ptr<MinAtarEnv> make_asterix(const MinAtarOptions& options) {
  Asterix game;
  game.ramping = options.ramping;
  return std::make_unique<GameEnv<Asterix>>(options, game);
}

}  // namespace rlnas::env::minatar
