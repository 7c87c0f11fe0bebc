// The cost model: parameters, FLOPs and latency of a network for a given input shape.
//
// FLOPs are counted from the ops a forward pass at batch 1 actually runs (aten::conv2d, and
// aten::linear / addmm / mm / matmul for linear layers, observed through LibTorch's
// RecordFunction; ops they call in turn are not counted twice): 2 x multiply-accumulates of every
// convolution and linear layer. Pooling, activations and additions are not counted, as in the
// FLOPs figures of the papers (FBNet / A2D). Any module works: fixed backbones, networks built
// from a space, single-path supernets.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace rlnas::space {

struct NetworkCost {
  int64_t params = 0;  // trainable parameters
  int64_t macs = 0;    // multiply-accumulates of one forward pass of one input
  int64_t flops() const { return 2 * macs; }
};

// `forward` runs the network on a batch [B, input_shape...]; it is called once with B = 1.
NetworkCost measure_cost(torch::nn::Module& module, const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                         const std::vector<int64_t>& input_shape);

struct Latency {
  double batch1_ms = 0;   // median forward time at batch 1
  double batch_ms = 0;    // median forward time at `batch`
  int64_t batch = 0;
};
// Median of `repeats` timed forward passes (no gradient) after `warmup` untimed ones.
Latency measure_latency(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                        const std::vector<int64_t>& input_shape, int64_t batch = 32, int repeats = 20,
                        int warmup = 3);

}  // namespace rlnas::space
