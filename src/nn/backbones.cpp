// The fixed backbones (MLP, MinAtar net, Nature-CNN, IMPALA-CNN, CIFAR ResNet-N) and the
// name -> factory table that make_backbone reads.
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "layer_init.h"
#include "rlnas/core/error.h"
#include "rlnas/nn/networks.h"

namespace rlnas::nn {
namespace {

using detail::shape_to_string;

// Every backbone knows the observation shape it was built for and rejects other batches with a
// readable error instead of a shape mismatch deep inside a conv or matmul.
class CheckedBackbone : public BackboneImpl {
 public:
  int64_t feature_dim() const override { return feature_dim_; }

 protected:
  CheckedBackbone(std::string name, std::vector<int64_t> obs_shape)
      : name_(std::move(name)), obs_shape_(std::move(obs_shape)) {}

  void check_batch(const torch::Tensor& obs) const {
    const auto sizes = obs.sizes();
    if (sizes.size() == obs_shape_.size() + 1 && sizes.slice(1) == c10::IntArrayRef(obs_shape_)) return;
    throw Error(name_ + ": expected an observation batch [B, " + shape_to_string(obs_shape_).substr(1) + ", got " +
                shape_to_string(sizes));
  }

  void print_header(std::ostream& stream) const {
    stream << "rlnas::nn::Backbone(" << name_ << ", obs=" << shape_to_string(obs_shape_)
           << ", features=" << feature_dim_;
  }

  std::string name_;
  std::vector<int64_t> obs_shape_;
  int64_t feature_dim_ = 0;
};

// The image backbones take [C, H, W]; a vector observation needs the mlp backbone.
void require_image_shape(const std::string& name, const std::vector<int64_t>& obs_shape) {
  if (obs_shape.size() != 3) {
    throw Error(name + ": expected an image observation shape [C, H, W], got " + shape_to_string(obs_shape) +
                (obs_shape.size() == 1 ? " (a vector observation: use the mlp backbone)" : ""));
  }
}

// One unpadded conv (or pool) layer of a fixed stack.
struct ConvSpec {
  int64_t out_channels, kernel, stride;
};

int64_t conv_out_size(int64_t in, const ConvSpec& conv) {
  return in < conv.kernel ? 0 : (in - conv.kernel) / conv.stride + 1;
}

// Smallest input side for which every layer of `stack` still has an output of size >= 1.
template <size_t N>
int64_t min_input_size(const std::array<ConvSpec, N>& stack) {
  int64_t size = 1;
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) size = it->kernel + it->stride * (size - 1);
  return size;
}

// ---------------------------------------------------------------------------------------------
// mlp: flatten, then Linear + activation per hidden width (CleanRL's classic-control agents).
class MlpBackbone final : public CheckedBackbone {
 public:
  MlpBackbone(const NetOptions& options, const std::vector<int64_t>& obs_shape) : CheckedBackbone("mlp", obs_shape) {
    if (options.activation != "tanh" && options.activation != "relu") {
      throw Error("mlp: activation must be tanh or relu, got '" + options.activation + "'");
    }
    int64_t width = std::accumulate(obs_shape.begin(), obs_shape.end(), int64_t{1}, std::multiplies<>());
    layers_ = register_module("layers", torch::nn::Sequential());
    for (size_t i = 0; i < options.mlp_hidden.size(); ++i) {
      const int64_t hidden = options.mlp_hidden[i];
      if (hidden < 1) {
        throw Error("mlp: mlp_hidden widths must be >= 1, got " + std::to_string(hidden) + " at index " +
                    std::to_string(i));
      }
      layers_->push_back(torch::nn::Linear(width, hidden));
      if (options.activation == "tanh") {
        layers_->push_back(torch::nn::Tanh());
      } else {
        layers_->push_back(torch::nn::ReLU());
      }
      width = hidden;
    }
    feature_dim_ = width;
    detail::init_hidden_layers(*this);
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    const auto x = obs.flatten(1);
    // An empty Sequential refuses forward(); no hidden layers means the identity.
    return layers_->is_empty() ? x : layers_->forward(x);
  }

