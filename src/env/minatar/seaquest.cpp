// MinAtar Seaquest: shoot fish and enemy subs, rescue divers, and surface before oxygen runs out.
// Channels: 0 sub front, 1 sub back, 2 friendly bullet, 3 trail, 4 enemy bullet, 5 enemy fish,
// 6 enemy sub, 7 oxygen gauge, 8 diver gauge, 9 diver.
#include <array>
#include <cstdint>
#include <string>

#include "minatar/game_env.h"

namespace rlnas::env::minatar {
namespace {

// One record for every kind of entity, so that one list type serves them all. Fields a kind does
// not use stay 0, which keeps whole-record equality (Python's list.remove) faithful per kind.
struct Entity {
  int8_t x, y;
  int8_t dir;  // +1 moving right, -1 moving left
  int8_t move_timer;
  int8_t shot_timer;

  bool operator==(const Entity&) const = default;
  bool at(int px, int py) const { return x == px && y == py; }
  bool off_grid() const { return x < 0 || x > 9; }
};

// A Python list of entities with a fixed capacity, so the game stays plain data.
template <int kCapacity>
struct EntityList {
  std::array<Entity, kCapacity> items{};
  int size = 0;

  Entity& operator[](int i) { return items[i]; }
  const Entity& operator[](int i) const { return items[i]; }

  void push(const Entity& e, const char* what) {
    if (size == kCapacity) {
      throw Error(std::string("minatar/seaquest: more than ") + std::to_string(kCapacity) + " " + what +
                  " at once; the capacity bound is wrong");
    }
    items[size++] = e;
  }

  void erase_at(int j) {
    for (int k = j + 1; k < size; ++k) items[k - 1] = items[k];
    --size;
  }

  // list.remove: erases the FIRST record equal in all fields, which may be an earlier twin of
  // the one meant; returns its index. The value is taken by copy because erasing shifts it.
  int remove(Entity e) {
    int j = 0;
    while (!(items[j] == e)) ++j;
    erase_at(j);
    return j;
  }

  // First (oldest) entity at the cell, or -1.
  int find_at(int x, int y) const {
    for (int k = 0; k < size; ++k) {
      if (items[k].at(x, y)) return k;
    }
    return -1;
  }
};

struct Seaquest {
  static constexpr int kChannels = 10;
  static constexpr std::string_view kName = "seaquest";
  static constexpr int kMaxOxygen = 200;
  static constexpr int kInitSpawnInterval = 20;
  static constexpr int kDiverSpawnInterval = 30;
  static constexpr int kInitMoveInterval = 5;
  static constexpr int kShotCooldown = 5;
  static constexpr int kEnemyShotInterval = 10;
  static constexpr int kDiverMoveInterval = 5;
  static constexpr int kMaxDivers = 6;

  // Capacities, from the spawn and move intervals. Enemies spawn at most once a step and an
  // enemy spawned in step t is gone by step t + 59 (first move at t + 5 at the latest, then 9
  // more at most 6 steps apart), so fish and subs together never exceed 59. Enemy bullets alive
  // in a step were fired in its last 10 steps, at most once per sub (a sub fires every 11 steps),
  // by subs spawned within the last 68 steps: at most 68. Friendly bullets: one per 5 steps, gone
  // within 10 (<= 2). Divers: one per 30 steps, gone within 60 (<= 2). push() still checks.
  EntityList<16> friendly_bullets;
  EntityList<128> enemy_bullets;
  EntityList<64> fish;
  EntityList<64> subs;
  EntityList<16> divers;
  int sub_x = 5, sub_y = 0;
  bool facing_right = false;
  int oxygen = kMaxOxygen;
  int diver_count = 0;  // goes negative after a six-diver surfacing, as in the original
  int enemy_spawn_timer = 0, diver_spawn_timer = 0, shot_timer = 0;
  int enemy_spawn_interval = 0, move_interval = 0, ramp_index = 0;
  bool at_surface = true;
  bool ramping = true;
  bool terminal = false;

  void reset(Mt19937& /*rng*/) {
    friendly_bullets.size = enemy_bullets.size = fish.size = subs.size = divers.size = 0;
    sub_x = 5;
    sub_y = 0;
    facing_right = false;
    oxygen = kMaxOxygen;
    diver_count = 0;
    enemy_spawn_interval = kInitSpawnInterval;
    enemy_spawn_timer = enemy_spawn_interval;
    diver_spawn_timer = kDiverSpawnInterval;
    move_interval = kInitMoveInterval;
    ramp_index = 0;
    shot_timer = 0;
    at_surface = true;
    terminal = false;
  }

  bool on_sub(const Entity& e) const { return e.at(sub_x, sub_y); }

