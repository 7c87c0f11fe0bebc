// Heads: output shapes, CleanRL initialisation, dueling and squashing math, gradient flow.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "rlnas/core/error.h"
#include "rlnas/nn/networks.h"

namespace rlnas::nn {
namespace {

using Shape = std::vector<int64_t>;
using Box = std::vector<float>;  // action bounds

const Shape kMinAtar{4, 10, 10};
const Shape kVector{4};

at::Generator generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

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

void expect_every_parameter_has_a_gradient(torch::nn::Module& module) {
  for (const auto& p : module.named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<float>(), 0.0f) << p.key();
  }
}

// Rows of an orthogonally initialised [out, in] weight with out <= in: W W^T = gain^2 I.
void expect_orthogonal_rows(const torch::Tensor& weight, double gain) {
  const auto gram = weight.matmul(weight.t());
  EXPECT_TRUE(torch::allclose(gram, gain * gain * torch::eye(weight.size(0)), 0, 1e-4 * gain * gain)) << gram;
}

// ---------------------------------------------------------------------------------------------
TEST(ActorCritic, DiscreteGivesLogitsPerActionAndOneValuePerObservation) {
  ActorCritic net(named("minatar"), kMinAtar, /*discrete=*/true, /*action_dim=*/6, /*separate_critic=*/false);
  const auto obs = batch_of(3, kMinAtar);
  const auto out = net->forward(obs);
  EXPECT_TRUE(out.policy.discrete);
  EXPECT_EQ(out.policy.logits.sizes(), (c10::IntArrayRef{3, 6}));
  EXPECT_EQ(out.value.sizes(), (c10::IntArrayRef{3}));
  EXPECT_TRUE(torch::allclose(net->value(obs), out.value));
}

TEST(ActorCritic, ContinuousHasAStateIndependentLogStdStartingAtZero) {
  ActorCritic net(named("mlp"), kVector, /*discrete=*/false, /*action_dim=*/2, /*separate_critic=*/true);
  const auto out = net->forward(batch_of(5, kVector));
  EXPECT_FALSE(out.policy.discrete);
  EXPECT_EQ(out.policy.mean.sizes(), (c10::IntArrayRef{5, 2}));
  EXPECT_TRUE(torch::equal(out.policy.log_std.expand({5, 2}), torch::zeros({5, 2})));
  EXPECT_EQ(net->named_parameters()["log_std"].sizes(), (c10::IntArrayRef{2}));
  auto gen = generator(0);
  EXPECT_EQ(out.policy.sample(gen).sizes(), (c10::IntArrayRef{5, 2}));
  EXPECT_EQ(out.policy.log_prob(out.policy.mode()).sizes(), (c10::IntArrayRef{5}));
}

TEST(ActorCritic, SeparateCriticHasItsOwnBackbone) {
  const int64_t body = count_parameters(*make_backbone(named("mlp"), kVector));  // 4480
  const int64_t heads = (64 * 2 + 2) + (64 + 1);
  ActorCritic shared(named("mlp"), kVector, true, 2, /*separate_critic=*/false);
  ActorCritic separate(named("mlp"), kVector, true, 2, /*separate_critic=*/true);
  EXPECT_EQ(count_parameters(*shared), body + heads);
  EXPECT_EQ(count_parameters(*separate), 2 * body + heads);
  const auto obs = batch_of(4, kVector);
  EXPECT_TRUE(torch::allclose(separate->value(obs), separate->forward(obs).value));
}

TEST(ActorCritic, HeadsUseCleanRLGains) {
  ActorCritic net(named("mlp"), kVector, true, 3, false);
  auto params = net->named_parameters();
  expect_orthogonal_rows(params["policy_head.weight"], 0.01);
  expect_orthogonal_rows(params["value_head.weight"], 1.0);
  EXPECT_EQ(params["policy_head.bias"].abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(params["value_head.bias"].abs().sum().item<float>(), 0.0f);
  // Gain 0.01 starts the policy near uniform.
  const auto probs = torch::softmax(net->forward(batch_of(8, kVector)).policy.logits, -1);
  EXPECT_TRUE(torch::allclose(probs, torch::full({8, 3}, 1.0f / 3), 0, 0.02));
}

TEST(ActorCritic, RejectsAnEmptyActionSpace) {
  EXPECT_THROW(ActorCritic(named("mlp"), kVector, true, 0, false), Error);
}

TEST(ActorCritic, GradientsReachEveryParameter) {
  for (bool discrete : {true, false}) {
    for (bool separate : {false, true}) {
      ActorCritic net(named(discrete ? "minatar" : "mlp"), discrete ? kMinAtar : kVector, discrete, 3, separate);
      const auto out = net->forward(batch_of(4, discrete ? kMinAtar : kVector));
      auto gen = generator(1);
      const auto action = out.policy.sample(gen);
      const auto loss =
          -out.policy.log_prob(action).mean() - 0.01 * out.policy.entropy().mean() + (out.value - 1).square().mean();
      loss.backward();
      SCOPED_TRACE("discrete=" + std::to_string(discrete) + " separate=" + std::to_string(separate));
      expect_every_parameter_has_a_gradient(*net);
    }
  }
}

// ---------------------------------------------------------------------------------------------
TEST(QNetwork, PlainHeadGivesOneQValuePerAction) {
  QNetwork net(named("minatar"), kMinAtar, /*num_actions=*/5, /*dueling=*/false, /*num_atoms=*/1);
  EXPECT_EQ(net->forward(batch_of(3, kMinAtar)).sizes(), (c10::IntArrayRef{3, 5}));
  EXPECT_EQ(net->num_atoms(), 1);
  EXPECT_EQ(count_parameters(*net), 131792 + 128 * 5 + 5);
}

TEST(QNetwork, DuelingCombinesValueAndMeanCentredAdvantage) {
  QNetwork net(named("mlp"), kVector, /*num_actions=*/4, /*dueling=*/true, /*num_atoms=*/1);
  auto children = net->named_children();
  auto body = std::dynamic_pointer_cast<BackboneImpl>(children["body"]);
  ASSERT_TRUE(body);
  const auto obs = batch_of(6, kVector);
  const auto features = body->forward(obs);
  const auto value = children["value"]->as<torch::nn::Linear>()->forward(features);          // [6, 1]
  const auto advantage = children["advantage"]->as<torch::nn::Linear>()->forward(features);  // [6, 4]
  const auto q = net->forward(obs);
  EXPECT_TRUE(torch::allclose(q, value + advantage - advantage.mean(1, true), 1e-5, 1e-6));
  // The mean over actions is exactly the value stream.
  EXPECT_TRUE(torch::allclose(q.mean(1), value.squeeze(1), 1e-5, 1e-6));
}

TEST(QNetwork, C51GivesLogitsPerActionAndAtom) {
  for (bool dueling : {false, true}) {
    QNetwork net(named("minatar"), kMinAtar, /*num_actions=*/3, dueling, /*num_atoms=*/51);
    EXPECT_EQ(net->forward(batch_of(2, kMinAtar)).sizes(), (c10::IntArrayRef{2, 3, 51}));
    EXPECT_EQ(net->num_atoms(), 51);
  }
}

TEST(QNetwork, HiddenWidthAddsOneReluLayerPerStream) {
  const int64_t body = 131792, f = 128, h = 32, a = 3;
  QNetwork plain(named("minatar"), kMinAtar, a, /*dueling=*/false, 1, /*hidden=*/h);
  EXPECT_EQ(count_parameters(*plain), body + (f * h + h) + (h * a + a));
  QNetwork dueling(named("minatar"), kMinAtar, a, /*dueling=*/true, 1, /*hidden=*/h);
  EXPECT_EQ(count_parameters(*dueling), body + 2 * (f * h + h) + (h * a + a) + (h + 1));
  EXPECT_EQ(dueling->forward(batch_of(2, kMinAtar)).sizes(), (c10::IntArrayRef{2, 3}));
}

TEST(QNetwork, RejectsBadSizes) {
  EXPECT_THROW(QNetwork(named("mlp"), kVector, 0, false, 1), Error);
  EXPECT_THROW(QNetwork(named("mlp"), kVector, 2, false, 0), Error);
  EXPECT_THROW(QNetwork(named("mlp"), kVector, 2, false, 1, -1), Error);
}

TEST(QNetwork, GradientsReachEveryParameter) {
  for (int64_t atoms : {1, 5}) {
    QNetwork net(named("minatar"), kMinAtar, 3, /*dueling=*/true, atoms, /*hidden=*/16);
    const auto q = net->forward(batch_of(4, kMinAtar));
    // A sum over actions would cancel the centred advantage; regress to a target instead.
    (q - torch::rand(q.sizes())).square().mean().backward();
    SCOPED_TRACE("atoms=" + std::to_string(atoms));
    expect_every_parameter_has_a_gradient(*net);
  }
}

// ---------------------------------------------------------------------------------------------
TEST(SquashedGaussianActor, ActionsStayInsideTheBox) {
  SquashedGaussianActor actor(named("mlp"), kVector, Box{-2.0f, 0.0f}, Box{2.0f, 1.0f});
  auto gen = generator(0);
  const auto obs = 3 * torch::randn({64, 4});
  const auto s = actor->sample(obs, gen);
  EXPECT_EQ(s.action.sizes(), (c10::IntArrayRef{64, 2}));
  EXPECT_EQ(s.log_prob.sizes(), (c10::IntArrayRef{64}));
  const auto low = torch::tensor({-2.0f, 0.0f}), high = torch::tensor({2.0f, 1.0f});
  EXPECT_TRUE((s.action >= low).all().item<bool>() && (s.action <= high).all().item<bool>());
  EXPECT_TRUE(torch::allclose(actor->deterministic(obs), s.mean_action));
  EXPECT_TRUE((s.mean_action >= low).all().item<bool>() && (s.mean_action <= high).all().item<bool>());
}

TEST(SquashedGaussianActor, LogProbMatchesTheHandFormula) {
  // Fix the Gaussian to mean 0.3 and raw log_std 0 (squashed to -5 + 3.5 * (tanh(0) + 1) = -1.5)
  // on the box [-2, 4] (scale 3, bias 1).
  SquashedGaussianActor actor(named("mlp"), kVector, Box{-2.0f}, Box{4.0f});
  {
    torch::NoGradGuard no_grad;
    auto params = actor->named_parameters();
    params["mean.weight"].zero_();
    params["mean.bias"].fill_(0.3);
    params["log_std.weight"].zero_();
    params["log_std.bias"].zero_();
  }
  const auto [mean, log_std] = actor->mean_and_log_std(torch::zeros({1, 4}));
  EXPECT_NEAR(mean.item<float>(), 0.3f, 1e-6);
  EXPECT_NEAR(log_std.item<float>(), -1.5f, 1e-6);

  auto gen = generator(11), twin = generator(11);
  const auto s = actor->sample(torch::zeros({1, 4}), gen);
  const double eps = torch::randn({1, 1}, twin).item<double>();  // the same draw
  const double std_dev = std::exp(-1.5), u = 0.3 + std_dev * eps;
  const double expected = (-0.5 * eps * eps + 1.5 - 0.5 * std::log(2 * std::numbers::pi)) -
                          std::log(3.0 * (1 - std::tanh(u) * std::tanh(u)) + 1e-6);
  EXPECT_NEAR(s.action.item<float>(), std::tanh(u) * 3 + 1, 1e-5);
  EXPECT_NEAR(s.log_prob.item<float>(), expected, 1e-4);
  EXPECT_NEAR(s.mean_action.item<float>(), std::tanh(0.3) * 3 + 1, 1e-5);
}

TEST(SquashedGaussianActor, LogStdIsSoftClampedToMinus5And2) {
  SquashedGaussianActor actor(named("mlp"), kVector, Box{-1.0f}, Box{1.0f});
  auto bias = actor->named_parameters()["log_std.bias"];
  for (const auto& [raw, expected] : std::vector<std::pair<float, float>>{{100.0f, 2.0f}, {-100.0f, -5.0f}}) {
    {
      torch::NoGradGuard no_grad;
      actor->named_parameters()["log_std.weight"].zero_();
      bias.fill_(raw);
    }
    EXPECT_NEAR(actor->mean_and_log_std(torch::zeros({1, 4})).second.item<float>(), expected, 1e-5);
  }
}

TEST(SquashedGaussianActor, SameGeneratorSeedGivesTheSameActions) {
  SquashedGaussianActor actor(named("mlp"), kVector, Box{-1.0f, -1.0f}, Box{1.0f, 1.0f});
  const auto obs = batch_of(16, kVector);
  auto a = generator(5), b = generator(5);
  const auto first = actor->sample(obs, a);
  const auto second = actor->sample(obs, b);
  EXPECT_TRUE(torch::equal(first.action, second.action));
  EXPECT_TRUE(torch::equal(first.log_prob, second.log_prob));
  EXPECT_FALSE(torch::equal(first.action, actor->sample(obs, a).action));
}

TEST(SquashedGaussianActor, RejectsABadActionBox) {
  EXPECT_THROW(SquashedGaussianActor(named("mlp"), kVector, Box{}, Box{}), Error);
  EXPECT_THROW(SquashedGaussianActor(named("mlp"), kVector, Box{-1.0f}, Box{1.0f, 2.0f}), Error);
  EXPECT_THROW(SquashedGaussianActor(named("mlp"), kVector, Box{1.0f}, Box{1.0f}), Error);
  EXPECT_THROW(SquashedGaussianActor(named("mlp"), kVector, Box{-INFINITY}, Box{1.0f}), Error);
}

TEST(SquashedGaussianActor, CountsHeadsButNotTheBoxBuffers) {
  SquashedGaussianActor actor(named("mlp"), kVector, Box{-1.0f, -1.0f}, Box{1.0f, 1.0f});
  EXPECT_EQ(count_parameters(*actor), 4480 + 2 * (64 * 2 + 2));
  EXPECT_EQ(actor->named_buffers().size(), 2u);
}

TEST(SquashedGaussianActor, GradientsReachEveryParameter) {
  SquashedGaussianActor actor(named("mlp"), kVector, Box{-1.0f, 0.0f}, Box{1.0f, 2.0f});
  auto gen = generator(2);
  const auto s = actor->sample(batch_of(8, kVector), gen);
  // SAC's actor loss: alpha * log_prob - Q(s, a), with a stand-in Q.
  (0.2 * s.log_prob - s.action.sum(-1)).mean().backward();
  expect_every_parameter_has_a_gradient(*actor);
}

// ---------------------------------------------------------------------------------------------
TEST(TwinQ, TwoIndependentCriticsGiveOneValuePerPair) {
  const int64_t body = 4480, in = 64 + 2, h = 32;
  TwinQ critic(named("mlp"), kVector, /*action_dim=*/2, /*hidden=*/h);
  EXPECT_EQ(count_parameters(*critic), 2 * (body + (in * h + h) + (h * h + h) + (h + 1)));
  const auto [q1, q2] = critic->forward(batch_of(5, kVector), torch::rand({5, 2}));
  EXPECT_EQ(q1.sizes(), (c10::IntArrayRef{5}));
  EXPECT_EQ(q2.sizes(), (c10::IntArrayRef{5}));
  EXPECT_FALSE(torch::allclose(q1, q2));  // independently initialised
}

TEST(TwinQ, IdentityBackboneIsCleanRLsSoftQNetworkOnObsAndAction) {
  NetOptions options = named("mlp");
  options.mlp_hidden = {};
  TwinQ critic(options, Shape{3}, /*action_dim=*/1);
  // CleanRL: fc1 (3 + 1 -> 256), fc2 (256 -> 256), fc3 (256 -> 1), twice.
  EXPECT_EQ(count_parameters(*critic), 2 * ((4 * 256 + 256) + (256 * 256 + 256) + (256 + 1)));
}

TEST(TwinQ, GradientsReachEveryParameter) {
  TwinQ critic(named("minatar"), kMinAtar, /*action_dim=*/2, /*hidden=*/16);
  const auto [q1, q2] = critic->forward(batch_of(4, kMinAtar), torch::rand({4, 2}));
  ((q1 - 1).square().mean() + (q2 - 1).square().mean()).backward();
  expect_every_parameter_has_a_gradient(*critic);
}

TEST(CountParameters, CountsOnlyTrainableParameters) {
  auto body = make_backbone(named("mlp"), kVector);
  EXPECT_EQ(count_parameters(*body), 4480);
  body->named_parameters()["layers.0.weight"].requires_grad_(false);
  EXPECT_EQ(count_parameters(*body), 4480 - 4 * 64);
}

}  // namespace
}  // namespace rlnas::nn
