// `image/small`: small CNNs for 28x28 images, the supervised workload's benchmark space. A fixed
// stem (conv 3x3, 1 -> 16, ReLU) and four chosen layers, each one op of the op library:
//   layer1  28x28, 16 -> 16, stride 1: conv3x3 | conv5x5 | sep_conv3x3 | skip
//   layer2  28 -> 14, 16 -> 32, stride 2: conv3x3 | conv5x5 | max_pool3x3 | avg_pool3x3
//   layer3  14x14, 32 -> 32, stride 1: conv3x3 | conv5x5 | ir_k3_e3 (residual) | skip
//   layer4  14 -> 7, 32 -> 32, stride 2: conv3x3 | conv5x5 | max_pool3x3 | avg_pool3x3
// then the flattened 32 x 7 x 7 map as features. 4^4 = 256 architectures that differ in depth (skip
// removes a layer), kernel, separable and inverted-residual convs, and pooling against strided
// convs; at most 13.9 M multiply-adds per 28x28 image. Built through an OpChooser, so its
// single-path and mixed supernets come from the same code (supernet.h, mixed.h).
#include "builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/space/ops.h"

namespace rlnas::space::detail {
namespace {

struct ImageLayer {
  std::vector<std::string> ops;
  int64_t c_out, stride;
};

const std::vector<ImageLayer>& image_layers() {
  static const std::vector<ImageLayer> layers = {
      {{"conv3x3", "conv5x5", "sep_conv3x3", "skip"}, 16, 1},
      {{"conv3x3", "conv5x5", "max_pool3x3", "avg_pool3x3"}, 32, 2},
      {{"conv3x3", "conv5x5", "ir_k3_e3", "skip"}, 32, 1},
      {{"conv3x3", "conv5x5", "max_pool3x3", "avg_pool3x3"}, 32, 2},
  };
  return layers;
}
constexpr int64_t kStemChannels = 16;

std::string layer_key(size_t i) { return "layer" + std::to_string(i + 1); }

class ImageNetwork final : public SpaceBackbone {
 public:
  ImageNetwork(std::string label, const std::vector<int64_t>& obs_shape, const OpChooser& choose)
      : SpaceBackbone(std::move(label), obs_shape) {
    stem_ = register_module("stem", make_op("conv3x3", {.c_in = obs_shape[0], .c_out = kStemChannels, .stride = 1}));
    int64_t c = kStemChannels, h = obs_shape[1], w = obs_shape[2];
    const auto& layers = image_layers();
    for (size_t i = 0; i < layers.size(); ++i) {
      const OpArgs args{.c_in = c, .c_out = layers[i].c_out, .stride = layers[i].stride};
      std::vector<Candidate> candidates;
      for (const auto& op : layers[i].ops) candidates.push_back({op, op, args});
      layers_.push_back(register_module(layer_key(i), choose(layer_key(i), candidates)));
      c = layers[i].c_out;
      h = op_output_size(h, layers[i].stride);
      w = op_output_size(w, layers[i].stride);
    }
    feature_dim_ = c * h * w;
    init_weights(*this);
  }

  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    auto x = stem_->forward(obs);
    for (auto& op : layers_) x = op->forward(x);
    return x.flatten(1);
  }

 private:
  Op stem_;
  std::vector<Op> layers_;
};

class ImageSpace final : public SearchSpace {
 public:
  std::string name() const override { return "image/small"; }
  std::string description() const override {
    return "Small CNNs for 28x28 images (the supervised workload's benchmark space): a fixed stem (conv 3x3, 16 "
           "channels) and four layers each choosing an op: layer1 (28x28, 16) conv3x3 | conv5x5 | sep_conv3x3 | skip; "
           "layer2 (to 14x14, 32) conv3x3 | conv5x5 | max_pool3x3 | avg_pool3x3; layer3 (14x14, 32) conv3x3 | conv5x5 "
           "| ir_k3_e3 | skip; layer4 (to 7x7, 32) as layer2; the flattened 32x7x7 map is the feature vector. "
           "256 architectures, at most 13.9 M multiply-adds per 28x28 image";
  }
  std::vector<int64_t> default_input_shape() const override { return {1, 28, 28}; }
  std::vector<std::string> baselines() const override { return {"net:lenet"}; }
  std::vector<Decision> decisions() const override {
    std::vector<Decision> out;
    const auto& layers = image_layers();
    for (size_t i = 0; i < layers.size(); ++i) {
      out.push_back({layer_key(i),
                     {layers[i].ops.begin(), layers[i].ops.end()},
                     "op of layer " + std::to_string(i + 1) + " (" + std::to_string(layers[i].c_out) +
                         " channels, stride " + std::to_string(layers[i].stride) + ")"});
    }
    return out;
  }
  nn::Backbone build(const Architecture& arch, const std::vector<int64_t>& obs_shape) const override {
    validate(arch);
    require_image(name(), obs_shape);
    const OpChooser pick = [&](const std::string& decision, const std::vector<Candidate>& candidates) {
      const auto& chosen = arch.choices.at(decision);
      for (const auto& c : candidates) {
        if (c.value == chosen) return make_op(c.op, c.args);
      }
      throw Error("image/small: " + decision + ": no op " + chosen.dump());  // validate() refused it already
    };
    return std::make_shared<ImageNetwork>(arch.space + ", " + arch.short_id(), obs_shape, pick);
  }
  nn::Backbone build_with(const std::vector<int64_t>& obs_shape, const OpChooser& choose) const override {
    require_image(name(), obs_shape);
    return std::make_shared<ImageNetwork>(name() + ", supernet", obs_shape, choose);
  }
  std::vector<std::string> describe(const Architecture& arch) const override {
    std::vector<std::string> lines = {"stem    conv3x3 1 -> 16 + ReLU  (28x28)"};
    const auto& layers = image_layers();
    int64_t c = kStemChannels, h = 28;
    for (size_t i = 0; i < layers.size(); ++i) {
      h = op_output_size(h, layers[i].stride);
      lines.push_back(layer_key(i) + "  " + arch.choices.at(layer_key(i)).get<std::string>() + "  " +
                      std::to_string(c) + " -> " + std::to_string(layers[i].c_out) + "  stride " +
                      std::to_string(layers[i].stride) + "  -> " + std::to_string(h) + "x" + std::to_string(h));
      c = layers[i].c_out;
    }
    lines.push_back("features  flatten " + std::to_string(c * h * h) + " (at 28x28)");
    return lines;
  }
};

}  // namespace

std::unique_ptr<SearchSpace> make_image_space() { return std::make_unique<ImageSpace>(); }

}  // namespace rlnas::space::detail
