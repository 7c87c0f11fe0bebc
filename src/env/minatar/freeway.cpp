// MinAtar Freeway: lead the chicken across eight lanes of traffic before time runs out.
// Channels: 0 chicken, 1 car, 2..6 trail of a car with speed 1..5.
#include <array>
#include <cstdlib>

#include "minatar/game_env.h"

namespace rlnas::env::minatar {
namespace {

struct Freeway {
  static constexpr int kChannels = 7;
  static constexpr std::string_view kName = "freeway";
  static constexpr int kMoveCooldown = 3;
  static constexpr int kTimeLimit = 2500;

  struct Car {
    int x, y, timer, speed;  // speed is signed: its sign is the direction
  };
  std::array<Car, 8> cars{};
  int chicken_y = 9;  // the chicken's column is always 4
  int move_timer = 0;
  int terminate_timer = 0;
  bool terminal = false;

  // Speeds first, then directions, as the original draws them.
  void randomize_cars(Mt19937& rng, bool initialize) {
    std::array<int, 8> speeds{};
    for (auto& s : speeds) s = static_cast<int>(rng.randint(1, 6));
    for (auto& s : speeds) s *= rng.rand() > 0.5 ? 1 : -1;
    for (int i = 0; i < 8; ++i) {
      if (initialize) {
        cars[i].x = 0;
        cars[i].y = i + 1;
      }
      cars[i].timer = std::abs(speeds[i]);
      cars[i].speed = speeds[i];
    }
  }

  void reset(Mt19937& rng) {
    randomize_cars(rng, /*initialize=*/true);
    chicken_y = 9;
    move_timer = kMoveCooldown;
    terminate_timer = kTimeLimit;
    terminal = false;
  }

  int act(int action, Mt19937& rng) {
    int reward = 0;
    if (action == 2 && move_timer == 0) {
      move_timer = kMoveCooldown;
      chicken_y = chicken_y > 0 ? chicken_y - 1 : 0;
    } else if (action == 4 && move_timer == 0) {
      move_timer = kMoveCooldown;
      chicken_y = chicken_y < 9 ? chicken_y + 1 : 9;
    }
    if (chicken_y == 0) {
      reward += 1;
      randomize_cars(rng, /*initialize=*/false);
      chicken_y = 9;
    }
    for (auto& car : cars) {
      if (car.x == 4 && car.y == chicken_y) chicken_y = 9;
      if (car.timer == 0) {
        car.timer = std::abs(car.speed);
        car.x += car.speed > 0 ? 1 : -1;
        if (car.x < 0) car.x = 9;
        if (car.x > 9) car.x = 0;
        if (car.x == 4 && car.y == chicken_y) chicken_y = 9;
      } else {
        car.timer -= 1;
      }
    }
    if (move_timer > 0) move_timer -= 1;
    terminate_timer -= 1;
    if (terminate_timer < 0) terminal = true;
    return reward;
  }

  void write(float* obs) const {
    obs[cell(0, chicken_y, 4)] = 1.0f;
    for (const auto& car : cars) {
      obs[cell(1, car.y, car.x)] = 1.0f;
      int back_x = car.speed > 0 ? car.x - 1 : car.x + 1;
      if (back_x < 0) back_x = 9;
      if (back_x > 9) back_x = 0;
      obs[cell(1 + std::abs(car.speed), car.y, back_x)] = 1.0f;
    }
  }
};

}  // namespace

std::unique_ptr<MinAtarEnv> make_freeway(const MinAtarOptions& options) {
  return std::make_unique<GameEnv<Freeway>>(options, Freeway{});
}

}  // namespace rlnas::env::minatar
