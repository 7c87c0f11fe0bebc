// Single-path supernets: gradient isolation, weight sharing across paths, path selection.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "../common/error_of.h"
#include "rlnas/space/supernet.h"

namespace rlnas::space {
namespace {

using test_util::error_of;

std::vector<int64_t> batch_of(int64_t b, const std::vector<int64_t>& shape) {
  std::vector<int64_t> s{b};
  s.insert(s.end(), shape.begin(), shape.end());
  return s;
}

TEST(Supernet, HasAChoiceLayerPerDecisionWithEveryCandidate) {
  for (const char* name : {"minatar/ss1", "minatar/ss2", "nas-rl/ss1", "blocks"}) {
    const auto& s = find_space(name);
    auto net = make_supernet(s, s.default_input_shape());
    const auto decisions = s.decisions();
    ASSERT_EQ(net->choice_layers().size(), decisions.size()) << name;
    for (size_t i = 0; i < decisions.size(); ++i) {
      EXPECT_EQ(net->choice_layers()[i]->decision(), decisions[i].name);
      EXPECT_EQ(net->choice_layers()[i]->options(), decisions[i].options);
    }
  }
}

TEST(Supernet, OnlyTheChosenOpsReceiveGradient) {
  for (const char* name : {"minatar/ss1", "blocks"}) {
    const auto& s = find_space(name);
    const std::vector<int64_t> shape{4, 10, 10};
    auto net = make_supernet(s, shape);
    Mt19937 rng(11);
    for (int trial = 0; trial < 3; ++trial) {
      const auto arch = s.sample(rng);
      net->set_path(arch);
      net->zero_grad();
      for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
      net->forward(torch::rand(batch_of(2, shape))).square().sum().backward();
      for (const auto& layer : net->choice_layers()) {
        for (size_t i = 0; i < layer->size(); ++i) {
          for (const auto& p : layer->candidate(i)->parameters()) {
            if (i == layer->active()) {
              ASSERT_TRUE(p.grad().defined()) << name << " " << layer->decision();
              EXPECT_GT(p.grad().abs().sum().item<float>(), 0.0f) << name << " " << layer->decision();
            } else {
              EXPECT_FALSE(p.grad().defined() && p.grad().abs().sum().item<float>() > 0)
                  << name << " " << layer->decision() << " candidate " << i << " is off the path";
            }
          }
        }
      }
    }
  }
}

TEST(Supernet, PathsShareEveryWeightOutsideTheirDifferences) {
  const auto& s = find_space("minatar/ss2");
  auto net = make_supernet(s, {4, 10, 10});
  torch::manual_seed(0);
  const auto x = torch::rand({3, 4, 10, 10});
  auto a = s.make({{"conv2.kernel", 2}, {"conv3.kernel", 5}, {"conv4.kernel", 5}, {"conv5.kernel", 2},
                   {"conv6.kernel", 2}});
  auto b = a;
  b.choices["conv6.kernel"] = 5;
  net->set_path(a);
  const auto ya = net->forward(x);
  net->set_path(b);
  const auto yb = net->forward(x);
  EXPECT_FALSE(torch::allclose(ya, yb));  // another op on the path
  net->set_path(a);
  EXPECT_TRUE(torch::equal(net->forward(x), ya));  // back on path a: the same weights, the same output
  // one parameter set for the whole supernet: the fixed stem and head plus every candidate once
  int64_t per_candidate = 0;
  for (const auto& layer : net->choice_layers()) {
    for (size_t i = 0; i < layer->size(); ++i) per_candidate += nn::count_parameters(*layer->candidate(i));
  }
  const int64_t stem = 16 * 4 * 9 + 16, head = 1600 * 128 + 128;
  EXPECT_EQ(nn::count_parameters(*net), stem + per_candidate + head);
  // an update through path a changes shared weights that path b then uses
  net->set_path(a);
  net->forward(x).sum().backward();
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->parameters()) {
      if (p.grad().defined()) p.sub_(p.grad() * 0.1);
    }
  }
  net->set_path(b);
  EXPECT_FALSE(torch::allclose(net->forward(x), yb));
}

TEST(Supernet, MatchesTheFixedNetworkOfItsPathGivenTheSameWeights) {
  const auto& s = find_space("minatar/ss1");
  const auto arch = find_named_architecture("minatar/ss1/nature").arch;
  auto net = make_supernet(s, {4, 10, 10});
  net->set_path(arch);
  auto fixed = s.build(arch, {4, 10, 10});
  // copy the path's weights into the fixed network, in module order (stem, chosen ops, head)
  std::vector<torch::Tensor> path_params;
  for (const auto& item : net->named_parameters()) {
    bool off_path = false;
    for (const auto& layer : net->choice_layers()) {
      for (size_t i = 0; i < layer->size(); ++i) {
        if (i == layer->active()) continue;
        for (const auto& p : layer->candidate(i)->parameters()) off_path = off_path || p.is_same(item.value());
      }
    }
    if (!off_path) path_params.push_back(item.value());
  }
  const auto fixed_params = fixed->parameters();
  ASSERT_EQ(path_params.size(), fixed_params.size());
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < fixed_params.size(); ++i) fixed_params[i].copy_(path_params[i]);
  }
  const auto x = torch::rand({2, 4, 10, 10});
  EXPECT_TRUE(torch::allclose(net->forward(x), fixed->forward(x), 1e-5, 1e-6));
}

TEST(Supernet, RejectsSpacesWhoseChoicesChangeShapesAndInvalidPaths) {
  EXPECT_NE(error_of([] { make_supernet(find_space("nas-rl/large"), {4, 84, 84}); }).find("no weight-sharing builder"),
            std::string::npos);
  EXPECT_NE(error_of([] { make_supernet(find_space("mlp"), {4}); }).find("no weight-sharing builder"), std::string::npos);
  auto net = make_supernet(find_space("minatar/ss1"), {4, 10, 10});
  EXPECT_NE(error_of([&] { net->set_path(find_space("minatar/ss1").make({{"conv2.kernel", 9}, {"conv3.kernel", 1}})); })
                .find("'conv2.kernel' = 9"),
            std::string::npos);
}

}  // namespace
}  // namespace rlnas::space