  void pretty_print(std::ostream& stream) const override {
    print_header(stream);
    stream << ")";
  }

 private:
  torch::nn::Sequential layers_{nullptr};
};

// ---------------------------------------------------------------------------------------------
// minatar: Young & Tian 2019's network. The conv is unpadded (10x10 -> 8x8), as in the paper.
class MinAtarNet final : public CheckedBackbone {
 public:
  static constexpr int64_t kChannels = 16;
  static constexpr int64_t kFeatures = 128;

  explicit MinAtarNet(const std::vector<int64_t>& obs_shape) : CheckedBackbone("minatar", obs_shape) {
    require_image_shape("minatar", obs_shape);
    const ConvSpec conv{kChannels, /*kernel=*/3, /*stride=*/1};
    const int64_t h = conv_out_size(obs_shape[1], conv), w = conv_out_size(obs_shape[2], conv);
    if (h < 1 || w < 1) {
      throw Error("minatar: needs H, W >= 3 for its 3x3 unpadded conv, got observation shape " +
                  shape_to_string(obs_shape));
    }
    conv_ = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(obs_shape[0], kChannels, conv.kernel)));
    fc_ = register_module("fc", torch::nn::Linear(kChannels * h * w, kFeatures));
    feature_dim_ = kFeatures;
    detail::init_hidden_layers(*this);
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    const auto x = torch::relu(conv_->forward(obs));
    return torch::relu(fc_->forward(x.flatten(1)));
  }

  void pretty_print(std::ostream& stream) const override {
    print_header(stream);
    stream << ")";
  }

 private:
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

// ---------------------------------------------------------------------------------------------
// nature_cnn: Mnih et al. 2015's DQN network; the flatten size follows the input (3136 at 84x84).
class NatureCnn final : public CheckedBackbone {
 public:
  static constexpr std::array<ConvSpec, 3> kConvs{{{32, 8, 4}, {64, 4, 2}, {64, 3, 1}}};
  static constexpr int64_t kFeatures = 512;

  explicit NatureCnn(const std::vector<int64_t>& obs_shape) : CheckedBackbone("nature_cnn", obs_shape) {
    require_image_shape("nature_cnn", obs_shape);
    const int64_t min_size = min_input_size(kConvs);
    if (obs_shape[1] < min_size || obs_shape[2] < min_size) {
      throw Error("nature_cnn: needs H, W >= " + std::to_string(min_size) +
                  " for its 8/4/3 kernels, got observation shape " + shape_to_string(obs_shape));
    }
    convs_ = register_module("convs", torch::nn::Sequential());
    int64_t channels = obs_shape[0], h = obs_shape[1], w = obs_shape[2];
    for (const ConvSpec& conv : kConvs) {
      convs_->push_back(
          torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, conv.out_channels, conv.kernel).stride(conv.stride)));
      convs_->push_back(torch::nn::ReLU());
      channels = conv.out_channels;
      h = conv_out_size(h, conv);
      w = conv_out_size(w, conv);
    }
    fc_ = register_module("fc", torch::nn::Linear(channels * h * w, kFeatures));
    feature_dim_ = kFeatures;
    detail::init_hidden_layers(*this);
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    return torch::relu(fc_->forward(convs_->forward(obs).flatten(1)));
  }

  void pretty_print(std::ostream& stream) const override {
    print_header(stream);
    stream << ")";
  }

 private:
  torch::nn::Sequential convs_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

// Gain for the last conv of each of `num_blocks` residual branches. With sqrt(2) everywhere each
// block roughly doubles the activation variance, so features grow as 2^blocks (ResNet-74 gives
// RMS features ~1e5 on 84x84 frames) and the value head starts far off. Fixup's rule (Zhang et
// al. 2019: scale each branch by blocks^(-1/2) for two-layer branches) keeps the sum bounded at
// every depth while all weights stay orthogonal and non-zero, so every layer learns from step 1.
double residual_branch_gain(int64_t num_blocks) {
  return detail::kHiddenGain / std::sqrt(static_cast<double>(num_blocks));
}

