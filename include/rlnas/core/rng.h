// MT19937 with numpy RandomState's rand()/randint() draws, so that environments reproduce the
// original Python implementations bit for bit. Plain data: copying it copies the stream.
#pragma once

#include <array>
#include <cstdint>

namespace rlnas {

class Mt19937 {
 public:
  static constexpr int kStateSize = 624;

  explicit Mt19937(uint32_t seed = 5489u) { this->seed(seed); }

  // Same initialisation as std::mt19937(seed) and numpy's RandomState(seed).
  void seed(uint32_t seed) {
    state_[0] = seed;
    for (int i = 1; i < kStateSize; ++i) {
      state_[i] = 1812433253u * (state_[i - 1] ^ (state_[i - 1] >> 30)) + static_cast<uint32_t>(i);
    }
    index_ = kStateSize;
  }

  uint32_t next32() {
    if (index_ >= kStateSize) twist();
    uint32_t y = state_[index_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }

  // numpy random_sample(): a double in [0, 1) with 53 random bits.
  double rand() {
    const uint32_t a = next32() >> 5;
    const uint32_t b = next32() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  // numpy RandomState.randint(low, high) for high - low <= 2^32: masked rejection sampling.
  // Draws nothing when the range holds one value.
  int64_t randint(int64_t low, int64_t high) {
    const uint64_t n = static_cast<uint64_t>(high - low);
    if (n <= 1) return low;
    const uint32_t max = static_cast<uint32_t>(n - 1);
    uint32_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    do {
      v = next32() & mask;
    } while (v > max);
    return low + v;
  }

  // Uniform double in [low, high).
  double uniform(double low, double high) { return low + (high - low) * rand(); }

  bool operator==(const Mt19937&) const = default;

 private:
  void twist() {
    constexpr int kShift = 397;
    auto mix = [](uint32_t hi, uint32_t lo, uint32_t far) {
      const uint32_t y = (hi & 0x80000000u) | (lo & 0x7fffffffu);
      return far ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    };
    int i = 0;
    for (; i < kStateSize - kShift; ++i) state_[i] = mix(state_[i], state_[i + 1], state_[i + kShift]);
    for (; i < kStateSize - 1; ++i) {
      state_[i] = mix(state_[i], state_[i + 1], state_[i + kShift - kStateSize]);
    }
    state_[kStateSize - 1] = mix(state_[kStateSize - 1], state_[0], state_[kShift - 1]);
    index_ = 0;
  }

  std::array<uint32_t, kStateSize> state_{};
  int index_ = kStateSize;
};

}  // namespace rlnas
