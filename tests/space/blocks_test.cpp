// The A2D blocks space: 9^14 architectures, decisions, validation, built networks.
#include <gtest/gtest.h>

#include "../common/error_of.h"

#include <set>
#include <string>
#include <vector>

#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "rlnas/space/cost.h"
#include "rlnas/space/space.h"

namespace rlnas::space {
namespace {

using nlohmann::json;

using test_util::error_of;

const SearchSpace& blocks() { return find_space("blocks"); }
Architecture resnet_like() { return find_named_architecture("blocks/resnet-like").arch; }

Architecture all_blocks(const std::string& op) {
  json choices = json::object();
  for (const auto& d : blocks().decisions()) choices[d.name] = op;
  return blocks().make(choices);
}

torch::Tensor features_of(nn::Backbone& net, const std::vector<int64_t>& obs_shape, int64_t batch = 2) {
  std::vector<int64_t> shape{batch};
  shape.insert(shape.end(), obs_shape.begin(), obs_shape.end());
  return net->forward(torch::rand(shape));
}

const std::vector<std::string> kOps = {"conv3x3",  "conv5x5",  "ir_k3_e1", "ir_k3_e3", "ir_k3_e5",
                                       "ir_k5_e1", "ir_k5_e3", "ir_k5_e5", "skip"};

// ---------------------------------------------------------------------------------------------
TEST(BlocksSpace, SizeIsNineToTheFourteenth) {
  EXPECT_EQ(blocks().size(), uint64_t{22876792454961});
  uint64_t n = 1;
  for (int i = 0; i < 14; ++i) n *= 9;
  EXPECT_EQ(blocks().size(), n);
  EXPECT_EQ(blocks().default_input_shape(), (std::vector<int64_t>{4, 84, 84}));
}

TEST(BlocksSpace, FourteenBlocksInGroupsOfFiveFourFive) {
  std::vector<std::string> names;
  for (const auto& d : blocks().decisions()) {
    names.push_back(d.name);
    std::vector<std::string> options;
    for (const auto& o : d.options) options.push_back(o.get<std::string>());
    EXPECT_EQ(options, kOps) << d.name;
    EXPECT_FALSE(d.doc.empty()) << d.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"group1.block1", "group1.block2", "group1.block3", "group1.block4",
                                             "group1.block5", "group2.block1", "group2.block2", "group2.block3",
                                             "group2.block4", "group3.block1", "group3.block2", "group3.block3",
                                             "group3.block4", "group3.block5"}));
}

TEST(BlocksSpace, SampledArchitecturesRoundTripThroughJson) {
  Mt19937 rng(1);
  for (int i = 0; i < 20; ++i) {
    const auto arch = blocks().sample(rng);
    EXPECT_NO_THROW(blocks().validate(arch));
    const auto back = Architecture::parse(arch.canonical_json());
    EXPECT_EQ(back, arch);
    EXPECT_EQ(Architecture::from_json(arch.to_json()).id(), arch.id());
  }
}

TEST(BlocksSpace, ValidateNamesTheDecision) {
  auto arch = resnet_like();
  arch.choices["group2.block3"] = "sep_conv3x3";
  auto message = error_of([&] { blocks().validate(arch); });
  EXPECT_NE(message.find("group2.block3"), std::string::npos) << message;
  EXPECT_NE(message.find("sep_conv3x3"), std::string::npos) << message;

  arch = resnet_like();
  arch.choices.erase("group3.block5");
  message = error_of([&] { blocks().validate(arch); });
  EXPECT_NE(message.find("group3.block5"), std::string::npos) << message;

  arch = resnet_like();
  arch.choices["group2.block5"] = "conv3x3";  // group 2 has four blocks
  message = error_of([&] { blocks().validate(arch); });
  EXPECT_NE(message.find("group2.block5"), std::string::npos) << message;
}

TEST(BlocksSpace, MutateChangesExactlyOneDecision) {
  Mt19937 rng(2);
  auto arch = resnet_like();
  for (int i = 0; i < 30; ++i) {
    const auto mutant = blocks().mutate(arch, rng);
    int changed = 0;
    for (const auto& d : blocks().decisions()) changed += arch.choices[d.name] != mutant.choices[d.name];
    EXPECT_EQ(changed, 1);
    arch = mutant;
  }
}

TEST(BlocksSpace, EnumerateRefusesTheHugeSpace) {
  const auto message = error_of([] { blocks().enumerate(); });
  EXPECT_NE(message.find("22,876,792,454,961"), std::string::npos) << message;
}

TEST(BlocksSpace, DescribeGivesOneLinePerLayer) {
  const auto lines = blocks().describe(resnet_like());
  ASSERT_EQ(lines.size(), 1u + 14 + 1);
  EXPECT_NE(lines.front().find("stem"), std::string::npos) << lines.front();
  EXPECT_EQ(lines[1], "group1.block1 = conv3x3 16 -> 16");
  EXPECT_EQ(lines[6], "group2.block1 = conv3x3 16 -> 32, stride 2");
  EXPECT_EQ(lines[7], "group2.block2 = conv3x3 32 -> 32");
  EXPECT_EQ(lines[10], "group3.block1 = conv3x3 32 -> 64, stride 2");
  EXPECT_EQ(lines.back(), "head = global average pool, linear 64 -> 256 + ReLU");
}

