// ENAS controller: a distribution over the space, REINFORCE learning on a bandit, ranking,
// reproducibility and save/load.
#include "rlnas/search/controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <set>

#include "../common/error_of.h"
#include "rlnas/space/space.h"

namespace rlnas::search {
namespace {

using test_util::error_of;

// Three decisions of 4, 3 and 5 options: 60 architectures, values of mixed JSON types.
class TinySpace : public space::SearchSpace {
 public:
  std::string name() const override { return "test/tiny"; }
  std::string description() const override { return "a synthetic space for controller tests"; }
  std::vector<space::Decision> decisions() const override {
    return {{"a", {1, 2, 3, 4}, ""}, {"b", {"x", "y", "z"}, ""}, {"c", {0.5, 1.5, 2.5, 3.5, 4.5}, ""}};
  }
  std::vector<int64_t> default_input_shape() const override { return {1}; }
  nn::Backbone build(const space::Architecture&, const std::vector<int64_t>&) const override {
    throw Error("test/tiny builds nothing");
  }
};

const TinySpace& tiny() {
  static const TinySpace s;
  return s;
}

const space::Architecture& tiny_target() {
  static const auto a = tiny().make({{"a", 3}, {"b", "z"}, {"c", 0.5}});
  return a;
}

// Fraction of the target's decisions an architecture matches.
double matches(const space::Architecture& arch, const space::Architecture& target) {
  double n = 0;
  for (const auto& [key, value] : target.choices.items()) n += arch.choices.at(key) == value ? 1 : 0;
  return n / static_cast<double>(target.choices.size());
}

void train_bandit(Controller& c, const space::Architecture& target, int updates, int batch = 10) {
  for (int u = 0; u < updates; ++u) {
    std::vector<std::pair<space::Architecture, double>> b;
    for (int i = 0; i < batch; ++i) {
      auto s = c.sample();
      const double r = matches(s.arch, target);
      b.emplace_back(std::move(s.arch), r);
    }
    c.update(b);
  }
}

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override { at::set_num_threads(1); }
};

TEST_F(ControllerTest, DefinesADistributionOverTheSpace) {
  const auto& space = space::find_space("minatar/ss1");
  Controller c(space);
  const auto all = space.enumerate();
  ASSERT_EQ(all.size(), 25u);
  const auto lps = c.log_probs(all);
  ASSERT_EQ(lps.size(), all.size());
  double total = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const double p = c.probability(all[i]);
    EXPECT_GT(p, 0);
    EXPECT_LT(p, 1);
    EXPECT_NEAR(p, std::exp(lps[i]), 1e-12);
    // small uniform init: close to uniform
    EXPECT_NEAR(p, 1.0 / 25, 0.5 / 25);
    total += p;
  }
  EXPECT_NEAR(total, 1.0, 1e-9);
  for (int i = 0; i < 30; ++i) {
    const auto s = c.sample();
    EXPECT_NO_THROW(space.validate(s.arch));
    EXPECT_EQ(s.indices, c.indices(s.arch));
    EXPECT_EQ(c.architecture(s.indices), s.arch);
    EXPECT_NEAR(s.log_prob, c.log_prob(s.arch), 1e-12);
    EXPECT_GT(s.entropy, 0);
    EXPECT_LE(s.entropy, 2 * std::log(5.0) + 1e-12);
  }
  // a trained (non-uniform) controller still sums to 1
  train_bandit(c, space.make({{"conv2.kernel", 2}, {"conv3.kernel", 5}}), 20);
  total = 0;
  for (double lp : c.log_probs(all)) total += std::exp(lp);
  EXPECT_NEAR(total, 1.0, 1e-9);
}

TEST_F(ControllerTest, SamplesFollowTheDistribution) {
  Controller c(tiny(), {.lr = 0.05, .seed = 4});
  train_bandit(c, tiny_target(), 20);
  const auto all = tiny().enumerate();
  std::map<std::string, int> counts;
  const int n = 3000;
  for (int i = 0; i < n; ++i) ++counts[c.sample().arch.canonical_json()];
  for (const auto& a : all) {
    const double p = c.probability(a);
    const double freq = counts[a.canonical_json()] / static_cast<double>(n);
    EXPECT_NEAR(freq, p, 4 * std::sqrt(p * (1 - p) / n) + 1e-3) << a.canonical_json();
  }
}

