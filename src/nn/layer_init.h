// Private helpers shared by the backbones and heads: CleanRL's layer_init and shape printing.
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace rlnas::nn::detail {

// Gain for layers followed by ReLU or tanh: CleanRL uses sqrt(2) for both.
inline const double kHiddenGain = std::sqrt(2.0);

// CleanRL's layer_init(layer, std=gain, bias_const=0): orthogonal weights, zero biases.
inline void orthogonal_init(const torch::Tensor& weight, const torch::Tensor& bias, double gain) {
  torch::NoGradGuard no_grad;
  torch::nn::init::orthogonal_(weight, gain);
  if (bias.defined()) bias.zero_();
}

template <typename Layer>
Layer orthogonal_init(Layer layer, double gain) {
  orthogonal_init(layer->weight, layer->bias, gain);
  return layer;
}

// Applies orthogonal_init with kHiddenGain to every Linear and Conv2d below `module`.
inline void init_hidden_layers(torch::nn::Module& module) {
  for (auto& child : module.modules(/*include_self=*/false)) {
    if (auto* linear = child->as<torch::nn::Linear>()) {
      orthogonal_init(linear->weight, linear->bias, kHiddenGain);
    } else if (auto* conv = child->as<torch::nn::Conv2d>()) {
      orthogonal_init(conv->weight, conv->bias, kHiddenGain);
    }
  }
}

inline std::string shape_to_string(c10::IntArrayRef shape) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < shape.size(); ++i) out << (i > 0 ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

}  // namespace rlnas::nn::detail
