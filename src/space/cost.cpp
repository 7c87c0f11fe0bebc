#include "rlnas/space/cost.h"

#include <ATen/record_function.h>

#include <algorithm>
#include <chrono>

#include "rlnas/core/error.h"

namespace rlnas::space {
namespace {

// Accumulator of the RecordFunction callback (a plain function pointer: no captures).
thread_local int64_t g_macs = 0;
thread_local int64_t g_depth = 0;  // > 0 while inside a counted op (nested calls are not counted)

// The ops whose multiply-accumulates are counted. LibTorch's nn::Linear calls addmm (2-D input
// with bias) or matmul; anything they call in turn is nested and not counted again.
bool counted(std::string_view name) {
  return name == "aten::conv2d" || name == "aten::linear" || name == "aten::addmm" || name == "aten::mm" ||
         name == "aten::matmul";
}

int64_t matmul_macs(c10::IntArrayRef a, c10::IntArrayRef b) {
  // a [..., N, K] (or [K]) times b [K, M] (or [..., K, M], or [K]): numel(a) / K rows, M columns
  if (a.empty() || b.empty()) return 0;
  const int64_t k = a.back();
  const int64_t m = b.size() == 1 ? 1 : b.back();
  const int64_t batch = b.size() > 2 ? c10::multiply_integers(b.begin(), b.end() - 2) : 1;
  const int64_t rows = c10::multiply_integers(a) / std::max<int64_t>(k, 1);
  return std::max<int64_t>(rows, batch) * k * m;
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  const std::string_view name = fn.name();
  if (!counted(name)) return nullptr;
  if (g_depth++ > 0) return nullptr;
  const auto inputs = fn.inputs();
  const auto tensor_sizes = [&](size_t i) {
    return i < inputs.size() && inputs[i].isTensor() ? inputs[i].toTensor().sizes() : c10::IntArrayRef{};
  };
  if (name == "aten::linear") {
    // x [..., in], w [out, in]
    const auto x = tensor_sizes(0), w = tensor_sizes(1);
    if (x.empty() || w.size() != 2) return nullptr;
    g_macs += c10::multiply_integers(x) / x.back() * w[0] * w[1];
    return nullptr;
  }
  if (name == "aten::addmm") {  // addmm(bias, mat1 [N, K], mat2 [K, M])
    g_macs += matmul_macs(tensor_sizes(1), tensor_sizes(2));
    return nullptr;
  }
  if (name == "aten::mm" || name == "aten::matmul") {
    g_macs += matmul_macs(tensor_sizes(0), tensor_sizes(1));
    return nullptr;
  }
  // conv2d(input [B, C, H, W], weight [O, C/g, kh, kw], bias, stride, padding, dilation, groups)
  const auto x = tensor_sizes(0), w = tensor_sizes(1);
  if (x.size() != 4 || w.size() != 4 || inputs.size() < 7 || !inputs[3].isIntList() || !inputs[4].isIntList() ||
      !inputs[5].isIntList()) {
    return nullptr;
  }
  const auto stride = inputs[3].toIntVector(), padding = inputs[4].toIntVector(), dilation = inputs[5].toIntVector();
  const auto out = [&](int64_t size, int i) {
    return (size + 2 * padding[i] - dilation[i] * (w[2 + i] - 1) - 1) / stride[i] + 1;
  };
  g_macs += x[0] * w[0] * out(x[2], 0) * out(x[3], 1) * w[1] * w[2] * w[3];
  return nullptr;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext*) {
  if (counted(fn.name())) --g_depth;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<int64_t> with_batch(int64_t batch, const std::vector<int64_t>& shape) {
  std::vector<int64_t> s{batch};
  s.insert(s.end(), shape.begin(), shape.end());
  return s;
}

}  // namespace

NetworkCost measure_cost(torch::nn::Module& module, const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                         const std::vector<int64_t>& input_shape) {
  NetworkCost cost;
  for (const auto& p : module.parameters()) {
    if (p.requires_grad()) cost.params += p.numel();
  }
  torch::NoGradGuard no_grad;
  const auto device = module.parameters().empty() ? torch::Device(torch::kCPU) : module.parameters()[0].device();
  const auto x = torch::zeros(with_batch(1, input_shape), torch::TensorOptions().device(device));
  g_macs = 0;
  g_depth = 0;
  const auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(&on_start, &on_end).needsInputs(true).scopes({at::RecordScope::FUNCTION}));
  try {
    forward(x);
  } catch (...) {
    at::removeCallback(handle);
    throw;
  }
  at::removeCallback(handle);
  cost.macs = g_macs;
  return cost;
}

Latency measure_latency(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                        const std::vector<int64_t>& input_shape, int64_t batch, int repeats, int warmup) {
  if (batch < 1 || repeats < 1) throw Error("latency: batch and repeats must be >= 1");
  torch::NoGradGuard no_grad;
  const auto time = [&](int64_t b) {
    const auto x = torch::rand(with_batch(b, input_shape));
    for (int i = 0; i < warmup; ++i) forward(x);
    std::vector<double> ms;
    for (int i = 0; i < repeats; ++i) {
      const auto start = std::chrono::steady_clock::now();
      forward(x);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return median(ms);
  };
  Latency l;
  l.batch = batch;
  l.batch1_ms = time(1);
  l.batch_ms = time(batch);
  return l;
}

}  // namespace rlnas::space
