// The op library: one registry of named operations that the spaces' networks, single-path
// supernets (supernet.h: ChoiceLayer) and mixed supernets (mixed.h: MixedOp) are built from. An op maps [B, c_in, H, W] to [B, c_out, ceil(H / stride), ceil(W / stride)]
// (vector ops: [B, in] -> [B, out]).
//
// Padding is always explicit: a conv with kernel k (dilation d) pads d * (k - 1) in total,
// floor on top/left and ceil on bottom/right, so its output is ceil(H / stride) for every k.
//
// Image ops (name: what it is):
//   conv{k}x{k}          conv k x k (k = 1..11), then ReLU
//   conv{k}x{k}_plain    conv k x k without activation
//   dil_conv{k}x{k}      dilated (d = 2) conv k x k, then ReLU;  dil_conv{k}x{k}_plain: without
//   sep_conv{k}x{k}      depthwise k x k (with the stride) + pointwise 1 x 1, then ReLU
//   max_pool3x3, avg_pool3x3 (excluding padding), followed by a 1 x 1 conv when c_in != c_out
//   skip                 identity; a strided 1 x 1 projection where shapes differ
//   zero                 zeros of the output shape (no parameters)
//   ir_k{k}_e{e}         inverted residual (MobileNetV2, no BatchNorm): 1x1 expand to e * c_in +
//                        ReLU (none when e = 1), depthwise k x k with the stride + ReLU, 1x1
//                        project; plus the input when stride 1 and c_in == c_out. k in {3, 5, 7},
//                        e in {1, 3, 5, 6}
//   relu, tanh           activations as ops (c_in == c_out, stride 1)
// Vector ops:
//   linear, linear_relu, linear_tanh
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rlnas::space {

class OpImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  const std::string& name() const { return name_; }

 protected:
  explicit OpImpl(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};
using Op = std::shared_ptr<OpImpl>;

struct OpArgs {
  int64_t c_in = 0, c_out = 0;  // channels (image ops) or features (vector ops)
  int64_t stride = 1;
};

// Builds op `name`; throws rlnas::Error for an unknown name (listing the valid ones) or arguments
// the op cannot take (e.g. relu with c_in != c_out).
Op make_op(const std::string& name, const OpArgs& args);
std::vector<std::string> op_names();
bool is_vector_op(const std::string& name);

// The explicit padding of the rule above: {left, right, top, bottom} for an effective kernel
// extent `extent` = d * (k - 1) + 1.
std::vector<int64_t> same_padding(int64_t extent);
// Spatial output size of every image op: ceil(size / stride).
inline int64_t op_output_size(int64_t size, int64_t stride) { return (size + stride - 1) / stride; }

}  // namespace rlnas::space