TEST_F(ControllerTest, LearnsABandit) {
  Controller c(tiny(), {.lr = 0.05, .seed = 7});
  const double before = c.probability(tiny_target());
  EXPECT_NEAR(before, 1.0 / 60, 0.5 / 60);
  train_bandit(c, tiny_target(), 150);
  const double after = c.probability(tiny_target());
  EXPECT_GT(after, 0.5) << "before " << before;
  const auto top = c.rank(1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].first, tiny_target());
  EXPECT_NEAR(top[0].second, after, 1e-12);
  const auto snap = c.snapshot(3);
  ASSERT_EQ(snap["greedy"].size(), 3u);
  EXPECT_EQ(snap["greedy"][0]["decision"], "a");
  EXPECT_EQ(snap["greedy"][0]["choice"], 3);
  EXPECT_EQ(snap["greedy"][1]["choice"], "z");
  EXPECT_EQ(snap["greedy"][2]["choice"], 0.5);
  EXPECT_EQ(snap["greedy"][1]["probabilities"].size(), 3u);
  EXPECT_NEAR(snap["greedy_probability"].get<double>(), after, 1e-12);
  ASSERT_EQ(snap["top"].size(), 3u);
  EXPECT_EQ(snap["top"][0]["id"], tiny_target().short_id());
  EXPECT_EQ(snap["top_exact"], true);
  EXPECT_EQ(snap["updates"], 150);
}

TEST_F(ControllerTest, ConstantRewardsTeachNothing) {
  Controller c(tiny(), {.lr = 0.05, .seed = 7});
  const double before = c.probability(tiny_target());
  for (int u = 0; u < 50; ++u) {
    std::vector<std::pair<space::Architecture, double>> b;
    for (int i = 0; i < 10; ++i) b.emplace_back(c.sample().arch, 1.0);
    const auto m = c.update(b);
    EXPECT_DOUBLE_EQ(m[1].second, 1.0);  // baseline
  }
  // only the (tiny) entropy bonus acts: the distribution stays near uniform
  for (const auto& a : tiny().enumerate()) EXPECT_NEAR(c.probability(a), 1.0 / 60, 0.2 / 60);
  EXPECT_NEAR(c.probability(tiny_target()), before, 0.2 / 60);
}

TEST_F(ControllerTest, BaselineAndCosineLearningRate) {
  Controller c(tiny(), {.lr = 0.01, .baseline_decay = 0.2, .total_updates = 4});
  EXPECT_FALSE(c.has_baseline());
  const auto a = tiny().enumerate();
  auto metric = [](const Metrics& m, const std::string& name) {
    for (const auto& [k, v] : m) {
      if (k == name) return v;
    }
    ADD_FAILURE() << "no metric " << name;
    return 0.0;
  };
  auto m = c.update({{a[0], 1.0}, {a[1], 3.0}});
  EXPECT_DOUBLE_EQ(metric(m, "mean_reward"), 2.0);
  EXPECT_DOUBLE_EQ(metric(m, "baseline"), 2.0);  // the first batch sets it
  EXPECT_DOUBLE_EQ(metric(m, "lr"), 0.01);
  EXPECT_TRUE(c.has_baseline());
  m = c.update({{a[2], 7.0}});
  EXPECT_DOUBLE_EQ(metric(m, "baseline"), 0.2 * 2.0 + 0.8 * 7.0);
  EXPECT_NEAR(metric(m, "lr"), 0.5 * 0.01 * (1 + std::cos(std::numbers::pi / 4)), 1e-15);
  EXPECT_EQ(c.updates(), 2);
  c.update({{a[3], 0.0}});
  c.update({{a[4], 0.0}});
  EXPECT_NEAR(c.current_lr(), 0.0, 1e-18);  // t = T
  const auto before = c.probability(a[5]);
  m = c.update({{a[5], 100.0}});  // lr 0 after the horizon: nothing moves
  EXPECT_NEAR(metric(m, "lr"), 0.0, 1e-18);
  EXPECT_NEAR(c.probability(a[5]), before, 1e-12);

  // The first update's loss: -mean(A * log pi) - coef * mean(H) with A = R - mean(R).
  Controller d(tiny(), {.entropy_coef = 0.5});
  const double lp0 = d.log_prob(a[0]), lp1 = d.log_prob(a[1]);
  m = d.update({{a[0], 1.0}, {a[1], 3.0}});
  EXPECT_GT(metric(m, "entropy"), 0);
  EXPECT_NEAR(metric(m, "loss"), -((-1.0) * lp0 + 1.0 * lp1) / 2 - 0.5 * metric(m, "entropy"), 1e-12);
  EXPECT_NEAR(metric(m, "log_prob"), (lp0 + lp1) / 2, 1e-12);
}