  void spawn_enemy(Mt19937& rng) {
    const bool right = rng.rand() < 0.5;
    const bool is_sub = rng.rand() < 1.0 / 3.0;
    const int y = static_cast<int>(rng.randint(1, 9));
    const int8_t dir = right ? 1 : -1;
    // An enemy heading the other way in the same row would collide with the newcomer.
    for (int k = 0; k < subs.size; ++k) {
      if (subs[k].y == y && subs[k].dir != dir) return;
    }
    for (int k = 0; k < fish.size; ++k) {
      if (fish[k].y == y && fish[k].dir != dir) return;
    }
    const Entity e{static_cast<int8_t>(right ? 0 : 9), static_cast<int8_t>(y), dir, static_cast<int8_t>(move_interval),
                   static_cast<int8_t>(is_sub ? kEnemyShotInterval : 0)};
    if (is_sub) {
      subs.push(e, "enemy subs");
    } else {
      fish.push(e, "fish");
    }
  }

  void spawn_diver(Mt19937& rng) {
    const bool right = rng.rand() < 0.5;
    const int y = static_cast<int>(rng.randint(1, 9));
    divers.push({static_cast<int8_t>(right ? 0 : 9), static_cast<int8_t>(y), static_cast<int8_t>(right ? 1 : -1),
                 kDiverMoveInterval, 0},
                "divers");
  }

  // The original iterates each list with reversed() while removing from it; an index loop that
  // re-checks the size each time reproduces reversed()'s behaviour exactly, twins included.
  int move_friendly_bullets() {
    int reward = 0;
    for (int i = friendly_bullets.size - 1; i >= 0 && i < friendly_bullets.size; --i) {
      Entity& b = friendly_bullets[i];
      b.x += b.dir;
      if (b.off_grid()) {
        friendly_bullets.remove(b);
        continue;
      }
      int hit = fish.find_at(b.x, b.y);
      if (hit >= 0) {
        fish.erase_at(hit);
      } else {
        hit = subs.find_at(b.x, b.y);
        if (hit < 0) continue;
        subs.erase_at(hit);
      }
      friendly_bullets.remove(b);
      reward += 1;
    }
    return reward;
  }

  void move_divers() {
    for (int i = divers.size - 1; i >= 0 && i < divers.size; --i) {
      Entity& d = divers[i];
      if (on_sub(d) && diver_count < kMaxDivers) {
        divers.remove(d);
        diver_count += 1;
      } else if (d.move_timer == 0) {
        d.move_timer = kDiverMoveInterval;
        d.x += d.dir;
        if (d.off_grid()) {
          divers.remove(d);
        } else if (on_sub(d) && diver_count < kMaxDivers) {
          divers.remove(d);
          diver_count += 1;
        }
      } else {
        d.move_timer -= 1;
      }
    }
  }

  // Shared by fish and subs; returns the reward. `current` follows the entity being processed:
  // when list.remove erases an earlier twin instead, the entity itself stays listed at i - 1
  // (and is visited again); when it erases the entity, later updates go to a detached copy.
  template <int kCapacity>
  int move_enemy(EntityList<kCapacity>& list, int i, Entity*& current, Entity& detached) {
    Entity& e = list[i];
    current = &e;
    if (on_sub(e)) terminal = true;
    if (e.move_timer != 0) {
      e.move_timer -= 1;
      return 0;
    }
    e.move_timer = static_cast<int8_t>(move_interval);
    e.x += e.dir;
    const bool left_grid = e.off_grid();
    int bullet = -1;
    if (!left_grid) {
      if (on_sub(e)) {
        terminal = true;
        return 0;
      }
      bullet = friendly_bullets.find_at(e.x, e.y);
      if (bullet < 0) return 0;
    }
    detached = e;
    if (list.remove(detached) != i) {
      current = &list[i - 1];
    } else {
      current = &detached;
    }
    if (bullet < 0) return 0;
    friendly_bullets.erase_at(bullet);
    return 1;
  }

  int move_subs() {
    int reward = 0;
    Entity detached{};
    Entity* current = nullptr;
    for (int i = subs.size - 1; i >= 0 && i < subs.size; --i) {
      reward += move_enemy(subs, i, current, detached);
      // Subs fire even when just removed (off the grid or shot); such a bullet starts off the
      // grid and is discarded in the enemy bullet update before it is ever drawn.
      Entity& s = *current;
      if (s.shot_timer == 0) {
        s.shot_timer = kEnemyShotInterval;
        enemy_bullets.push({s.x, s.y, s.dir, 0, 0}, "enemy bullets");
      } else {
        s.shot_timer -= 1;
      }
    }
    return reward;
  }

  void move_enemy_bullets() {
    for (int i = enemy_bullets.size - 1; i >= 0 && i < enemy_bullets.size; --i) {
      Entity& b = enemy_bullets[i];
      if (on_sub(b)) terminal = true;
      b.x += b.dir;
      if (b.off_grid()) {
        enemy_bullets.remove(b);
      } else if (on_sub(b)) {
        terminal = true;
      }
    }
  }

