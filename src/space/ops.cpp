// The op library. Every image op maps [B, c_in, H, W] -> [B, c_out, ceil(H/s), ceil(W/s)].
#include "rlnas/space/ops.h"

#include <functional>
#include <map>

#include "rlnas/core/error.h"

namespace rlnas::space {
namespace {

std::string args_text(const OpArgs& a) {
  return "(c_in=" + std::to_string(a.c_in) + ", c_out=" + std::to_string(a.c_out) +
         ", stride=" + std::to_string(a.stride) + ")";
}

// Conv with the explicit padding rule. Odd extents pad symmetrically inside the conv (no copy);
// even extents pad (floor top/left, ceil bottom/right) with constant_pad_nd first.
class PaddedConv : public torch::nn::Module {
 public:
  PaddedConv(int64_t c_in, int64_t c_out, int64_t k, int64_t stride, int64_t dilation = 1, int64_t groups = 1) {
    const int64_t extent = dilation * (k - 1) + 1;
    symmetric_ = (extent - 1) % 2 == 0;
    if (!symmetric_) pad_ = same_padding(extent);
    conv_ = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(c_in, c_out, k)
                                                          .stride(stride)
                                                          .dilation(dilation)
                                                          .groups(groups)
                                                          .padding(symmetric_ ? (extent - 1) / 2 : 0)));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return conv_->forward(symmetric_ ? x : torch::constant_pad_nd(x, pad_, 0.0));
  }

 private:
  bool symmetric_ = true;
  std::vector<int64_t> pad_;
  torch::nn::Conv2d conv_{nullptr};
};

class ConvOp final : public OpImpl {
 public:
  ConvOp(const std::string& name, const OpArgs& a, int64_t k, int64_t dilation, bool relu)
      : OpImpl(name), relu_(relu) {
    conv_ = register_module("conv", std::make_shared<PaddedConv>(a.c_in, a.c_out, k, a.stride, dilation));
  }
  torch::Tensor forward(const torch::Tensor& x) override {
    auto y = conv_->forward(x);
    return relu_ ? torch::relu(y) : y;
  }

 private:
  bool relu_;
  std::shared_ptr<PaddedConv> conv_;
};

class SepConvOp final : public OpImpl {
 public:
  SepConvOp(const std::string& name, const OpArgs& a, int64_t k) : OpImpl(name) {
    depthwise_ = register_module("depthwise", std::make_shared<PaddedConv>(a.c_in, a.c_in, k, a.stride, 1, a.c_in));
    pointwise_ = register_module("pointwise", torch::nn::Conv2d(torch::nn::Conv2dOptions(a.c_in, a.c_out, 1)));
  }
  torch::Tensor forward(const torch::Tensor& x) override {
    return torch::relu(pointwise_->forward(depthwise_->forward(x)));
  }

 private:
  std::shared_ptr<PaddedConv> depthwise_;
  torch::nn::Conv2d pointwise_{nullptr};
};

// 1x1 conv with stride: the projection of skip and of pools that change the channel count.
torch::nn::Conv2d projection(int64_t c_in, int64_t c_out, int64_t stride) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(c_in, c_out, 1).stride(stride));
}

class PoolOp final : public OpImpl {
 public:
  PoolOp(const std::string& name, const OpArgs& a, bool max) : OpImpl(name), max_(max), stride_(a.stride) {
    if (a.c_in != a.c_out) project_ = register_module("project", projection(a.c_in, a.c_out, 1));
  }
  torch::Tensor forward(const torch::Tensor& x) override {
    // 3x3 with padding 1 on each side: output ceil(H / stride); average excludes the padding.
    auto y = max_ ? torch::max_pool2d(x, {3, 3}, {stride_, stride_}, {1, 1})
                  : torch::avg_pool2d(x, {3, 3}, {stride_, stride_}, {1, 1}, /*ceil_mode=*/false,
                                      /*count_include_pad=*/false);
    return project_ ? project_->forward(y) : y;
  }

