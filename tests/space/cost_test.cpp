// The cost model against hand-computed parameters and multiply-accumulates.
#include <gtest/gtest.h>

#include "../../src/space/builtin.h"
#include "rlnas/space/cost.h"
#include "rlnas/space/ops.h"
#include "rlnas/space/space.h"

namespace rlnas::space {
namespace {

NetworkCost cost_of(const std::string& named, const std::vector<int64_t>& input) {
  const auto& n = find_named_architecture(named);
  auto net = find_space(n.arch.space).build(n.arch, input);
  return measure_cost(*net, [&](const torch::Tensor& x) { return net->forward(x); }, input);
}

TEST(Cost, NatureCnnMatchesHandCount) {
  // conv 32 8x8 s4 (84 -> 20), conv 64 4x4 s2 (-> 9), conv 64 3x3 s1 (-> 7), linear 3136 -> 512
  const auto c = cost_of("nature_cnn", {4, 84, 84});
  EXPECT_EQ(c.params, (32 * 4 * 64 + 32) + (64 * 32 * 16 + 64) + (64 * 64 * 9 + 64) + (3136 * 512 + 512));
  EXPECT_EQ(c.params, 1684128);
  EXPECT_EQ(c.macs, 20 * 20 * 32 * 256 + 9 * 9 * 64 * 512 + 7 * 7 * 64 * 576 + 3136 * 512);
  EXPECT_EQ(c.macs, 9342976);
  EXPECT_EQ(c.flops(), 2 * 9342976);
}

TEST(Cost, MinAtarNetMatchesHandCount) {
  // conv 16 3x3 unpadded (10 -> 8), linear 1024 -> 128
  const auto c = cost_of("minatar", {4, 10, 10});
  EXPECT_EQ(c.params, 131792);
  EXPECT_EQ(c.macs, 8 * 8 * 16 * 36 + 1024 * 128);
}

TEST(Cost, PaddedChainMembersMatchHandCount) {
  // minatar/ss1 (4, 3): conv 4->16 k3 (10x10), conv 16->32 k4 s2 (5x5, explicit asymmetric
  // padding), conv 32->32 k3 (5x5), linear 800 -> 128
  const auto m = cost_of("minatar/ss1/nature", {4, 10, 10});
  EXPECT_EQ(m.params, (16 * 36 + 16) + (32 * 16 * 16 + 32) + (32 * 32 * 9 + 32) + (800 * 128 + 128));
  EXPECT_EQ(m.macs, 100 * 16 * 36 + 25 * 32 * 256 + 25 * 32 * 288 + 800 * 128);
  // nas-rl/ss1 (4, 3) on 84x84: 21x21 after the stem, 11x11 after conv2
  const auto n = cost_of("nas-rl/ss1/nature", {4, 84, 84});
  EXPECT_EQ(n.macs, 441 * 32 * 256 + 121 * 64 * 512 + 121 * 64 * 576 + 7744 * 512);
  EXPECT_EQ(n.params, 8224 + 32832 + 36928 + 7744 * 512 + 512);
}

TEST(Cost, OneMicroCellNetworkMatchesHandCount) {
  // cell/micro/example at depth 4 on 4x10x10: conv3x3 4->4 (10x10), max pool /2 (5x5), two normal
  // cells (each: two conv3x3 4->4 edges, skip/relu edges free, 1x1 conv 16->4 over the four
  // nodes), ReLU, flatten 100 -> linear 256
  const auto space = detail::make_cell_space("micro", {4}, /*concat_output=*/true);
  auto net = space->build(find_named_architecture("cell/micro/example").arch, {4, 10, 10});
  const auto c = measure_cost(*net, [&](const torch::Tensor& x) { return net->forward(x); }, {4, 10, 10});
  const int64_t conv = 4 * 4 * 9 + 4, output = 16 * 4 + 4;
  EXPECT_EQ(c.params, conv + 2 * (2 * conv + output) + (100 * 256 + 256));
  EXPECT_EQ(c.macs, 100 * 4 * 36 + 2 * (2 * 25 * 4 * 36 + 25 * 4 * 16) + 100 * 256);
  EXPECT_EQ(c.macs, 57600);
}

TEST(Cost, CountsDepthwiseConvolutionsPerGroup) {
  // sep_conv3x3 4 -> 8 at 6x6: depthwise 36 * 4 * 9, pointwise 36 * 8 * 4
  auto op = make_op("sep_conv3x3", {.c_in = 4, .c_out = 8, .stride = 1});
  const auto c = measure_cost(*op, [&](const torch::Tensor& x) { return op->forward(x); }, {4, 6, 6});
  EXPECT_EQ(c.macs, 36 * 4 * 9 + 36 * 8 * 4);
  EXPECT_EQ(c.params, (4 * 9 + 4) + (8 * 4 + 8));
}

TEST(Cost, LatencyIsMeasuredAtBothBatchSizes) {
  const auto& n = find_named_architecture("minatar");
  auto net = find_space(n.arch.space).build(n.arch, {4, 10, 10});
  const auto l = measure_latency([&](const torch::Tensor& x) { return net->forward(x); }, {4, 10, 10}, 16, 5, 1);
  EXPECT_GT(l.batch1_ms, 0.0);
  EXPECT_GT(l.batch_ms, 0.0);
  EXPECT_EQ(l.batch, 16);
}

}  // namespace
}  // namespace rlnas::space