  int move_fish() {
    int reward = 0;
    Entity detached{};
    Entity* current = nullptr;
    for (int i = fish.size - 1; i >= 0 && i < fish.size; --i) {
      reward += move_enemy(fish, i, current, detached);
    }
    return reward;
  }

  // Surfacing with at least one diver (or a negative count, a quirk of the original).
  int surface() {
    int reward = 0;
    at_surface = true;
    if (diver_count == kMaxDivers) {
      diver_count = 0;
      reward = oxygen * 10 / kMaxOxygen;
    }
    oxygen = kMaxOxygen;
    diver_count -= 1;
    if (ramping && (enemy_spawn_interval > 1 || move_interval > 2)) {
      if (move_interval > 2 && ramp_index % 2 == 1) move_interval -= 1;
      if (enemy_spawn_interval > 1) enemy_spawn_interval -= 1;
      ramp_index += 1;
    }
    return reward;
  }

  int act(int action, Mt19937& rng) {
    if (enemy_spawn_timer == 0) {
      spawn_enemy(rng);
      enemy_spawn_timer = enemy_spawn_interval;
    }
    if (diver_spawn_timer == 0) {
      spawn_diver(rng);
      diver_spawn_timer = kDiverSpawnInterval;
    }

    if (action == 5 && shot_timer == 0) {
      friendly_bullets.push(
          {static_cast<int8_t>(sub_x), static_cast<int8_t>(sub_y), static_cast<int8_t>(facing_right ? 1 : -1), 0, 0},
          "friendly bullets");
      shot_timer = kShotCooldown;
    } else if (action == 1) {
      sub_x = sub_x > 0 ? sub_x - 1 : 0;
      facing_right = false;
    } else if (action == 3) {
      sub_x = sub_x < 9 ? sub_x + 1 : 9;
      facing_right = true;
    } else if (action == 2) {
      sub_y = sub_y > 0 ? sub_y - 1 : 0;
    } else if (action == 4) {
      sub_y = sub_y < 8 ? sub_y + 1 : 8;
    }

    int reward = move_friendly_bullets();
    move_divers();
    reward += move_subs();
    move_enemy_bullets();
    reward += move_fish();

    if (enemy_spawn_timer > 0) enemy_spawn_timer -= 1;
    if (diver_spawn_timer > 0) diver_spawn_timer -= 1;
    if (shot_timer > 0) shot_timer -= 1;
    if (oxygen <= 0) terminal = true;
    if (sub_y > 0) {
      oxygen -= 1;
      at_surface = false;
    } else if (!at_surface) {
      if (diver_count == 0) {
        terminal = true;
      } else {
        reward += surface();
      }
    }
    return reward;
  }

  template <int kCapacity>
  static void write_with_trail(const EntityList<kCapacity>& list, int channel, float* obs) {
    for (int k = 0; k < list.size; ++k) {
      const Entity& e = list[k];
      obs[cell(channel, e.y, e.x)] = 1.0f;
      const int back_x = e.x - e.dir;
      if (back_x >= 0 && back_x <= 9) obs[cell(3, e.y, back_x)] = 1.0f;
    }
  }

  void write(float* obs) const {
    obs[cell(0, sub_y, sub_x)] = 1.0f;
    // The sub only faces right after a right move (x >= 1) and only left after a left move or
    // at reset (x <= 8), so its back is always on the grid.
    obs[cell(1, sub_y, facing_right ? sub_x - 1 : sub_x + 1)] = 1.0f;
    const int oxygen_cells = (oxygen > 0 ? oxygen : 0) * 10 / kMaxOxygen;
    for (int x = 0; x < oxygen_cells; ++x) obs[cell(7, 9, x)] = 1.0f;
    for (int x = 9 - diver_count; x < 9; ++x) obs[cell(8, 9, x)] = 1.0f;
    for (int k = 0; k < friendly_bullets.size; ++k) {
      obs[cell(2, friendly_bullets[k].y, friendly_bullets[k].x)] = 1.0f;
    }
    for (int k = 0; k < enemy_bullets.size; ++k) {
      obs[cell(4, enemy_bullets[k].y, enemy_bullets[k].x)] = 1.0f;
    }
    write_with_trail(fish, 5, obs);
    write_with_trail(subs, 6, obs);
    write_with_trail(divers, 9, obs);
  }
};

}  // namespace

std::unique_ptr<MinAtarEnv> make_seaquest(const MinAtarOptions& options) {
  Seaquest game{};
  game.ramping = options.ramping;
  return std::make_unique<GameEnv<Seaquest>>(options, game);
}

}  // namespace rlnas::env::minatar
