// Hand-computed checks of the actor-critic pieces: GAE, the clipped surrogate, value clipping,
// schedules.
#include <gtest/gtest.h>

#include <cmath>

#include "rlnas/rl/actor_critic.h"
#include "rlnas/rl/schedule.h"

namespace rlnas::rl {
namespace {

TEST(Gae, MatchesHandComputedValuesAcrossEpisodeEnds) {
  // Env 0 ends with its last step; env 1 ends with its first step. gamma 0.9, lambda 0.8.
  const auto rewards = torch::tensor({{1.0f, 0.0f}, {1.0f, 2.0f}, {1.0f, 0.0f}});
  const auto values = torch::tensor({{0.5f, 1.0f}, {0.4f, 1.0f}, {0.3f, 1.0f}});
  const auto dones = torch::tensor({{0.0f, 1.0f}, {0.0f, 0.0f}, {1.0f, 0.0f}});
  const auto next_value = torch::tensor({0.2f, 3.0f});
  const auto adv = compute_gae(rewards, values, dones, next_value, 0.9, 0.8);
  // env 0: A2 = 1 - 0.3 = 0.7; A1 = (1 + 0.9*0.3 - 0.4) + 0.72*0.7 = 1.374; A0 = 0.86 + 0.72*1.374
  EXPECT_NEAR(adv[2][0].item<float>(), 0.7, 1e-6);
  EXPECT_NEAR(adv[1][0].item<float>(), 1.374, 1e-6);
  EXPECT_NEAR(adv[0][0].item<float>(), 1.84928, 1e-5);
  // env 1: A2 = 0.9*3 - 1 = 1.7; A1 = (2 + 0.9 - 1) + 0.72*1.7 = 3.124; A0 = 0 - 1 (episode ended)
  EXPECT_NEAR(adv[2][1].item<float>(), 1.7, 1e-6);
  EXPECT_NEAR(adv[1][1].item<float>(), 3.124, 1e-5);
  EXPECT_NEAR(adv[0][1].item<float>(), -1.0, 1e-6);
}

TEST(Gae, LambdaOneGivesDiscountedReturnsMinusValues) {
  const auto rewards = torch::tensor({{1.0f}, {2.0f}, {3.0f}});
  const auto values = torch::tensor({{0.0f}, {0.0f}, {0.0f}});
  const auto dones = torch::zeros({3, 1});
  const auto adv = compute_gae(rewards, values, dones, torch::tensor({10.0f}), 0.5, 1.0);
  // n-step return from t=0: 1 + 0.5*2 + 0.25*3 + 0.125*10
  EXPECT_NEAR(adv[0][0].item<float>(), 1 + 1 + 0.75 + 1.25, 1e-6);
}

TEST(PpoLoss, ClipsTheRatioOnTheSideThatWouldOverUpdate) {
  const auto old_lp = torch::tensor({0.0f, 0.0f});
  const auto new_lp = torch::tensor({0.0f, std::log(1.5f)});
  auto terms = ppo_policy_loss(new_lp, old_lp, torch::tensor({1.0f, 1.0f}), 0.2);
  // ratios 1, 1.5; positive advantage: min(1.5, 1.2) -> -mean(1, 1.2)
  EXPECT_NEAR(terms.policy_loss.item<float>(), -1.1, 1e-6);
  EXPECT_NEAR(terms.clip_fraction.item<float>(), 0.5, 1e-6);
  EXPECT_NEAR(terms.approx_kl.item<float>(), 0.5 * (0.5 - std::log(1.5)), 1e-6);
  // negative advantage: the pessimistic side is the unclipped ratio 1.5
  terms = ppo_policy_loss(new_lp, old_lp, torch::tensor({-1.0f, -1.0f}), 0.2);
  EXPECT_NEAR(terms.policy_loss.item<float>(), 1.25, 1e-6);
  // no clipping: plain importance-weighted policy gradient
  terms = ppo_policy_loss(new_lp, old_lp, torch::tensor({1.0f, 1.0f}), 0.0);
  EXPECT_NEAR(terms.policy_loss.item<float>(), -1.25, 1e-6);
}

TEST(ValueLoss, ClippingKeepsTheLargerError) {
  const auto values = torch::tensor({1.0f, 2.0f});
  const auto old_values = torch::tensor({0.0f, 0.0f});
  const auto returns = torch::tensor({3.0f, 3.0f});
  // unclipped errors 4, 1; clipped values 0.5, 0.5 -> errors 6.25, 6.25
  EXPECT_NEAR(value_loss(values, old_values, returns, 0.5).item<float>(), 0.5 * 6.25, 1e-6);
  EXPECT_NEAR(value_loss(values, old_values, returns, 0.0).item<float>(), 0.5 * 2.5, 1e-6);
}

TEST(Schedule, ValuesAtKnownPoints) {
  EXPECT_DOUBLE_EQ(schedule_value("constant", 1.0, 0.0, 0.7), 1.0);
  EXPECT_DOUBLE_EQ(schedule_value("linear", 1.0, 0.0, 0.25), 0.75);
  EXPECT_NEAR(schedule_value("cosine", 2.5e-4, 0.0, 0.5), 1.25e-4, 1e-12);
  EXPECT_NEAR(schedule_value("cosine", 2.5e-4, 0.0, 1.0), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(schedule_value("cosine", 2.5e-4, 0.0, 0.0), 2.5e-4);
  EXPECT_DOUBLE_EQ(schedule_value("constant_then_linear", 1e-3, 1e-4, 0.3, 1.0 / 3), 1e-3);
  EXPECT_NEAR(schedule_value("constant_then_linear", 1e-3, 1e-4, 2.0 / 3, 1.0 / 3), 5.5e-4, 1e-12);
  EXPECT_NEAR(schedule_value("constant_then_linear", 1e-3, 1e-4, 1.0, 1.0 / 3), 1e-4, 1e-12);
  EXPECT_THROW(schedule_value("step", 1, 0, 0.5), Error);
}

}  // namespace
}  // namespace rlnas::rl
