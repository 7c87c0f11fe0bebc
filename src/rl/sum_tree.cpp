// SumTree: a power-of-two heap of partial sums over priority^alpha.
#include "sum_tree.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>

namespace rlnas::rl {

SumTree::SumTree(int64_t capacity) : capacity_(capacity), leaves_(1) {
  TORCH_INTERNAL_ASSERT(capacity >= 1, "SumTree capacity ", capacity);
  while (leaves_ < capacity) leaves_ *= 2;
  nodes_.assign(static_cast<size_t>(2 * leaves_), 0.0);
}

double SumTree::get(int64_t index) const {
  TORCH_INTERNAL_ASSERT(index >= 0 && index < capacity_, "SumTree index ", index, " of ", capacity_);
  return nodes_[static_cast<size_t>(leaves_ + index)];
}

void SumTree::set(int64_t index, double value) {
  TORCH_INTERNAL_ASSERT(index >= 0 && index < capacity_, "SumTree index ", index, " of ", capacity_);
  TORCH_INTERNAL_ASSERT(std::isfinite(value) && value >= 0.0, "SumTree value ", value);
  auto node = static_cast<size_t>(leaves_ + index);
  nodes_[node] = value;
  // Recompute parents from their children instead of adding a delta, so rounding errors do not
  // accumulate over millions of updates.
  for (node /= 2; node >= 1; node /= 2) nodes_[node] = nodes_[2 * node] + nodes_[2 * node + 1];
}

void SumTree::assign(std::span<const double> values) {
  TORCH_INTERNAL_ASSERT(static_cast<int64_t>(values.size()) <= capacity_);
  std::fill(nodes_.begin(), nodes_.end(), 0.0);
  for (size_t i = 0; i < values.size(); ++i) {
    TORCH_INTERNAL_ASSERT(std::isfinite(values[i]) && values[i] >= 0.0, "SumTree value ", values[i]);
    nodes_[static_cast<size_t>(leaves_) + i] = values[i];
  }
  for (auto node = static_cast<size_t>(leaves_) - 1; node >= 1; --node) {
    nodes_[node] = nodes_[2 * node] + nodes_[2 * node + 1];
  }
}

int64_t SumTree::find(double mass) const {
  TORCH_INTERNAL_ASSERT(total() > 0.0, "SumTree::find on an empty tree");
  size_t node = 1;
  while (node < static_cast<size_t>(leaves_)) {
    const double left = nodes_[2 * node];
    const double right = nodes_[2 * node + 1];
    // Only step into a child with positive mass: a node's sum is positive iff one child is, so
    // the walk ends on a positive leaf whatever rounding did to `mass`.
    if (mass < left || right <= 0.0) {
      node = 2 * node;
    } else {
      mass -= left;
      node = 2 * node + 1;
    }
  }
  return static_cast<int64_t>(node) - leaves_;
}

}  // namespace rlnas::rl
