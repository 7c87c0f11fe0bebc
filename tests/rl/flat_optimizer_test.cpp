// The flat-buffer optimizers follow torch.optim's Adam and RMSProp step for step.
#include <gtest/gtest.h>

#include <sstream>

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

TEST(FlatOptimizer, SkipUnusedMatchesTorchWhenEveryParameterIsUsed) {
  FlatOptimizerOptions o;
  o.lr = 1e-2;
  o.skip_unused = true;
  expect_same_trajectory<torch::optim::Adam>(o, torch::optim::AdamOptions(1e-2));
  o.kind = "rmsprop";
  o.centered = true;
  expect_same_trajectory<torch::optim::RMSprop>(o, torch::optim::RMSpropOptions(1e-2).centered(true));
}

// A supernet's off-path ops get zero gradients; torch.optim skips parameters whose grad is None.
// With skip_unused the flat optimizer matches that: an op on the path only every other step
// keeps its weights (and its moments) while off the path.
TEST(FlatOptimizer, SkipUnusedLeavesParametersWithoutGradientUntouched) {
  torch::manual_seed(3);
  torch::nn::Linear a0(4, 2), a1(4, 2), b0(4, 2), b1(4, 2);
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < 2; ++i) {
      b0->parameters()[i].copy_(a0->parameters()[i]);
      b1->parameters()[i].copy_(a1->parameters()[i]);
    }
  }
  std::vector<torch::Tensor> ref_params = a0->parameters(), flat_params = b0->parameters();
  for (const auto& p : a1->parameters()) ref_params.push_back(p);
  for (const auto& p : b1->parameters()) flat_params.push_back(p);
  torch::optim::Adam reference(ref_params, torch::optim::AdamOptions(1e-2));
  FlatOptimizerOptions o;
  o.lr = 1e-2;
  o.skip_unused = true;
  FlatOptimizer flat(flat_params, o);
  for (int step = 0; step < 12; ++step) {
    const auto x = torch::randn({8, 4});
    const bool first = step % 3 != 2;  // op 0 on two steps out of three
    for (auto& p : ref_params) p.mutable_grad() = torch::Tensor();  // grad None
    (first ? a0 : a1)->forward(x).square().mean().backward();
    reference.step();
    const auto before = (first ? b1 : b0)->weight.clone();
    flat.zero_grad();
    (first ? b0 : b1)->forward(x).square().mean().backward();
    flat.step();
    EXPECT_TRUE(torch::equal(before, (first ? b1 : b0)->weight)) << "the op off the path moved at step " << step;
  }
  for (size_t i = 0; i < ref_params.size(); ++i) {
    EXPECT_TRUE(torch::allclose(ref_params[i], flat_params[i], 1e-5, 1e-6)) << "parameter " << i;
  }
  // State survives save/load (each parameter's own step count included).
  torch::serialize::OutputArchive out;
  flat.save(out);
  std::ostringstream os;
  out.save_to(os);
  FlatOptimizer restored(flat_params, o);
  torch::serialize::InputArchive in;
  std::istringstream is(os.str());
  in.load_from(is);
  restored.load(in);
  const auto x = torch::randn({8, 4});
  for (auto& p : ref_params) p.mutable_grad() = torch::Tensor();
  a1->forward(x).square().mean().backward();
  reference.step();
  restored.zero_grad();
  b1->forward(x).square().mean().backward();
  restored.step();
  for (size_t i = 0; i < ref_params.size(); ++i) {
    EXPECT_TRUE(torch::allclose(ref_params[i], flat_params[i], 1e-5, 1e-6)) << "after load, parameter " << i;
  }
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
