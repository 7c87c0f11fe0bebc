// Small tensor and module helpers (see rlnas/rl/tensors.h).
#include "rlnas/rl/tensors.h"

#include <torch/torch.h>

#include "rlnas/core/error.h"

namespace rlnas::rl {

torch::Tensor bytes_to_tensor(std::string_view bytes) {
  return torch::from_blob(const_cast<char*>(bytes.data()), {static_cast<int64_t>(bytes.size())}, torch::kUInt8).clone();
}

std::string_view tensor_bytes(const torch::Tensor& t) {
  if (t.scalar_type() != torch::kUInt8 || !t.is_contiguous() || !t.device().is_cpu()) {
    throw Error("tensor_bytes: expected a contiguous CPU uint8 tensor (stored bytes), found " +
                std::string(t.toString()));
  }
  return {static_cast<const char*>(t.data_ptr()), static_cast<size_t>(t.numel())};
}

void soft_update(torch::nn::Module& target, const torch::nn::Module& source, double tau, bool average_buffers) {
  torch::NoGradGuard no_grad;
  const auto copy = [tau](const std::vector<torch::Tensor>& from, std::vector<torch::Tensor> to, bool average) {
    TORCH_INTERNAL_ASSERT(from.size() == to.size(), "soft_update: ", to.size(), " target tensors vs ", from.size(),
                          " source tensors");
    for (size_t i = 0; i < from.size(); ++i) {
      if (!average || tau >= 1.0 || !to[i].is_floating_point()) {
        to[i].copy_(from[i]);
      } else {
        to[i].lerp_(from[i], tau);  // target + tau * (source - target)
      }
    }
  };
  copy(source.parameters(), target.parameters(), /*average=*/true);
  copy(source.buffers(), target.buffers(), average_buffers);
}

}  // namespace rlnas::rl
