// The flat-buffer optimizers follow torch.optim's Adam and RMSProp step for step.
#include <gtest/gtest.h>

#include "rlnas/rl/flat_optimizer.h"

namespace rlnas::rl {
namespace {

// Two identical small networks: one stepped by LibTorch's optimizer, one by FlatOptimizer.
template <class TorchOptimizer, class TorchOptions>
void expect_same_trajectory(const FlatOptimizerOptions& flat_options, const TorchOptions& torch_options) {
  torch::manual_seed(0);
  torch::nn::Sequential a(torch::nn::Linear(5, 7), torch::nn::Tanh(), torch::nn::Linear(7, 3));
  torch::nn::Sequential b(torch::nn::Linear(5, 7), torch::nn::Tanh(), torch::nn::Linear(7, 3));
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < a->parameters().size(); ++i) b->parameters()[i].copy_(a->parameters()[i]);
  }
  TorchOptimizer reference(a->parameters(), torch_options);
  FlatOptimizer flat(b->parameters(), flat_options);
  for (int step = 0; step < 20; ++step) {
    const auto x = torch::randn({16, 5});
    reference.zero_grad();
    a->forward(x).square().mean().backward();
    reference.step();
    flat.zero_grad();
    b->forward(x).square().mean().backward();
    flat.step();
  }
  for (size_t i = 0; i < a->parameters().size(); ++i) {
    EXPECT_TRUE(torch::allclose(a->parameters()[i], b->parameters()[i], 1e-5, 1e-6)) << "parameter " << i;
  }
}

TEST(FlatOptimizer, AdamMatchesTorchAdam) {
  FlatOptimizerOptions o;
  o.kind = "adam";
  o.lr = 1e-2;
  o.eps = 1e-5;
  expect_same_trajectory<torch::optim::Adam>(o, torch::optim::AdamOptions(1e-2).eps(1e-5));
}

TEST(FlatOptimizer, RmspropMatchesTorchRmsprop) {
  FlatOptimizerOptions o;
  o.kind = "rmsprop";
  o.lr = 1e-2;
  o.eps = 1e-5;
  o.alpha = 0.99;
  expect_same_trajectory<torch::optim::RMSprop>(o, torch::optim::RMSpropOptions(1e-2).eps(1e-5).alpha(0.99));
  o.centered = true;
  expect_same_trajectory<torch::optim::RMSprop>(o,
                                                torch::optim::RMSpropOptions(1e-2).eps(1e-5).alpha(0.99).centered(true));
}

TEST(FlatOptimizer, ClipsTheGlobalGradientNorm) {
  torch::nn::Linear layer(3, 2);
  FlatOptimizer flat(layer->parameters(), {});
  flat.zero_grad();
  (layer->forward(torch::ones({1, 3})).sum() * 100).backward();
  double total = 0;
  for (const auto& p : layer->parameters()) total += p.grad().square().sum().item<double>();
  EXPECT_NEAR(flat.clip_grad_norm(0.5), std::sqrt(total), 1e-3);
  double clipped = 0;
  for (const auto& p : layer->parameters()) clipped += p.grad().square().sum().item<double>();
  EXPECT_NEAR(std::sqrt(clipped), 0.5, 1e-4);
}

TEST(FlatOptimizer, SurvivesWeightsReplacedByLoading) {
  torch::manual_seed(1);
  torch::nn::Linear layer(3, 2);
  FlatOptimizer flat(layer->parameters(), {});
  // Loading weights replaces the parameters' storage; rebind() must re-attach them.
  {
    torch::NoGradGuard no_grad;
    layer->weight.set_(torch::full({2, 3}, 0.5f));
  }
  flat.rebind();
  flat.zero_grad();
  layer->forward(torch::ones({1, 3})).sum().backward();
  flat.step();
  EXPECT_LT(layer->weight[0][0].item<float>(), 0.5f) << "the step must reach the (re-bound) weights";
}

}  // namespace
}  // namespace rlnas::rl