 private:
  bool max_;
  int64_t stride_;
  torch::nn::Conv2d project_{nullptr};
};

class SkipOp final : public OpImpl {
 public:
  SkipOp(const OpArgs& a) : OpImpl("skip") {
    if (a.stride != 1 || a.c_in != a.c_out) project_ = register_module("project", projection(a.c_in, a.c_out, a.stride));
  }
  torch::Tensor forward(const torch::Tensor& x) override { return project_ ? project_->forward(x) : x; }

 private:
  torch::nn::Conv2d project_{nullptr};
};

class ZeroOp final : public OpImpl {
 public:
  ZeroOp(const OpArgs& a) : OpImpl("zero"), c_out_(a.c_out), stride_(a.stride) {}
  torch::Tensor forward(const torch::Tensor& x) override {
    if (x.dim() == 2) return torch::zeros({x.size(0), c_out_}, x.options());
    return torch::zeros({x.size(0), c_out_, op_output_size(x.size(2), stride_), op_output_size(x.size(3), stride_)},
                        x.options());
  }

 private:
  int64_t c_out_, stride_;
};

class InvertedResidualOp final : public OpImpl {
 public:
  InvertedResidualOp(const std::string& name, const OpArgs& a, int64_t k, int64_t expansion)
      : OpImpl(name), residual_(a.stride == 1 && a.c_in == a.c_out) {
    const int64_t hidden = a.c_in * expansion;
    if (expansion != 1) expand_ = register_module("expand", torch::nn::Conv2d(torch::nn::Conv2dOptions(a.c_in, hidden, 1)));
    depthwise_ = register_module("depthwise", std::make_shared<PaddedConv>(hidden, hidden, k, a.stride, 1, hidden));
    project_ = register_module("project", torch::nn::Conv2d(torch::nn::Conv2dOptions(hidden, a.c_out, 1)));
  }
  torch::Tensor forward(const torch::Tensor& x) override {
    auto y = expand_ ? torch::relu(expand_->forward(x)) : x;
    y = project_->forward(torch::relu(depthwise_->forward(y)));
    return residual_ ? y + x : y;
  }

 private:
  bool residual_;
  torch::nn::Conv2d expand_{nullptr}, project_{nullptr};
  std::shared_ptr<PaddedConv> depthwise_;
};

class ActivationOp final : public OpImpl {
 public:
  ActivationOp(const std::string& name) : OpImpl(name), tanh_(name == "tanh") {}
  torch::Tensor forward(const torch::Tensor& x) override { return tanh_ ? torch::tanh(x) : torch::relu(x); }

 private:
  bool tanh_;
};

class LinearOp final : public OpImpl {
 public:
  LinearOp(const std::string& name, const OpArgs& a, int activation)  // 0 none, 1 relu, 2 tanh
      : OpImpl(name), activation_(activation) {
    linear_ = register_module("linear", torch::nn::Linear(a.c_in, a.c_out));
  }
  torch::Tensor forward(const torch::Tensor& x) override {
    auto y = linear_->forward(x);
    return activation_ == 1 ? torch::relu(y) : activation_ == 2 ? torch::tanh(y) : y;
  }

 private:
  int activation_;
  torch::nn::Linear linear_{nullptr};
};

using Factory = std::function<Op(const std::string& name, const OpArgs&)>;

struct Entry {
  Factory make;
  bool vector = false;
  bool same_shape = false;  // needs c_in == c_out and stride 1
};