TEST(BlocksSpace, ResNetLikeIsAllConv3x3) {
  const auto& named = find_named_architecture("blocks/resnet-like");
  EXPECT_EQ(named.arch.space, "blocks");
  EXPECT_FALSE(named.description.empty());
  EXPECT_EQ(named.arch, all_blocks("conv3x3"));
}

// ---------------------------------------------------------------------------------------------
TEST(BlocksNetwork, SampledNetworksMapMinAtarFramesToFeatures) {
  Mt19937 rng(3);
  for (int i = 0; i < 5; ++i) {
    auto net = blocks().build(blocks().sample(rng), {4, 10, 10});
    EXPECT_EQ(net->feature_dim(), 256);
    const auto out = features_of(net, {4, 10, 10}, 3);
    EXPECT_EQ(out.sizes(), (c10::IntArrayRef{3, 256}));
    EXPECT_TRUE(out.isfinite().all().item<bool>());
  }
}

TEST(BlocksNetwork, AtariFramesGiveFeaturesToo) {
  auto net = blocks().build(resnet_like(), {4, 84, 84});
  EXPECT_EQ(features_of(net, {4, 84, 84}).sizes(), (c10::IntArrayRef{2, 256}));
}

TEST(BlocksNetwork, ResNetLikeParametersMatchAHandCount) {
  auto net = blocks().build(resnet_like(), {4, 10, 10});
  const int64_t stem = 4 * 16 * 9 + 16;
  const int64_t group1 = 5 * (16 * 16 * 9 + 16);
  const int64_t group2 = (16 * 32 * 9 + 32) + 3 * (32 * 32 * 9 + 32);
  const int64_t group3 = (32 * 64 * 9 + 64) + 4 * (64 * 64 * 9 + 64);
  const int64_t head = 64 * 256 + 256;
  EXPECT_EQ(nn::count_parameters(*net), stem + group1 + group2 + group3 + head);
  EXPECT_EQ(nn::count_parameters(*net), 227424);
}

TEST(BlocksNetwork, StemStridesTwoFromThirtyTwoPixels) {
  // As the resnet backbone: a 32x32 frame is halved by the stem, a 31x31 one is not, so the
  // larger frame costs fewer multiply-accumulates. Stem at 31x31: 961 * 16 * 36.
  auto cost = [](const std::vector<int64_t>& shape) {
    auto net = blocks().build(resnet_like(), shape);
    return measure_cost(
        *net, [&](const torch::Tensor& x) { return net->forward(x); }, shape);
  };
  const auto small = cost({4, 31, 31}), large = cost({4, 32, 32});
  EXPECT_LT(large.macs, small.macs);
  EXPECT_EQ(small.params, large.params);
  // Stems alone: 31 * 31 * 16 * 36 vs 16 * 16 * 16 * 36; group 1 keeps the stem's map.
  const int64_t group1_small = 5 * 31 * 31 * 16 * 144, group1_large = 5 * 16 * 16 * 16 * 144;
  EXPECT_EQ(small.macs - large.macs, (31 * 31 - 16 * 16) * 16 * 36 + (group1_small - group1_large) +
                                         /*group2 16x16 vs 8x8*/ ((16 * 16 - 8 * 8) * (32 * 144 + 3 * 32 * 288)) +
                                         /*group3 8x8 vs 4x4*/ ((8 * 8 - 4 * 4) * (64 * 288 + 4 * 64 * 576)));
}

TEST(BlocksNetwork, GradientsReachEveryParameter) {
  Mt19937 rng(4);
  std::vector<Architecture> archs{resnet_like(), all_blocks("ir_k5_e3"), all_blocks("skip")};
  for (int i = 0; i < 3; ++i) archs.push_back(blocks().sample(rng));
  for (const auto& arch : archs) {
    auto net = blocks().build(arch, {4, 10, 10});
    features_of(net, {4, 10, 10}, 4).sum().backward();
    for (const auto& p : net->named_parameters()) {
      ASSERT_TRUE(p.value().grad().defined()) << arch.canonical_json() << ": no gradient for " << p.key();
      EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0)
          << arch.canonical_json() << ": zero gradient for " << p.key();
    }
  }
}

TEST(BlocksNetwork, ResidualStacksStartWithModestFeatures) {
  // Fixup-style gains on the inverted residuals' last conv keep 14 residual sums bounded.
  for (const char* op : {"ir_k3_e5", "ir_k5_e1", "conv3x3"}) {
    auto net = blocks().build(all_blocks(op), {4, 10, 10});
    torch::NoGradGuard no_grad;
    const auto rms = features_of(net, {4, 10, 10}, 8).square().mean().sqrt().item<double>();
    EXPECT_LT(rms, 10.0) << op;
    EXPECT_GT(rms, 1e-3) << op;
  }
}

TEST(BlocksNetwork, RejectsObservationsItWasNotBuiltFor) {
  auto message = error_of([] { blocks().build(resnet_like(), {4}); });
  EXPECT_NE(message.find("[C, H, W]"), std::string::npos) << message;
  auto net = blocks().build(resnet_like(), {4, 10, 10});
  message = error_of([&] { net->forward(torch::rand({2, 4, 84, 84})); });
  EXPECT_NE(message.find("[B, 4, 10, 10]"), std::string::npos) << message;
}

}  // namespace
}  // namespace rlnas::space