// ---------------------------------------------------------------------------------------------
// impala_cnn: Espeholt et al. 2018, as CleanRL's ppo_procgen (ConvSequence + ResidualBlock).
torch::nn::Conv2dOptions same_conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
  return torch::nn::Conv2dOptions(in, out, /*kernel_size=*/3).stride(stride).padding(1);
}

class ImpalaResidualBlockImpl : public torch::nn::Module {
 public:
  explicit ImpalaResidualBlockImpl(int64_t channels) {
    conv0_ = register_module("conv0", torch::nn::Conv2d(same_conv3x3(channels, channels)));
    conv1_ = register_module("conv1", torch::nn::Conv2d(same_conv3x3(channels, channels)));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return x + conv1_->forward(torch::relu(conv0_->forward(torch::relu(x))));
  }
  void init_branch_output(double gain) { detail::orthogonal_init(conv1_, gain); }

 private:
  torch::nn::Conv2d conv0_{nullptr}, conv1_{nullptr};
};
TORCH_MODULE(ImpalaResidualBlock);

// conv 3x3 -> max-pool 3x3 stride 2 (halves H and W, rounding up) -> two residual blocks.
class ImpalaStageImpl : public torch::nn::Module {
 public:
  ImpalaStageImpl(int64_t in_channels, int64_t out_channels) {
    conv_ = register_module("conv", torch::nn::Conv2d(same_conv3x3(in_channels, out_channels)));
    pool_ = register_module("pool", torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2).padding(1)));
    res0_ = register_module("res0", ImpalaResidualBlock(out_channels));
    res1_ = register_module("res1", ImpalaResidualBlock(out_channels));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return res1_->forward(res0_->forward(pool_->forward(conv_->forward(x))));
  }
  void init_branch_outputs(double gain) {
    res0_->init_branch_output(gain);
    res1_->init_branch_output(gain);
  }

 private:
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::MaxPool2d pool_{nullptr};
  ImpalaResidualBlock res0_{nullptr}, res1_{nullptr};
};
TORCH_MODULE(ImpalaStage);

class ImpalaCnn final : public CheckedBackbone {
 public:
  static constexpr int64_t kFeatures = 256;

  ImpalaCnn(const NetOptions& options, const std::vector<int64_t>& obs_shape)
      : CheckedBackbone("impala_cnn", obs_shape) {
    require_image_shape("impala_cnn", obs_shape);
    if (options.impala_channels.empty())
      throw Error("impala_cnn: impala_channels must list at least one stage, got none");
    stages_ = register_module("stages", torch::nn::Sequential());
    int64_t channels = obs_shape[0], h = obs_shape[1], w = obs_shape[2];
    for (size_t i = 0; i < options.impala_channels.size(); ++i) {
      const int64_t out = options.impala_channels[i];
      if (out < 1) {
        throw Error("impala_cnn: impala_channels must be >= 1, got " + std::to_string(out) + " at index " +
                    std::to_string(i));
      }
      stages_->push_back(ImpalaStage(channels, out));
      channels = out;
      h = (h + 1) / 2;
      w = (w + 1) / 2;
    }
    fc_ = register_module("fc", torch::nn::Linear(channels * h * w, kFeatures));
    feature_dim_ = kFeatures;
    detail::init_hidden_layers(*this);
    const double branch_gain = residual_branch_gain(2 * static_cast<int64_t>(stages_->size()));
    for (auto& stage : *stages_) stage.get<ImpalaStage>()->init_branch_outputs(branch_gain);
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    const auto x = torch::relu(stages_->forward(obs));
    return torch::relu(fc_->forward(x.flatten(1)));
  }

  void pretty_print(std::ostream& stream) const override {
    print_header(stream);
    stream << ", stages=" << stages_->size() << ")";
  }

