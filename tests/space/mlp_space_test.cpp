// mlp space and the fixed one-point spaces.
#include <gtest/gtest.h>

#include "rlnas/core/error.h"
#include "rlnas/space/cost.h"
#include "rlnas/space/space.h"

namespace rlnas::space {
namespace {

TEST(MlpSpace, HasDepthsOneToThreeOfThreeWidthsAndTwoActivations) {
  const auto& s = find_space("mlp");
  EXPECT_EQ(s.size(), (3u + 9u + 27u) * 2u);
  EXPECT_EQ(s.enumerate().size(), s.size());
}

TEST(MlpSpace, BuildsTheNamedCleanRlNetwork) {
  const auto& n = find_named_architecture("mlp/64-64-tanh");
  auto net = find_space("mlp").build(n.arch, {4});
  const auto c = measure_cost(*net, [&](const torch::Tensor& x) { return net->forward(x); }, {4});
  EXPECT_EQ(c.params, (4 * 64 + 64) + (64 * 64 + 64));
  EXPECT_EQ(c.macs, 4 * 64 + 64 * 64);
  const auto y = net->forward(torch::randn({5, 4}) * 100);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{5, 64}));
  EXPECT_LE(y.abs().max().item<float>(), 1.0f);  // tanh
  // image observations are flattened
  Mt19937 rng(2);
  auto img = find_space("mlp").build(find_space("mlp").sample(rng), {4, 10, 10});
  EXPECT_EQ(img->forward(torch::rand({2, 4, 10, 10})).size(0), 2);
}

TEST(FixedSpace, HoldsOneArchitectureThatBuildsTheBackbone) {
  for (const char* name : {"minatar", "nature_cnn", "impala_cnn", "resnet20"}) {
    const auto& n = find_named_architecture(name);
    const auto& s = find_space(n.arch.space);
    EXPECT_EQ(s.size(), 1u) << name;
    EXPECT_EQ(s.enumerate().size(), 1u);
    auto net = s.build(n.arch, s.default_input_shape());
    std::vector<int64_t> batch{2};
    for (auto d : s.default_input_shape()) batch.push_back(d);
    EXPECT_EQ(net->forward(torch::rand(batch)).size(1), net->feature_dim()) << name;
  }
  EXPECT_THROW(find_space("fixed/minatar").validate(find_space("fixed/minatar").make({{"k", 1}})), Error);
}

}  // namespace
}  // namespace rlnas::space
