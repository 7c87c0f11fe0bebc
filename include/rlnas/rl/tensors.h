// Small tensor and module helpers the algorithms and the trainer share.
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <string_view>

namespace rlnas::rl {

// Bytes (a ByteWriter's or a VectorEnv's snapshot) as a uint8 tensor, which archives store, and
// back (the tensor must be a contiguous CPU uint8 tensor, as archives load them).
torch::Tensor bytes_to_tensor(std::string_view bytes);
std::string_view tensor_bytes(const torch::Tensor& tensor);

// Polyak averaging of a target network: target <- tau * source + (1 - tau) * target over the
// parameters (tau >= 1: an exact copy). Floating buffers are averaged the same way when
// `average_buffers` (DQN), else copied (SAC); other buffers are copied. Same structure required.
void soft_update(torch::nn::Module& target, const torch::nn::Module& source, double tau, bool average_buffers);

}  // namespace rlnas::rl