TEST_F(ControllerTest, SameSeedSameControllerAndGlobalRngUntouched) {
  torch::manual_seed(123);
  const auto expected = torch::rand({4});
  torch::manual_seed(123);
  Controller a(tiny(), {.seed = 5});
  EXPECT_TRUE(torch::equal(torch::rand({4}), expected));  // construction draws nothing from torch's RNG
  torch::manual_seed(999);
  Controller b(tiny(), {.seed = 5});
  Controller other(tiny(), {.seed = 6});
  const auto pa = a.parameters(), pb = b.parameters(), po = other.parameters();
  ASSERT_EQ(pa.size(), pb.size());
  bool differs = false;
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_TRUE(torch::equal(pa[i], pb[i]));
    differs = differs || !torch::equal(pa[i], po[i]);
  }
  EXPECT_TRUE(differs);
  for (int i = 0; i < 20; ++i) {
    const auto sa = a.sample(), sb = b.sample();
    EXPECT_EQ(sa.indices, sb.indices);
    EXPECT_EQ(sa.log_prob, sb.log_prob);
  }
  train_bandit(a, tiny_target(), 5);
  train_bandit(b, tiny_target(), 5);
  for (const auto& arch : tiny().enumerate()) EXPECT_EQ(a.log_prob(arch), b.log_prob(arch));
}

TEST_F(ControllerTest, SaveLoadContinuesExactly) {
  Controller a(tiny(), {.lr = 0.05, .total_updates = 40, .seed = 11});
  train_bandit(a, tiny_target(), 10);
  a.sample();  // the RNG mid-stream
  const std::string bytes = a.to_bytes();
  Controller b(tiny(), {.lr = 0.05, .total_updates = 40, .seed = 99});
  b.from_bytes(bytes);
  EXPECT_EQ(b.updates(), 10);
  EXPECT_EQ(b.baseline(), a.baseline());
  EXPECT_TRUE(b.has_baseline());
  EXPECT_EQ(b.current_lr(), a.current_lr());
  const auto all = tiny().enumerate();
  for (const auto& arch : all) EXPECT_EQ(a.log_prob(arch), b.log_prob(arch));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.sample().indices, b.sample().indices);
  // further updates agree too (Adam's moments and step count were restored)
  train_bandit(a, tiny_target(), 5);
  train_bandit(b, tiny_target(), 5);
  for (const auto& arch : all) EXPECT_EQ(a.log_prob(arch), b.log_prob(arch));
  EXPECT_EQ(a.sample().indices, b.sample().indices);

  // an archive of a fresh (never updated) controller loads too
  Controller fresh(tiny(), {.seed = 3});
  Controller c(tiny(), {.seed = 4});
  c.from_bytes(fresh.to_bytes());
  EXPECT_FALSE(c.has_baseline());
  EXPECT_EQ(c.sample().indices, fresh.sample().indices);
}

