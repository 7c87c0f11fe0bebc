// PolicyDistribution: categorical and diagonal Gaussian math, and generator-driven sampling.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "rlnas/nn/networks.h"

namespace rlnas::nn {
namespace {

const double kHalfLog2Pi = 0.5 * std::log(2.0 * std::numbers::pi);

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

PolicyDistribution categorical(torch::Tensor logits) {
  PolicyDistribution dist;
  dist.discrete = true;
  dist.logits = std::move(logits);
  return dist;
}

PolicyDistribution gaussian(torch::Tensor mean, torch::Tensor log_std) {
  PolicyDistribution dist;
  dist.discrete = false;
  dist.mean = std::move(mean);
  dist.log_std = std::move(log_std);
  return dist;
}

TEST(Categorical, LogProbAndEntropyMatchHandComputedValues) {
  // Row 0: logits [1, 2, 3], logsumexp = 3.40760596444438. Row 1: uniform over 3 actions.
  const auto dist = categorical(torch::tensor({{1.0, 2.0, 3.0}, {0.0, 0.0, 0.0}}, torch::kDouble));
  const auto log_p0 = dist.log_prob(torch::tensor({0, 0}));
  EXPECT_NEAR(log_p0[0].item<double>(), -2.40760596444438, 1e-12);
  EXPECT_NEAR(log_p0[1].item<double>(), -std::log(3.0), 1e-12);
  EXPECT_NEAR(dist.log_prob(torch::tensor({2, 1}))[0].item<double>(), -0.40760596444438013, 1e-12);
  const auto entropy = dist.entropy();
  EXPECT_EQ(entropy.sizes(), (c10::IntArrayRef{2}));
  EXPECT_NEAR(entropy[0].item<double>(), 0.8323955818399389, 1e-12);
  EXPECT_NEAR(entropy[1].item<double>(), std::log(3.0), 1e-12);
}

TEST(Categorical, MaskedActionsGiveFiniteEntropyAndGradients) {
  auto logits = torch::tensor({{0.0f, -INFINITY, 0.0f}}).requires_grad_();
  const auto entropy = categorical(logits).entropy();
  EXPECT_NEAR(entropy.item<float>(), std::log(2.0f), 1e-6);
  entropy.sum().backward();
  EXPECT_TRUE(logits.grad().isfinite().all().item<bool>());
}

TEST(Categorical, ModeIsTheArgmax) {
  const auto dist = categorical(torch::tensor({{0.1f, 2.0f, -1.0f}, {5.0f, 0.0f, 4.9f}}));
  EXPECT_TRUE(torch::equal(dist.mode(), torch::tensor({1, 0})));
}

TEST(Categorical, SamplesFollowTheProbabilities) {
  const int64_t n = 10000;
  const auto probs = torch::tensor({0.7f, 0.2f, 0.1f});
  const auto dist = categorical(probs.log().expand({n, 3}));
  auto gen = generator(1);
  const auto actions = dist.sample(gen);
  EXPECT_EQ(actions.sizes(), (c10::IntArrayRef{n}));
  EXPECT_EQ(actions.scalar_type(), torch::kLong);
  const auto frequency = torch::bincount(actions, /*weights=*/{}, /*minlength=*/3).to(torch::kFloat) / n;
  // Standard error of a frequency near 0.7 over 10k draws is 0.0046.
  EXPECT_TRUE(torch::allclose(frequency, probs, /*rtol=*/0, /*atol=*/0.02)) << frequency;
}

TEST(Categorical, SameGeneratorSeedGivesTheSameSamples) {
  const auto dist = categorical(torch::zeros({256, 6}));
  auto a = generator(42), b = generator(42), c = generator(43);
  const auto first = dist.sample(a);
  EXPECT_TRUE(torch::equal(first, dist.sample(b)));
  EXPECT_FALSE(torch::equal(first, dist.sample(c)));
  EXPECT_FALSE(torch::equal(first, dist.sample(a)));  // the generator advances
}

TEST(Gaussian, LogProbOfAKnownPointMatchesTheDensity) {
  // N(1; 0, 1) * N(0; 1, 2): log = (-1/2 - c) + (-1/8 - log 2 - c), c = log(2 pi) / 2.
  const auto dist =
      gaussian(torch::tensor({{0.0, 1.0}}, torch::kDouble), torch::tensor({{0.0, std::log(2.0)}}, torch::kDouble));
  const auto log_prob = dist.log_prob(torch::tensor({{1.0, 0.0}}, torch::kDouble));
  EXPECT_EQ(log_prob.sizes(), (c10::IntArrayRef{1}));
  EXPECT_NEAR(log_prob.item<double>(), -3.1560242469692907, 1e-12);
  EXPECT_NEAR(log_prob.item<double>(), -0.5 - 0.125 - std::log(2.0) - 2 * kHalfLog2Pi, 1e-12);
}

TEST(Gaussian, EntropyBroadcastsAStateIndependentLogStd) {
  const auto dist = gaussian(torch::zeros({3, 2}, torch::kDouble), torch::tensor({0.0, std::log(2.0)}, torch::kDouble));
  const auto entropy = dist.entropy();
  EXPECT_EQ(entropy.sizes(), (c10::IntArrayRef{3}));
  // Sum over dims of 1/2 + log(2 pi)/2 + log_std.
  EXPECT_TRUE(torch::allclose(entropy, torch::full({3}, 3.5310242469692907, torch::kDouble)));
}

TEST(Gaussian, ModeIsTheMean) {
  const auto mean = torch::randn({4, 3});
  EXPECT_TRUE(torch::equal(gaussian(mean, torch::zeros({3})).mode(), mean));
}

TEST(Gaussian, SamplesAreReproducibleAndHaveTheRequestedMoments) {
  const int64_t n = 10000;
  const auto dist = gaussian(torch::tensor({1.0f, -2.0f}).expand({n, 2}), torch::tensor({std::log(0.5f), 0.0f}));
  auto a = generator(7), b = generator(7);
  const auto sample = dist.sample(a);
  EXPECT_EQ(sample.sizes(), (c10::IntArrayRef{n, 2}));
  EXPECT_TRUE(torch::equal(sample, dist.sample(b)));
  // Standard errors: 0.005 and 0.01 for the means, about half that for the spreads.
  EXPECT_TRUE(torch::allclose(sample.mean(0), torch::tensor({1.0f, -2.0f}), 0, 0.04)) << sample.mean(0);
  EXPECT_TRUE(torch::allclose(sample.std(0), torch::tensor({0.5f, 1.0f}), 0, 0.03)) << sample.std(0);
}

TEST(Gaussian, LogProbCarriesGradientsToMeanAndLogStd) {
  auto mean = torch::zeros({2, 3}, torch::requires_grad());
  auto log_std = torch::zeros({3}, torch::requires_grad());
  const auto dist = gaussian(mean, log_std);
  auto gen = generator(3);
  const auto action = dist.sample(gen);
  EXPECT_FALSE(action.requires_grad());
  (dist.log_prob(action).sum() + dist.entropy().sum()).backward();
  EXPECT_GT(mean.grad().abs().sum().item<float>(), 0.0f);
  EXPECT_GT(log_std.grad().abs().sum().item<float>(), 0.0f);
}

}  // namespace
}  // namespace rlnas::nn
