// Differentiable supernets: mixed ops, temperature, Gumbel weights, gradients to alpha,
// discretization (RL-DARTS Algorithm 4) and the expected-FLOPs cost.
#include <gtest/gtest.h>

#include <cmath>

#include "../common/error_of.h"
#include "rlnas/space/mixed.h"

namespace rlnas::space {
namespace {

using test_util::error_of;

void set_alpha(MixedSupernetImpl& net, size_t group, const torch::Tensor& values) {
  torch::NoGradGuard no_grad;
  const_cast<torch::Tensor&>(net.alphas()[group]).copy_(values.reshape(net.alphas()[group].sizes()));
}

TEST(MixedOp, EqualsTheWeightedSumOfItsOps) {
  torch::manual_seed(0);
  auto state = std::make_shared<MixState>();
  const std::vector<Candidate> candidates = {
      {"conv3x3", "conv3x3", {4, 4, 1}}, {"skip", "skip", {4, 4, 1}}, {"zero", "zero", {4, 4, 1}},
      {"max_pool3x3", "max_pool3x3", {4, 4, 1}}};
  MixedOpImpl op(state, 0, 1, candidates);
  const auto w = torch::tensor({{0.25, 0.25, 0.25, 0.25}, {0.1, 0.2, 0.3, 0.4}});  // row 1 is this op's
  state->weights = {w};
  const auto x = torch::randn({2, 4, 6, 6});
  const auto expected = 0.1 * op.candidate(0)->forward(x) + 0.2 * x + 0.4 * op.candidate(3)->forward(x);
  EXPECT_TRUE(torch::allclose(op.forward(x), expected, 1e-5, 1e-6));
  EXPECT_EQ(op.input_shape(), (std::vector<int64_t>{4, 6, 6}));
  // hard: only the selected op runs; its value is unscaled
  state->hard = true;
  state->selected = {{0, 3}};
  EXPECT_TRUE(torch::allclose(op.forward(x), op.candidate(3)->forward(x), 1e-6, 1e-6));
}

TEST(MixedSupernet, SoftmaxWeightsFollowTheTemperature) {
  const auto& space = find_space("minatar/ss1");
  auto net = make_mixed_supernet(space, {4, 10, 10}, {});
  ASSERT_EQ(net->alphas().size(), 2u);  // one group per decision
  EXPECT_EQ(net->layout()[0].name, "conv2.kernel");
  EXPECT_EQ(net->layout()[0].ops, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  const auto alpha = torch::tensor({1.0f, 2.0f, 0.0f, -1.0f, 3.0f});
  set_alpha(*net, 0, alpha);
  auto entropy = [](const torch::Tensor& p) { return -(p * p.log()).sum().item<double>(); };
  double last_entropy = -1;
  for (double t : {0.5, 1.0, 5.0, 50.0}) {
    net->set_temperature(t);
    const auto p = net->probabilities()[0];
    EXPECT_TRUE(torch::allclose(p.reshape({-1}), torch::softmax(alpha / t, 0), 1e-6, 1e-7)) << t;
    // the forward pass mixes with the same weights
    net->forward(torch::rand({1, 4, 10, 10}));
    EXPECT_TRUE(torch::allclose(net->last_weights()[0], p, 1e-6, 1e-7));
    EXPECT_GT(entropy(p), last_entropy) << "a higher temperature must flatten the weights";
    last_entropy = entropy(p);
  }
  EXPECT_NEAR(last_entropy, std::log(5.0), 0.01);  // T = 50: almost uniform
  EXPECT_NE(error_of([&] { net->set_temperature(0); }).find("temperature must be > 0"), std::string::npos);
}

TEST(MixedSupernet, GumbelWeightsSumToOneAndBecomeOneHotAsTauFalls) {
  const auto& space = find_space("blocks");
  MixOptions o;
  o.mode = "gumbel";
  o.seed = 3;
  auto net = make_mixed_supernet(space, {4, 10, 10}, o);
  const auto obs = torch::rand({2, 4, 10, 10});
  auto max_weight = [&](double tau) {
    net->set_temperature(tau);
    net->forward(obs);
    double smallest_max = 1;
    for (const auto& w : net->last_weights()) {
      EXPECT_TRUE(torch::allclose(w.sum(1), torch::ones({w.size(0)}), 1e-5, 1e-6));
      smallest_max = std::min(smallest_max, std::get<0>(w.max(1)).min().item<double>());
    }
    return smallest_max;
  };
  EXPECT_LT(max_weight(5.0), 0.5);    // 9 ops at tau 5: spread out
  EXPECT_GT(max_weight(0.01), 0.99);  // every row nearly one-hot
  // The argmax follows softmax(alpha): Gumbel-max sampling (on a small net: many passes).
  auto small = make_mixed_supernet(find_space("minatar/ss1"), {4, 10, 10}, o);
  set_alpha(*small, 0, torch::tensor({2.0f, 1.0f, 0.0f, 0.0f, -1.0f}));
  const auto p = torch::softmax(small->alphas()[0].detach().reshape({-1}), 0);
  std::vector<double> counts(5, 0);
  const int draws = 3000;
  torch::NoGradGuard no_grad;
  small->set_temperature(1.0);
  const auto one = obs.narrow(0, 0, 1);
  for (int i = 0; i < draws; ++i) {
    small->forward(one);
    counts[static_cast<size_t>(small->last_weights()[0].argmax().item<int64_t>())] += 1.0 / draws;
  }
  for (size_t k = 0; k < 5; ++k) EXPECT_NEAR(counts[k], p[static_cast<int64_t>(k)].item<double>(), 0.03) << k;
}

TEST(MixedSupernet, GradientsReachAlpha) {
  for (const auto* mode : {"softmax", "gumbel", "gumbel-hard"}) {
    for (const char* name : {"minatar/ss1", "cell/micro"}) {
      MixOptions o;
      o.mode = std::string(mode).substr(0, std::string(mode).find('-'));
      o.hard = std::string(mode) == "gumbel-hard";
      auto net = make_mixed_supernet(find_space(name), {4, 10, 10}, o);
      net->forward(torch::rand({3, 4, 10, 10})).square().sum().backward();
      for (const auto& a : net->alphas()) {
        ASSERT_TRUE(a.grad().defined()) << name << " " << mode;
        EXPECT_GT(a.grad().abs().sum().item<double>(), 0) << name << " " << mode;
      }
    }
  }
  // frozen alpha: uniform, and no gradient
  MixOptions frozen;
  frozen.freeze = true;
  auto net = make_mixed_supernet(find_space("cell/micro"), {4, 10, 10}, frozen);
  EXPECT_FALSE(net->alphas()[0].requires_grad());
  EXPECT_TRUE(torch::allclose(net->probabilities()[0], torch::full({10, 5}, 0.2)));
}

TEST(MixedSupernet, CellsMixEveryEdgeOverEveryOpIncludingZero) {
  auto net = make_mixed_supernet(find_space("cell/classic"), {4, 10, 10}, {});
  ASSERT_EQ(net->layout().size(), 2u);
  EXPECT_EQ(net->layout()[0].name, "normal");
  EXPECT_EQ(net->layout()[0].rows.size(), 10u);  // 1 + 2 + 3 + 4 edges
  EXPECT_EQ(net->layout()[0].rows[2], "node2<-node1");
  EXPECT_EQ(net->layout()[0].ops.front(), "zero");
  EXPECT_EQ(net->layout()[1].ops,
            (std::vector<std::string>{"zero", "conv3x3_plain", "max_pool3x3", "avg_pool3x3", "skip"}));
  EXPECT_EQ(net->forward(torch::rand({2, 4, 10, 10})).sizes(), (std::vector<int64_t>{2, 256}));
}

torch::Tensor row(std::initializer_list<double> v) { return torch::tensor(std::vector<double>(v)); }

TEST(Discretize, KeepsTheStrongestNonZeroOpPerEdgeAndTheTopTwoEdgesPerNode) {
  const auto& space = find_space("cell/classic");
  // normal ops: zero, conv3x3, conv5x5, dil_conv3x3, dil_conv5x5, skip
  const auto normal = torch::stack({
      row({0.90, 0.01, 0.06, 0.01, 0.01, 0.01}),  // node1<-input: zero is never picked
      row({0.10, 0.10, 0.10, 0.10, 0.10, 0.50}),  // node2<-input
      row({0.20, 0.40, 0.10, 0.10, 0.10, 0.10}),  // node2<-node1
      row({0.20, 0.20, 0.15, 0.15, 0.15, 0.15}),  // node3<-input   strength 0.20
      row({0.10, 0.05, 0.05, 0.70, 0.05, 0.05}),  // node3<-node1   0.70
      row({0.10, 0.10, 0.10, 0.10, 0.30, 0.30}),  // node3<-node2   0.30 (tie: the first, dil_conv5x5)
      row({0.95, 0.01, 0.01, 0.01, 0.01, 0.01}),  // node4<-input   0.01
      row({0.10, 0.10, 0.30, 0.10, 0.20, 0.20}),  // node4<-node1   0.30
      row({0.40, 0.10, 0.10, 0.10, 0.10, 0.20}),  // node4<-node2   0.20
      row({0.10, 0.25, 0.20, 0.15, 0.15, 0.15}),  // node4<-node3   0.25
  });
  // reduction ops: zero, conv3x3_plain, max_pool3x3, avg_pool3x3, skip
  auto reduction = torch::full({10, 5}, 0.2, torch::kFloat64);
  reduction[0] = row({0.1, 0.1, 0.6, 0.1, 0.1});
  reduction[1] = row({0.1, 0.1, 0.1, 0.6, 0.1});
  reduction[2] = row({0.1, 0.1, 0.1, 0.1, 0.6});
  const auto arch = space.discretize({normal, reduction});
  space.validate(arch);
  using nlohmann::json;
  EXPECT_EQ(arch.choices["normal.node1"], json::parse(R"([["conv5x5",0]])"));
  EXPECT_EQ(arch.choices["normal.node2"], json::parse(R"([["skip",0],["conv3x3",1]])"));
  EXPECT_EQ(arch.choices["normal.node3"], json::parse(R"([["dil_conv3x3",1],["dil_conv5x5",2]])"));
  EXPECT_EQ(arch.choices["normal.node4"], json::parse(R"([["conv5x5",1],["conv3x3",3]])"));
  EXPECT_EQ(arch.choices["reduction.node1"], json::parse(R"([["max_pool3x3",0]])"));
  EXPECT_EQ(arch.choices["reduction.node2"], json::parse(R"([["avg_pool3x3",0],["skip",1]])"));
  EXPECT_NE(error_of([&] { space.discretize({normal}); }).find("expects 2 alpha groups"), std::string::npos);

  // Spaces of decisions: the most probable option of each.
  const auto& chain = find_space("minatar/ss1");
  const auto a = chain.discretize({row({0.1, 0.1, 0.5, 0.2, 0.1}), row({0.3, 0.1, 0.1, 0.1, 0.4})});
  EXPECT_EQ(a, chain.make({{"conv2.kernel", 3}, {"conv3.kernel", 5}}));
}

TEST(MixedSupernet, DiscretizesItsOwnAlpha) {
  auto net = make_mixed_supernet(find_space("minatar/ss1"), {4, 10, 10}, {});
  set_alpha(*net, 0, row({0, 0, 0, 4, 0}).to(torch::kFloat));
  set_alpha(*net, 1, row({5, 0, 0, 0, 0}).to(torch::kFloat));
  EXPECT_EQ(net->discretize(), find_space("minatar/ss1").make({{"conv2.kernel", 4}, {"conv3.kernel", 1}}));
  const auto snap = net->snapshot();
  EXPECT_EQ(snap["arch"]["choices"]["conv2.kernel"], 4);
  EXPECT_EQ(snap["groups"][0]["probs"][0].size(), 5u);
}

TEST(MixedSupernet, ExpectedFlopsIsTheHandComputedExpectation) {
  // minatar/ss1 on 4x10x10: conv1 4->16 k3 on 10x10 (fixed), conv2 16->32 k in 1..5 stride 2 (5x5
  // out), conv3 32->32 k in 1..5 (5x5), linear 800 -> 128 (fixed). FLOPs = 2 MACs.
  auto net = make_mixed_supernet(find_space("minatar/ss1"), {4, 10, 10}, {});
  set_alpha(*net, 0, row({0.5, -1, 0, 2, 1}).to(torch::kFloat));
  set_alpha(*net, 1, row({-2, 0, 1, 0, 0.5}).to(torch::kFloat));
  net->set_temperature(2.0);
  const auto p2 = torch::softmax(row({0.5, -1, 0, 2, 1}) / 2.0, 0);
  const auto p3 = torch::softmax(row({-2, 0, 1, 0, 0.5}) / 2.0, 0);
  const double fixed = 16.0 * 4 * 9 * 100 + 800.0 * 128;
  double e2 = 0, e3 = 0;
  for (int k = 1; k <= 5; ++k) {
    e2 += p2[k - 1].item<double>() * 32 * 16 * k * k * 25;
    e3 += p3[k - 1].item<double>() * 32 * 32 * k * k * 25;
  }
  const double largest = fixed + 32.0 * 16 * 25 * 25 + 32.0 * 32 * 25 * 25;
  const auto cost = net->expected_cost("flops");
  EXPECT_NEAR(cost.item<double>(), (fixed + e2 + e3) / largest, 1e-6);
  // differentiable: pushing the cost down moves probability to small kernels
  cost.backward();
  const auto g = net->alphas()[0].grad().reshape({-1});
  EXPECT_LT(g[0].item<double>(), 0);  // kernel 1 below the expectation: raising it lowers the cost
  EXPECT_GT(g[4].item<double>(), 0);
  EXPECT_NE(error_of([&] { net->expected_cost("watts"); }).find("flops or latency"), std::string::npos);
  const auto latency = net->expected_cost("latency").item<double>();
  EXPECT_GT(latency, 0);
  EXPECT_LE(latency, 1.0 + 1e-9);
}

TEST(MixedSupernet, RefusesWhatItCannotBuild) {
  EXPECT_NE(error_of([] { make_mixed_supernet(find_space("nas-rl/large"), {4, 84, 84}, {}); }).find("nas-rl/large"),
            std::string::npos);
  MixOptions o;
  o.mode = "soft";
  EXPECT_NE(error_of([&] { make_mixed_supernet(find_space("minatar/ss1"), {4, 10, 10}, o); }).find("softmax or gumbel"),
            std::string::npos);
}

}  // namespace
}  // namespace rlnas::space
