// image/small: the image benchmark's space (docs/spaces.md).
#include <gtest/gtest.h>

#include "rlnas/space/cost.h"
#include "rlnas/space/mixed.h"
#include "rlnas/space/space.h"
#include "rlnas/space/supernet.h"

namespace rlnas::space {
namespace {

Architecture arch_of(const std::string& l1, const std::string& l2, const std::string& l3, const std::string& l4) {
  Architecture a;
  a.space = "image/small";
  a.choices = {{"layer1", l1}, {"layer2", l2}, {"layer3", l3}, {"layer4", l4}};
  return a;
}

TEST(ImageSpace, HasFourLayersOfFourOpsAndTheStatedCostCap) {
  const auto& s = find_space("image/small");
  EXPECT_EQ(s.size(), 256u);
  EXPECT_EQ(s.enumerate().size(), 256u);
  const std::vector<int64_t> in = {1, 28, 28};
  // The cap: every layer conv5x5 (stem 1->16 3x3 at 28x28, then 16->16, 16->32/2, 32->32, 32->32/2).
  auto big = s.build(arch_of("conv5x5", "conv5x5", "conv5x5", "conv5x5"), in);
  const auto c = measure_cost(*big, [&](const torch::Tensor& x) { return big->forward(x); }, in);
  const int64_t macs = 784 * 16 * 9 + 784 * 16 * 16 * 25 + 196 * 16 * 32 * 25 + 196 * 32 * 32 * 25 + 49 * 32 * 32 * 25;
  EXPECT_EQ(c.macs, macs);
  EXPECT_EQ(macs, 13911296);
  EXPECT_EQ(big->feature_dim(), 32 * 7 * 7);
  int64_t max_macs = 0;
  for (const auto& a : s.enumerate()) {
    auto net = s.build(a, in);
    const auto ca = measure_cost(*net, [&](const torch::Tensor& x) { return net->forward(x); }, in);
    max_macs = std::max(max_macs, ca.macs);
    EXPECT_EQ(net->forward(torch::zeros({2, 1, 28, 28})).sizes(), (std::vector<int64_t>{2, 1568})) << a.choices;
  }
  EXPECT_EQ(max_macs, macs);  // no member costs more than the stated cap
}

TEST(ImageSpace, ItsSupernetsRunEveryPath) {
  const auto& s = find_space("image/small");
  auto single = make_supernet(s, {1, 28, 28});
  Mt19937 rng(3);
  for (int i = 0; i < 5; ++i) {
    single->set_path(s.sample(rng));
    EXPECT_EQ(single->forward(torch::zeros({2, 1, 28, 28})).size(1), 1568);
  }
  auto mixed = make_mixed_supernet(s, {1, 28, 28}, {"softmax"});
  EXPECT_EQ(mixed->forward(torch::zeros({2, 1, 28, 28})).size(1), 1568);
}

}  // namespace
}  // namespace rlnas::space