TEST_F(ControllerTest, RankIsSortedAndAgreesWithEnumeration) {
  const auto& space = space::find_space("minatar/ss1");
  Controller c(space, {.lr = 0.05, .seed = 2});
  train_bandit(c, space.make({{"conv2.kernel", 1}, {"conv3.kernel", 4}}), 15);
  const auto all = space.enumerate();
  std::vector<std::pair<double, std::string>> expected;
  for (const auto& a : all) expected.emplace_back(c.probability(a), a.canonical_json());
  std::sort(expected.begin(), expected.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  const auto ranked = c.rank(100);
  ASSERT_EQ(ranked.size(), 25u);
  std::set<std::string> seen;
  for (size_t i = 0; i < ranked.size(); ++i) {
    EXPECT_NEAR(ranked[i].second, expected[i].first, 1e-12);
    EXPECT_NEAR(ranked[i].second, c.probability(ranked[i].first), 1e-12);
    if (i > 0) {
      EXPECT_GE(ranked[i - 1].second, ranked[i].second);
    }
    seen.insert(ranked[i].first.canonical_json());
  }
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_EQ(ranked[0].first.canonical_json(), expected[0].second);
  const auto top3 = c.rank(3);
  ASSERT_EQ(top3.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(top3[i].first, ranked[i].first);
  EXPECT_TRUE(c.rank(0).empty());
}

TEST_F(ControllerTest, BeamSearchRanksLargeSpaces) {
  const auto& space = space::find_space("nas-rl/large");
  ASSERT_GT(space.size(), Controller::kEnumerationLimit);
  Controller c(space, {.lr = 0.05, .seed = 3});
  // prefer kernel 3 everywhere
  for (int u = 0; u < 10; ++u) {
    std::vector<std::pair<space::Architecture, double>> b;
    for (int i = 0; i < 10; ++i) {
      auto s = c.sample();
      double r = 0;
      for (const auto& [key, value] : s.arch.choices.items()) r += key.ends_with(".kernel") && value == 3 ? 1 : 0;
      b.emplace_back(std::move(s.arch), r);
    }
    c.update(b);
  }
  const auto ranked = c.rank(5);
  ASSERT_EQ(ranked.size(), 5u);
  std::set<std::string> seen;
  for (size_t i = 0; i < ranked.size(); ++i) {
    EXPECT_NO_THROW(space.validate(ranked[i].first));
    EXPECT_NEAR(ranked[i].second, c.probability(ranked[i].first), 1e-12);
    if (i > 0) {
      EXPECT_GE(ranked[i - 1].second, ranked[i].second);
    }
    seen.insert(ranked[i].first.canonical_json());
  }
  EXPECT_EQ(seen.size(), 5u);
  const auto snap = c.snapshot(5);
  EXPECT_EQ(snap["top_exact"], false);
  EXPECT_EQ(snap["top"].size(), 5u);
  // the beam keeps the greedy path, so its best is at least as probable
  EXPECT_GE(ranked[0].second, snap["greedy_probability"].get<double>() - 1e-15);
  for (int i = 0; i < 200; ++i) EXPECT_LE(c.sample().log_prob, std::log(ranked[0].second) + 1e-9);
}

TEST_F(ControllerTest, RefusesArchitecturesOfAnotherSpaceAndBadInput) {
  Controller c(space::find_space("minatar/ss1"));
  const auto other = space::find_space("minatar/ss2").enumerate()[0];
  EXPECT_NE(error_of([&] { c.probability(other); }).find("minatar/ss2"), std::string::npos);
  EXPECT_NE(error_of([&] { c.update({{other, 1.0}}); }).find("minatar/ss2"), std::string::npos);
  EXPECT_EQ(c.updates(), 0);
  const auto mine = space::find_space("minatar/ss1").enumerate()[0];
  EXPECT_NE(error_of([&] { c.update({}); }).find("empty"), std::string::npos);
  EXPECT_NE(error_of([&] { c.update({{mine, std::nan("")}}); }).find("not finite"), std::string::npos);
  EXPECT_FALSE(c.has_baseline());
  auto bad = mine;
  bad.choices["conv2.kernel"] = 9;
  EXPECT_NE(error_of([&] { c.log_prob(bad); }).find("conv2.kernel"), std::string::npos);
  EXPECT_NE(error_of([&] { c.architecture({0}); }).find("2 decisions"), std::string::npos);

  Controller c2(space::find_space("minatar/ss2"));
  EXPECT_NE(error_of([&] { c2.from_bytes(c.to_bytes()); }).find("'minatar/ss1'"), std::string::npos);
  Controller wide(space::find_space("minatar/ss1"), {.hidden = 16});
  EXPECT_NE(error_of([&] { wide.from_bytes(c.to_bytes()); }).find("hidden"), std::string::npos);
  EXPECT_NE(error_of([&] { c.from_bytes("not an archive"); }).find("cannot read"), std::string::npos);
  EXPECT_NE(error_of([&] { Controller x(tiny(), {.hidden = 0}); }).find("hidden"), std::string::npos);
}

}  // namespace
}  // namespace rlnas::search
