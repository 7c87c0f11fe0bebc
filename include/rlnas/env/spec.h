// Observation and action specs: what an environment promises to produce and to accept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rlnas::env {

// Element type an observation promises. Observations are always handed over as float32, so the
// dtype says which values are possible: kBool -> {0, 1}, kUInt8 -> integers 0..255.
enum class DType { kFloat32, kUInt8, kBool };

std::string to_string(DType dtype);

// A box of values: shape, element type and per-element bounds. `low` and `high` hold either one
// value (shared by every element) or one value per element; they may be +-infinity.
struct BoxSpec {
  std::vector<int64_t> shape;
  DType dtype = DType::kFloat32;
  std::vector<float> low;
  std::vector<float> high;

  int64_t numel() const;
  float low_at(int64_t i) const { return low.size() == 1 ? low[0] : low[static_cast<size_t>(i)]; }
  float high_at(int64_t i) const { return high.size() == 1 ? high[0] : high[static_cast<size_t>(i)]; }
  // Bounds with one value per element (a shared bound repeated numel() times).
  std::vector<float> low_values() const;
  std::vector<float> high_values() const;
  // "float32[3] in [-1, 1] x [-1, 1] x [-8, 8]" or "bool[4, 10, 10] in {0, 1}".
  std::string to_string() const;
};

using ObservationSpec = BoxSpec;

// Either a discrete set of `n` actions (0..n-1) or a continuous box.
struct ActionSpec {
  enum class Kind { kDiscrete, kBox };
  Kind kind = Kind::kDiscrete;
  int64_t n = 0;  // number of discrete actions
  BoxSpec box;    // continuous actions

  static ActionSpec discrete(int64_t n);
  static ActionSpec continuous(std::vector<int64_t> shape, std::vector<float> low, std::vector<float> high);
  bool is_discrete() const { return kind == Kind::kDiscrete; }
  // Number of floats a continuous action holds (0 for discrete).
  int64_t dim() const { return is_discrete() ? 0 : box.numel(); }
  std::string to_string() const;
};

// Shape as "[4, 10, 10]".
std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace rlnas::env
