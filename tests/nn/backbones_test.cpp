// Backbones: output shapes, hand-counted parameters, shape errors, initialisation.
#include <gtest/gtest.h>

#include "../common/error_of.h"

#include <string>
#include <vector>

#include "rlnas/core/error.h"
#include "rlnas/nn/networks.h"

namespace rlnas::nn {
namespace {

using Shape = std::vector<int64_t>;

NetOptions named(const std::string& name) {
  NetOptions options;
  options.name = name;
  return options;
}

torch::Tensor batch_of(int64_t batch, const Shape& obs_shape) {
  Shape shape{batch};
  shape.insert(shape.end(), obs_shape.begin(), obs_shape.end());
  return torch::rand(shape);
}

// Runs a batch of 2 through the backbone and checks [2, feature_dim] against `features`.
void expect_features(const NetOptions& options, const Shape& obs_shape, int64_t features) {
  auto body = make_backbone(options, obs_shape);
  EXPECT_EQ(body->feature_dim(), features) << options.name;
  const auto out = body->forward(batch_of(2, obs_shape));
  EXPECT_EQ(out.sizes(), (c10::IntArrayRef{2, features})) << options.name;
  EXPECT_TRUE(out.isfinite().all().item<bool>()) << options.name;
}

using test_util::error_of;

torch::nn::Module& child(torch::nn::Module& module, const std::string& name) { return *module.named_children()[name]; }

int64_t count_convs(torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& m : module.modules()) count += m->as<torch::nn::Conv2d>() != nullptr;
  return count;
}

TEST(BackboneRegistry, ListsEveryBackbone) {
  EXPECT_EQ(backbone_names(),
            (std::vector<std::string>{"mlp", "minatar", "nature_cnn", "impala_cnn", "resnet", "lenet"}));
}

// LeNet-5 as usually written: 28x28 -> conv 6 5x5 pad 2 -> pool -> conv 16 5x5 -> pool: 16 x 5 x 5,
// then 120 and 84 features; 61,706 parameters with LeNet's 10-way layer (84 x 10 + 10 = 850).
TEST(LeNet, HasLeNet5sShapesAndRefusesSmallImages) {
  auto body = make_backbone(named("lenet"), {1, 28, 28});
  EXPECT_EQ(body->feature_dim(), 84);
  EXPECT_EQ(body->forward(torch::zeros({3, 1, 28, 28})).sizes(), (std::vector<int64_t>{3, 84}));
  int64_t params = 0;
  for (const auto& p : body->parameters()) params += p.numel();
  EXPECT_EQ(params + 84 * 10 + 10, 61706);
  const auto message = error_of([] { make_backbone(named("lenet"), {1, 10, 10}); });
  EXPECT_NE(message.find("lenet: needs H, W >= 12"), std::string::npos) << message;
}

TEST(BackboneRegistry, UnknownNameIsAnErrorListingTheValidNames) {
  const auto message = error_of([] { make_backbone(named("vgg"), {4, 10, 10}); });
  EXPECT_NE(message.find("'vgg'"), std::string::npos) << message;
  for (const auto& name : backbone_names()) EXPECT_NE(message.find(name), std::string::npos) << message;
}

TEST(BackboneRegistry, RejectsEmptyOrNonPositiveObservationShapes) {
  EXPECT_THROW(make_backbone(named("mlp"), {}), Error);
  EXPECT_THROW(make_backbone(named("minatar"), {4, 0, 10}), Error);
}

TEST(CnnBackbones, RejectVectorObservationsNamingBackboneAndShape) {
  for (const std::string name : {"minatar", "nature_cnn", "impala_cnn", "resnet", "lenet"}) {
    const auto message = error_of([&] { make_backbone(named(name), {4}); });
    EXPECT_NE(message.find(name), std::string::npos) << message;
    EXPECT_NE(message.find("[4]"), std::string::npos) << message;
  }
}

TEST(Backbones, RejectABatchOfTheWrongObservationShape) {
  auto body = make_backbone(named("minatar"), {10, 10, 10});
  const auto message = error_of([&] { body->forward(torch::zeros({2, 4, 10, 10})); });
  EXPECT_NE(message.find("[B, 10, 10, 10]"), std::string::npos) << message;
  EXPECT_NE(message.find("[2, 4, 10, 10]"), std::string::npos) << message;
  EXPECT_THROW(body->forward(torch::zeros({10, 10, 10})), Error);  // missing batch dimension
}

TEST(Backbones, UseOrthogonalWeightsWithGainSqrt2AndZeroBiases) {
  auto body = make_backbone(named("minatar"), {4, 10, 10});
  auto params = body->named_parameters();
  for (const std::string layer : {"conv", "fc"}) {
    const auto w = params[layer + ".weight"].flatten(1);  // rows <= columns: orthogonal rows
    const auto gram = w.matmul(w.t());
    EXPECT_TRUE(torch::allclose(gram, 2.0 * torch::eye(w.size(0)), /*rtol=*/0, /*atol=*/1e-4)) << layer;
    EXPECT_EQ(params[layer + ".bias"].abs().sum().item<float>(), 0.0f) << layer;
  }
}

TEST(MlpBackbone, MapsVectorsToTheLastHiddenWidth) {
  expect_features(named("mlp"), {4}, 64);
  NetOptions wide = named("mlp");
  wide.mlp_hidden = {32, 16, 8};
  expect_features(wide, {4}, 8);
  expect_features(named("mlp"), {4, 10, 10}, 64);  // images are flattened
}

TEST(MlpBackbone, HasHandCountedParameters) {
  // 4 -> 64: 4*64 + 64 = 320; 64 -> 64: 64*64 + 64 = 4160.
  EXPECT_EQ(count_parameters(*make_backbone(named("mlp"), {4})), 320 + 4160);
}

TEST(MlpBackbone, WithoutHiddenLayersIsTheFlatteningIdentity) {
  NetOptions options = named("mlp");
  options.mlp_hidden = {};
  auto body = make_backbone(options, {2, 3});
  EXPECT_EQ(body->feature_dim(), 6);
  EXPECT_EQ(count_parameters(*body), 0);
  const auto obs = batch_of(5, {2, 3});
  EXPECT_TRUE(torch::equal(body->forward(obs), obs.view({5, 6})));
}

TEST(MlpBackbone, AppliesTheChosenActivation) {
  NetOptions options = named("mlp");
  const auto obs = 10 * torch::randn({64, 4});
  const auto tanh_out = make_backbone(options, {4})->forward(obs);
  EXPECT_LT(tanh_out.abs().max().item<float>(), 1.0f);
  EXPECT_LT(tanh_out.min().item<float>(), 0.0f);
  options.activation = "relu";
  const auto relu_out = make_backbone(options, {4})->forward(obs);
  EXPECT_GE(relu_out.min().item<float>(), 0.0f);
  EXPECT_GT(relu_out.max().item<float>(), 1.0f);
  options.activation = "gelu";
  EXPECT_THROW(make_backbone(options, {4}), Error);
  options.activation = "relu";
  options.mlp_hidden = {64, 0};
  EXPECT_THROW(make_backbone(options, {4}), Error);
}

TEST(MinAtarNet, HasTheMinAtarPaperShapes) {
  expect_features(named("minatar"), {4, 10, 10}, 128);
  expect_features(named("minatar"), {10, 10, 10}, 128);
  // conv 3x3 unpadded: 10x10 -> 8x8, 16 * 8 * 8 = 1024 inputs to the linear layer.
  EXPECT_EQ(count_parameters(*make_backbone(named("minatar"), {4, 10, 10})), (4 * 16 * 9 + 16) + (1024 * 128 + 128));
  EXPECT_EQ(count_parameters(*make_backbone(named("minatar"), {4, 10, 10})), 131792);
  EXPECT_EQ(count_parameters(*make_backbone(named("minatar"), {10, 10, 10})), (10 * 16 * 9 + 16) + 131200);
}

TEST(MinAtarNet, RejectsFramesSmallerThanItsKernel) {
  EXPECT_THROW(make_backbone(named("minatar"), {4, 2, 10}), Error);
  expect_features(named("minatar"), {4, 3, 3}, 128);
}

TEST(NatureCnn, HasTheDqnNatureShapesAndParameterCount) {
  expect_features(named("nature_cnn"), {4, 84, 84}, 512);
  // 84 -> 20 -> 9 -> 7: 64 * 7 * 7 = 3136 inputs to the linear layer.
  const int64_t expected = (32 * 4 * 64 + 32) + (64 * 32 * 16 + 64) + (64 * 64 * 9 + 64) + (3136 * 512 + 512);
  EXPECT_EQ(expected, 1684128);
  EXPECT_EQ(count_parameters(*make_backbone(named("nature_cnn"), {4, 84, 84})), expected);
}

TEST(NatureCnn, RejectsInputsTooSmallForItsKernelsSayingTheMinimum) {
  // 36 -> 8 -> 3 -> 1 is the smallest frame every conv still fits in.
  expect_features(named("nature_cnn"), {1, 36, 36}, 512);
  const auto message = error_of([] { make_backbone(named("nature_cnn"), {4, 35, 84}); });
  EXPECT_NE(message.find("36"), std::string::npos) << message;
  EXPECT_NE(message.find("[4, 35, 84]"), std::string::npos) << message;
  EXPECT_THROW(make_backbone(named("nature_cnn"), {4, 10, 10}), Error);
}

TEST(ImpalaCnn, MapsAtariAndMinAtarFramesTo256Features) {
  expect_features(named("impala_cnn"), {4, 84, 84}, 256);
  expect_features(named("impala_cnn"), {4, 10, 10}, 256);
  expect_features(named("impala_cnn"), {10, 10, 10}, 256);
}

TEST(ImpalaCnn, HasHandCountedParametersFor84x84) {
  const auto conv = [](int64_t in, int64_t out) { return in * out * 9 + out; };
  // Each stage: a conv and two residual blocks of two convs; 84 -> 42 -> 21 -> 11.
  const int64_t expected = conv(4, 16) + 4 * conv(16, 16) + conv(16, 32) + 4 * conv(32, 32) + conv(32, 32) +
                           4 * conv(32, 32) + (32 * 11 * 11 * 256 + 256);
  EXPECT_EQ(count_parameters(*make_backbone(named("impala_cnn"), {4, 84, 84})), expected);
}

TEST(ImpalaCnn, BuildsOneStageOfFiveConvsPerConfiguredChannelCount) {
  NetOptions options = named("impala_cnn");
  options.impala_channels = {8, 16};
  auto body = make_backbone(options, {4, 10, 10});
  EXPECT_EQ(count_convs(*body), 2 * 5);
  expect_features(options, {4, 10, 10}, 256);
  options.impala_channels = {};
  EXPECT_THROW(make_backbone(options, {4, 10, 10}), Error);
  options.impala_channels = {16, -1};
  EXPECT_THROW(make_backbone(options, {4, 10, 10}), Error);
}

TEST(ResNet, MapsAtariAndMinAtarFramesToResnetFeatures) {
  expect_features(named("resnet"), {4, 84, 84}, 256);
  expect_features(named("resnet"), {10, 10, 10}, 256);
  NetOptions narrow = named("resnet");
  narrow.resnet_features = 32;
  expect_features(narrow, {4, 10, 10}, 32);
}

TEST(ResNet, AcceptsOnlyTheDepths14_20_38_74) {
  for (int64_t depth : {0, 8, 18, 32, 56, 110}) {
    NetOptions options = named("resnet");
    options.resnet_depth = depth;
    const auto message = error_of([&] { make_backbone(options, {4, 10, 10}); });
    EXPECT_NE(message.find(std::to_string(depth)), std::string::npos) << message;
  }
}

TEST(ResNet, HasThreeStagesOfNBasicBlocks) {
  for (int64_t depth : {14, 20, 38, 74}) {
    const int64_t n = (depth - 2) / 6;
    NetOptions options = named("resnet");
    options.resnet_depth = depth;
    auto body = make_backbone(options, {4, 10, 10});
    EXPECT_EQ(child(*body, "blocks").as<torch::nn::Sequential>()->size(), static_cast<size_t>(3 * n)) << depth;
    // The stem, two convs per block, and a 1x1 projection where stages 2 and 3 change shape.
    EXPECT_EQ(count_convs(*body), 1 + 6 * n + 2) << depth;
  }
}

TEST(ResNet, Resnet20HasHandCountedParameters) {
  const auto conv = [](int64_t in, int64_t out) { return in * out * 9 + out; };
  const int64_t stage1 = 6 * conv(16, 16);
  const int64_t stage2 = conv(16, 32) + 5 * conv(32, 32) + 16 * 32;  // 1x1 projection, no bias
  const int64_t stage3 = conv(32, 64) + 5 * conv(64, 64) + 32 * 64;
  const int64_t expected = conv(4, 16) + stage1 + stage2 + stage3 + (64 * 256 + 256);
  EXPECT_EQ(count_parameters(*make_backbone(named("resnet"), {4, 84, 84})), expected);
}

TEST(ResNet, FirstConvHasStrideTwoOnlyForFramesOfAtLeast32) {
  const auto stem_stride = [](const Shape& shape) {
    auto body = make_backbone(named("resnet"), shape);
    return (*child(*body, "stem").as<torch::nn::Conv2d>()->options.stride())[0];
  };
  EXPECT_EQ(stem_stride({4, 84, 84}), 2);
  EXPECT_EQ(stem_stride({4, 32, 40}), 2);
  EXPECT_EQ(stem_stride({4, 31, 84}), 1);
  EXPECT_EQ(stem_stride({4, 10, 10}), 1);
}

TEST(ResNet, DeepestNetworkStartsWithBoundedFeatures) {
  // Without BatchNorm the residual sums would grow with depth; the scaled branch init keeps
  // ResNet-74's initial features on the scale of ResNet-14's.
  torch::manual_seed(0);
  for (int64_t depth : {14, 74}) {
    NetOptions options = named("resnet");
    options.resnet_depth = depth;
    const auto features = make_backbone(options, {4, 84, 84})->forward(batch_of(2, {4, 84, 84}));
    const float rms = features.square().mean().sqrt().item<float>();
    EXPECT_GT(rms, 0.01f) << depth;
    EXPECT_LT(rms, 10.0f) << depth;
  }
}

}  // namespace
}  // namespace rlnas::nn