 private:
  torch::nn::Sequential stages_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

// ---------------------------------------------------------------------------------------------
// resnet: He et al. 2016's CIFAR-10 ResNet-(6n+2) with basic blocks, without BatchNorm.
//
// No BatchNorm, on purpose: PPO takes the ratio between the policy at rollout time (a batch of
// a few environments) and at update time (a minibatch of hundreds), and BatchNorm's batch
// statistics differ between the two, so the "same" policy would give different probabilities
// and the ratio would be wrong before any update. The convs keep their biases instead.
class ResNetBlockImpl : public torch::nn::Module {
 public:
  ResNetBlockImpl(int64_t in_channels, int64_t out_channels, int64_t stride) {
    conv1_ = register_module("conv1", torch::nn::Conv2d(same_conv3x3(in_channels, out_channels, stride)));
    conv2_ = register_module("conv2", torch::nn::Conv2d(same_conv3x3(out_channels, out_channels)));
    if (stride != 1 || in_channels != out_channels) {
      // The 1x1 projection has no bias: conv2's bias already shifts the sum.
      shortcut_ = register_module(
          "shortcut",
          torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 1).stride(stride).bias(false)));
    }
  }
  torch::Tensor forward(const torch::Tensor& x) {
    const auto branch = conv2_->forward(torch::relu(conv1_->forward(x)));
    return torch::relu(branch + (shortcut_ ? shortcut_->forward(x) : x));
  }
  void init_branch_output(double gain) { detail::orthogonal_init(conv2_, gain); }

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, shortcut_{nullptr};
};
TORCH_MODULE(ResNetBlock);

class ResNet final : public CheckedBackbone {
 public:
  static constexpr std::array<int64_t, 4> kDepths{14, 20, 38, 74};
  static constexpr std::array<int64_t, 3> kStageChannels{16, 32, 64};
  // A2D (Appendix C): stride 2 in the first conv for Atari-sized frames, 1 for small ones.
  static constexpr int64_t kStrideTwoFromSize = 32;

  ResNet(const NetOptions& options, const std::vector<int64_t>& obs_shape) : CheckedBackbone("resnet", obs_shape) {
    require_image_shape("resnet", obs_shape);
    if (std::find(kDepths.begin(), kDepths.end(), options.resnet_depth) == kDepths.end()) {
      throw Error("resnet: resnet_depth must be one of 14, 20, 38, 74 (6n + 2), got " +
                  std::to_string(options.resnet_depth));
    }
    if (options.resnet_features < 1) {
      throw Error("resnet: resnet_features must be >= 1, got " + std::to_string(options.resnet_features));
    }
    depth_ = options.resnet_depth;
    const int64_t blocks_per_stage = (depth_ - 2) / 6;
    const int64_t stem_stride = std::min(obs_shape[1], obs_shape[2]) >= kStrideTwoFromSize ? 2 : 1;
    stem_ = register_module("stem", torch::nn::Conv2d(same_conv3x3(obs_shape[0], kStageChannels[0], stem_stride)));
    blocks_ = register_module("blocks", torch::nn::Sequential());
    int64_t channels = kStageChannels[0];
    for (size_t stage = 0; stage < kStageChannels.size(); ++stage) {
      for (int64_t b = 0; b < blocks_per_stage; ++b) {
        const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
        blocks_->push_back(ResNetBlock(channels, kStageChannels[stage], stride));
        channels = kStageChannels[stage];
      }
    }
    fc_ = register_module("fc", torch::nn::Linear(channels, options.resnet_features));
    feature_dim_ = options.resnet_features;
    detail::init_hidden_layers(*this);
    const double branch_gain = residual_branch_gain(static_cast<int64_t>(blocks_->size()));
    for (auto& block : *blocks_) block.get<ResNetBlock>()->init_branch_output(branch_gain);
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    const auto x = blocks_->forward(torch::relu(stem_->forward(obs)));
    return torch::relu(fc_->forward(x.mean({2, 3})));  // global average pool
  }

  void pretty_print(std::ostream& stream) const override {
    print_header(stream);
    stream << ", depth=" << depth_ << ")";
  }

 private:
  int64_t depth_ = 0;
  torch::nn::Conv2d stem_{nullptr};
  torch::nn::Sequential blocks_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

// ---------------------------------------------------------------------------------------------
// lenet: LeNet-5 (LeCun et al. 1998) as it is usually written today: conv 5x5 -> 6 (padding 2),
// ReLU, max pool 2; conv 5x5 -> 16, ReLU, max pool 2; linear 120, ReLU; linear 84, ReLU (the
// features; a classifier's head adds the last linear layer). 28x28 -> 28 -> 14 -> 10 -> 5: 400 inputs to the first linear layer.
class LeNet final : public CheckedBackbone {
 public:
  static constexpr int64_t kMinSize = 12;

