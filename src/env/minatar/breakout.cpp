// MinAtar Breakout: bounce the ball off the paddle to break three rows of bricks.
// Channels: 0 paddle, 1 ball, 2 trail, 3 brick.
#include <array>
#include <cstdint>

#include "minatar/game_env.h"

namespace rlnas::env::minatar {
namespace {

struct Breakout {
  static constexpr int kChannels = 4;
  static constexpr std::string_view kName = "breakout";

  std::array<uint16_t, kGridSize> bricks{};  // bit x of row y set = brick at (y, x)
  int ball_x = 0, ball_y = 0, ball_dir = 0;  // dir: 0 up-left, 1 up-right, 2 down-right, 3 down-left
  int paddle_x = 0;
  int trail_x = 0, trail_y = 0;
  bool strike = false;
  bool terminal = false;

  static constexpr uint16_t kFullRow = (1u << kGridSize) - 1;
  static constexpr std::array<int, 4> kFlipX = {1, 0, 3, 2};
  static constexpr std::array<int, 4> kFlipY = {3, 2, 1, 0};
  static constexpr std::array<int, 4> kReverse = {2, 3, 0, 1};

  void fill_bricks() {
    bricks = {};
    for (int y = 1; y <= 3; ++y) bricks[y] = kFullRow;
  }

  void reset(Mt19937& rng) {
    ball_y = 3;
    if (rng.randint(0, 2) == 0) {
      ball_x = 0;
      ball_dir = 2;
    } else {
      ball_x = 9;
      ball_dir = 3;
    }
    fill_bricks();
    paddle_x = 4;
    trail_x = ball_x;
    trail_y = ball_y;
    strike = false;
    terminal = false;
  }

  bool brick_at(int y, int x) const { return (bricks[y] >> x) & 1u; }

  int act(int action, Mt19937& /*rng*/) {
    int reward = 0;
    if (action == 1) paddle_x = paddle_x > 0 ? paddle_x - 1 : 0;
    if (action == 3) paddle_x = paddle_x < 9 ? paddle_x + 1 : 9;

    trail_x = ball_x;
    trail_y = ball_y;
    int new_x = ball_x + ((ball_dir == 1 || ball_dir == 2) ? 1 : -1);
    int new_y = ball_y + (ball_dir >= 2 ? 1 : -1);

    bool struck_brick = false;
    if (new_x < 0 || new_x > 9) {
      new_x = new_x < 0 ? 0 : 9;
      ball_dir = kFlipX[ball_dir];
    }
    if (new_y < 0) {
      new_y = 0;
      ball_dir = kFlipY[ball_dir];
    } else if (brick_at(new_y, new_x)) {
      struck_brick = true;
      if (!strike) {
        reward += 1;
        strike = true;
        bricks[new_y] &= static_cast<uint16_t>(~(1u << new_x));
        new_y = trail_y;
        ball_dir = kFlipY[ball_dir];
      }
    } else if (new_y == 9) {
      bool any = false;
      for (auto row : bricks) any = any || row != 0;
      if (!any) fill_bricks();
      if (ball_x == paddle_x) {
        ball_dir = kFlipY[ball_dir];
        new_y = trail_y;
      } else if (new_x == paddle_x) {
        ball_dir = kReverse[ball_dir];
        new_y = trail_y;
      } else {
        terminal = true;
      }
    }
    if (!struck_brick) strike = false;
    ball_x = new_x;
    ball_y = new_y;
    return reward;
  }

  void write(float* obs) const {
    obs[cell(0, 9, paddle_x)] = 1.0f;
    obs[cell(1, ball_y, ball_x)] = 1.0f;
    obs[cell(2, trail_y, trail_x)] = 1.0f;
    for (int y = 0; y < kGridSize; ++y) {
      for (int x = 0; x < kGridSize; ++x) {
        if (brick_at(y, x)) obs[cell(3, y, x)] = 1.0f;
      }
    }
  }
};

}  // namespace

std::unique_ptr<MinAtarEnv> make_breakout(const MinAtarOptions& options) {
  return std::make_unique<GameEnv<Breakout>>(options, Breakout{});
}

}  // namespace rlnas::env::minatar