const std::map<std::string, Entry>& registry() {
  static const std::map<std::string, Entry> table = [] {
    std::map<std::string, Entry> t;
    for (int64_t k = 1; k <= 11; ++k) {
      const std::string base = "conv" + std::to_string(k) + "x" + std::to_string(k);
      t[base] = {[k](const std::string& n, const OpArgs& a) { return std::make_shared<ConvOp>(n, a, k, 1, true); }};
      t[base + "_plain"] = {
          [k](const std::string& n, const OpArgs& a) { return std::make_shared<ConvOp>(n, a, k, 1, false); }};
    }
    for (int64_t k : {3, 5}) {
      const std::string base = "dil_conv" + std::to_string(k) + "x" + std::to_string(k);
      t[base] = {[k](const std::string& n, const OpArgs& a) { return std::make_shared<ConvOp>(n, a, k, 2, true); }};
      t[base + "_plain"] = {
          [k](const std::string& n, const OpArgs& a) { return std::make_shared<ConvOp>(n, a, k, 2, false); }};
    }
    for (int64_t k : {3, 5, 7}) {
      t["sep_conv" + std::to_string(k) + "x" + std::to_string(k)] = {
          [k](const std::string& n, const OpArgs& a) { return std::make_shared<SepConvOp>(n, a, k); }};
      for (int64_t e : {1, 3, 5, 6}) {
        t["ir_k" + std::to_string(k) + "_e" + std::to_string(e)] = {[k, e](const std::string& n, const OpArgs& a) {
          return std::make_shared<InvertedResidualOp>(n, a, k, e);
        }};
      }
    }
    t["max_pool3x3"] = {[](const std::string& n, const OpArgs& a) { return std::make_shared<PoolOp>(n, a, true); }};
    t["avg_pool3x3"] = {[](const std::string& n, const OpArgs& a) { return std::make_shared<PoolOp>(n, a, false); }};
    t["skip"] = {[](const std::string&, const OpArgs& a) { return std::make_shared<SkipOp>(a); }};
    t["zero"] = {[](const std::string&, const OpArgs& a) { return std::make_shared<ZeroOp>(a); }};
    for (const char* act : {"relu", "tanh"}) {
      t[act] = {[](const std::string& n, const OpArgs&) { return std::make_shared<ActivationOp>(n); }, false, true};
    }
    t["linear"] = {[](const std::string& n, const OpArgs& a) { return std::make_shared<LinearOp>(n, a, 0); }, true};
    t["linear_relu"] = {[](const std::string& n, const OpArgs& a) { return std::make_shared<LinearOp>(n, a, 1); },
                        true};
    t["linear_tanh"] = {[](const std::string& n, const OpArgs& a) { return std::make_shared<LinearOp>(n, a, 2); },
                        true};
    return t;
  }();
  return table;
}

}  // namespace

std::vector<int64_t> same_padding(int64_t extent) {
  const int64_t total = extent - 1;
  const int64_t before = total / 2, after = total - before;
  return {before, after, before, after};  // constant_pad_nd order: left, right, top, bottom
}

Op make_op(const std::string& name, const OpArgs& args) {
  const auto& t = registry();
  const auto it = t.find(name);
  if (it == t.end()) {
    std::string valid;
    for (const auto& [n, e] : t) valid += (valid.empty() ? "" : ", ") + n;
    throw Error("unknown op '" + name + "'; valid ops: " + valid);
  }
  if (args.c_in < 1 || args.c_out < 1 || args.stride < 1) {
    throw Error("op " + name + ": channels and stride must be >= 1, got " + args_text(args));
  }
  if (it->second.same_shape && (args.c_in != args.c_out || args.stride != 1)) {
    throw Error("op " + name + " keeps its input's shape: it needs c_in == c_out and stride 1, got " + args_text(args));
  }
  if (it->second.vector && args.stride != 1) {
    throw Error("op " + name + " is a vector op: it needs stride 1, got " + args_text(args));
  }
  return it->second.make(name, args);
}

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const auto& [n, e] : registry()) names.push_back(n);
  return names;
}

bool is_vector_op(const std::string& name) {
  const auto it = registry().find(name);
  return it != registry().end() && it->second.vector;
}

}  // namespace rlnas::space
