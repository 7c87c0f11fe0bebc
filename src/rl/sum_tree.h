// Sum tree for proportional prioritized replay: O(log n) updates of one leaf and O(log n)
// lookups of the leaf that holds a given prefix mass.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rlnas::rl {

class SumTree {
 public:
  explicit SumTree(int64_t capacity);

  int64_t capacity() const { return capacity_; }
  double total() const { return nodes_[1]; }
  double get(int64_t index) const;
  void set(int64_t index, double value);
  // Replaces all leaves (the first values.size(), the rest become 0) in O(capacity).
  void assign(std::span<const double> values);
  // The leaf whose prefix-sum interval holds `mass`. Never returns a zero leaf while total() > 0,
  // even when rounding puts `mass` at or past total().
  int64_t find(double mass) const;

 private:
  int64_t capacity_;
  int64_t leaves_;             // capacity rounded up to a power of two, so every node has two children
  std::vector<double> nodes_;  // heap order: nodes_[1] is the root, leaf i is nodes_[leaves_ + i]
};

}  // namespace rlnas::rl