  explicit LeNet(const std::vector<int64_t>& obs_shape) : CheckedBackbone("lenet", obs_shape) {
    require_image_shape("lenet", obs_shape);
    if (obs_shape[1] < kMinSize || obs_shape[2] < kMinSize) {
      throw Error("lenet: needs H, W >= " + std::to_string(kMinSize) + " for its two 5x5 convs and 2x2 pools, got " +
                  "observation shape " + shape_to_string(obs_shape));
    }
    conv1_ = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(obs_shape[0], 6, 5).padding(2)));
    conv2_ = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(6, 16, 5)));
    const int64_t h = (obs_shape[1] / 2 - 4) / 2, w = (obs_shape[2] / 2 - 4) / 2;
    fc1_ = register_module("fc1", torch::nn::Linear(16 * h * w, 120));
    fc2_ = register_module("fc2", torch::nn::Linear(120, 84));
    feature_dim_ = 84;
    detail::init_hidden_layers(*this);
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    auto x = torch::max_pool2d(torch::relu(conv1_->forward(obs)), 2);
    x = torch::max_pool2d(torch::relu(conv2_->forward(x)), 2);
    return torch::relu(fc2_->forward(torch::relu(fc1_->forward(x.flatten(1)))));
  }

  void pretty_print(std::ostream& stream) const override {
    print_header(stream);
    stream << ")";
  }

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};

// ---------------------------------------------------------------------------------------------
using BackboneFactory = Backbone (*)(const NetOptions&, const std::vector<int64_t>&);
struct BackboneEntry {
  const char* name;
  BackboneFactory make;
};

const std::array<BackboneEntry, 6> kBackbones{{
    {"mlp",
     [](const NetOptions& o, const std::vector<int64_t>& s) -> Backbone {
       return std::make_shared<MlpBackbone>(o, s);
     }},
    {"minatar",
     [](const NetOptions&, const std::vector<int64_t>& s) -> Backbone { return std::make_shared<MinAtarNet>(s); }},
    {"nature_cnn",
     [](const NetOptions&, const std::vector<int64_t>& s) -> Backbone { return std::make_shared<NatureCnn>(s); }},
    {"impala_cnn",
     [](const NetOptions& o, const std::vector<int64_t>& s) -> Backbone { return std::make_shared<ImpalaCnn>(o, s); }},
    {"resnet",
     [](const NetOptions& o, const std::vector<int64_t>& s) -> Backbone { return std::make_shared<ResNet>(o, s); }},
    {"lenet",
     [](const NetOptions&, const std::vector<int64_t>& s) -> Backbone { return std::make_shared<LeNet>(s); }},
}};

}  // namespace

std::vector<std::string> backbone_names() {
  std::vector<std::string> names;
  for (const auto& entry : kBackbones) names.emplace_back(entry.name);
  return names;
}

Backbone make_backbone(const NetOptions& options, const std::vector<int64_t>& obs_shape) {
  if (options.builder) return options.builder(obs_shape);
  const auto* entry = std::find_if(kBackbones.begin(), kBackbones.end(),
                                   [&](const BackboneEntry& e) { return options.name == e.name; });
  if (entry == kBackbones.end()) {
    std::string valid;
    for (const auto& e : kBackbones) valid += (valid.empty() ? "" : ", ") + std::string(e.name);
    throw Error("unknown backbone '" + options.name + "', expected one of: " + valid);
  }
  if (obs_shape.empty() || std::any_of(obs_shape.begin(), obs_shape.end(), [](int64_t size) { return size < 1; })) {
    throw Error(std::string(entry->name) + ": observation shape must be non-empty with sizes >= 1, got " +
                shape_to_string(obs_shape));
  }
  return entry->make(options, obs_shape);
}

}  // namespace rlnas::nn
