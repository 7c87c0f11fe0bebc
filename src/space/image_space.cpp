// `image/small`: small CNNs for 28x28 images (the supervised workload's benchmark space). Two
// stages, each 1 or 2 convs (kernel 3 or 5, 8/16 then 16/32 channels, each followed by ReLU),
// optionally with a residual 1x1 projection of the stage input added to its output, then a 2x2
// pooling (max or average, the same after both stages); the features are the flattened map
// (32 x 7 x 7 at most for 28x28). 2^8 = 256 architectures, at most 13.0 M multiply-adds per 28x28
// image (stage 1: 16 channels, kernel 5, depth 2; stage 2: 32, 5, 2; residual).
#include "builtin.h"
#include "rlnas/core/error.h"

namespace rlnas::space::detail {
namespace {

struct StageChoice {
  int64_t width, kernel, depth;
};

class ImageStage : public torch::nn::Module {
 public:
  ImageStage(int64_t c_in, const StageChoice& s, bool residual) {
    for (int64_t i = 0; i < s.depth; ++i) {
      convs_.push_back(register_module(
          "conv" + std::to_string(i + 1),
          torch::nn::Conv2d(torch::nn::Conv2dOptions(i == 0 ? c_in : s.width, s.width, s.kernel).padding(s.kernel / 2))));
    }
    if (residual) proj_ = register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(c_in, s.width, 1)));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto h = x;
    for (auto& c : convs_) h = torch::relu(c->forward(h));
    return proj_ ? h + proj_->forward(x) : h;
  }

 private:
  std::vector<torch::nn::Conv2d> convs_;
  torch::nn::Conv2d proj_{nullptr};
};

class ImageNetwork final : public SpaceBackbone {
 public:
  ImageNetwork(const Architecture& arch, const std::vector<int64_t>& obs_shape) : SpaceBackbone(arch, obs_shape) {
    if (obs_shape.size() != 3 || obs_shape[1] < 4 || obs_shape[2] < 4) {
      std::string shape;
      for (auto d : obs_shape) shape += (shape.empty() ? "" : "x") + std::to_string(d);
      throw Error("image/small: needs image inputs C x H x W with H, W >= 4 (two 2x2 poolings), got " + shape);
    }
    const auto& c = arch.choices;
    const bool residual = c.at("skip").get<std::string>() == "residual";
    max_pool_ = c.at("pool").get<std::string>() == "max";
    const StageChoice s1{c.at("stage1.width").get<int64_t>(), c.at("stage1.kernel").get<int64_t>(),
                         c.at("stage1.depth").get<int64_t>()};
    const StageChoice s2{c.at("stage2.width").get<int64_t>(), c.at("stage2.kernel").get<int64_t>(),
                         c.at("stage2.depth").get<int64_t>()};
    stage1_ = register_module("stage1", std::make_shared<ImageStage>(obs_shape[0], s1, residual));
    stage2_ = register_module("stage2", std::make_shared<ImageStage>(s1.width, s2, residual));
    feature_dim_ = s2.width * (obs_shape[1] / 4) * (obs_shape[2] / 4);
    init_weights(*this);
  }
  torch::Tensor forward(const torch::Tensor& obs) override {
    check_batch(obs);
    const auto pool = [&](const torch::Tensor& x) {
      return max_pool_ ? torch::max_pool2d(x, 2) : torch::avg_pool2d(x, 2);
    };
    return pool(stage2_->forward(pool(stage1_->forward(obs)))).flatten(1);
  }

 private:
  bool max_pool_ = true;
  std::shared_ptr<ImageStage> stage1_, stage2_;
};

class ImageSpace final : public SearchSpace {
 public:
  std::string name() const override { return "image/small"; }
  std::string description() const override {
    return "Small CNNs for 28x28 images (the supervised workload's benchmark space): two stages of 1 or 2 convs "
           "(kernel 3 or 5; 8 or 16, then 16 or 32 channels; ReLU after each), optionally a residual 1x1 projection "
           "of each stage's input added to its output, a 2x2 max or average pooling after each stage; the flattened "
           "map is the feature vector. 256 architectures, at most 13.0 M multiply-adds per 28x28 image";
  }
  std::vector<int64_t> default_input_shape() const override { return {1, 28, 28}; }
  std::vector<Decision> decisions() const override {
    return {{"stage1.width", {8, 16}, "channels of stage 1's convs (28x28)"},
            {"stage1.kernel", {3, 5}, "kernel of stage 1's convs"},
            {"stage1.depth", {1, 2}, "convs in stage 1"},
            {"stage2.width", {16, 32}, "channels of stage 2's convs (14x14)"},
            {"stage2.kernel", {3, 5}, "kernel of stage 2's convs"},
            {"stage2.depth", {1, 2}, "convs in stage 2"},
            {"pool", {"max", "avg"}, "the 2x2 pooling after each stage"},
            {"skip", {"none", "residual"}, "a 1x1 projection of each stage's input added to its output"}};
  }
  nn::Backbone build(const Architecture& arch, const std::vector<int64_t>& obs_shape) const override {
    validate(arch);
    return std::make_shared<ImageNetwork>(arch, obs_shape);
  }
};

}  // namespace

std::unique_ptr<SearchSpace> make_image_space() { return std::make_unique<ImageSpace>(); }

}  // namespace rlnas::space::detail
