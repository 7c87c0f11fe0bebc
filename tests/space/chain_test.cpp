// chain spaces: sizes, enumeration, sampling, mutation, validation, built networks.
#include <gtest/gtest.h>

#include <set>

#include "rlnas/core/error.h"
#include "rlnas/space/space.h"

namespace rlnas::space {
namespace {

TEST(ChainSpace, SizesAreThePapers) {
  EXPECT_EQ(find_space("nas-rl/ss1").size(), 25u);
  EXPECT_EQ(find_space("nas-rl/ss2").size(), 32u);
  EXPECT_EQ(find_space("minatar/ss1").size(), 25u);
  EXPECT_EQ(find_space("minatar/ss2").size(), 32u);
  EXPECT_EQ(find_space("nas-rl/large").size(), 1000000000u);  // (5 kernels x 2 channel counts)^9
}

TEST(ChainSpace, EnumeratesEveryArchitectureOnceAndRefusesHugeSpaces) {
  for (const char* name : {"minatar/ss1", "minatar/ss2", "nas-rl/ss1", "nas-rl/ss2"}) {
    const auto& s = find_space(name);
    const auto all = s.enumerate();
    EXPECT_EQ(all.size(), s.size()) << name;
    std::set<std::string> ids;
    for (const auto& a : all) {
      EXPECT_NO_THROW(s.validate(a));
      ids.insert(a.id());
    }
    EXPECT_EQ(ids.size(), all.size()) << name;
  }
  try {
    find_space("nas-rl/large").enumerate();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("1,000,000,000"), std::string::npos) << e.what();
  }
}

TEST(ChainSpace, SamplingIsSeededAndCoversTheSpace) {
  const auto& s = find_space("minatar/ss1");
  Mt19937 a(7), b(7);
  std::set<std::string> seen;
  for (int i = 0; i < 400; ++i) {
    const auto x = s.sample(a);
    EXPECT_EQ(x, s.sample(b));
    seen.insert(x.id());
  }
  EXPECT_EQ(seen.size(), 25u);
}

TEST(ChainSpace, MutationChangesExactlyOneDecision) {
  const auto& s = find_space("minatar/ss2");
  Mt19937 rng(3);
  auto a = s.sample(rng);
  for (int i = 0; i < 50; ++i) {
    const auto b = s.mutate(a, rng);
    int changed = 0;
    for (const auto& d : s.decisions()) changed += a.choices[d.name] != b.choices[d.name];
    EXPECT_EQ(changed, 1);
    a = b;
  }
  EXPECT_THROW(find_space("fixed/minatar").mutate(find_named_architecture("minatar").arch, rng), Error);
}

TEST(ChainSpace, ValidationNamesTheDecision) {
  const auto& s = find_space("minatar/ss1");
  const auto message = [&](nlohmann::json choices) {
    try {
      s.validate(s.make(std::move(choices)));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message({{"conv2.kernel", 4}}).find("no value for decision 'conv3.kernel'"), std::string::npos);
  EXPECT_NE(message({{"conv2.kernel", 6}, {"conv3.kernel", 3}}).find("'conv2.kernel' = 6 is not one of"),
            std::string::npos);
  EXPECT_NE(message({{"conv2.kernel", 4}, {"conv3.kernel", 3}, {"conv9.kernel", 1}}).find("unknown decision 'conv9"),
            std::string::npos);
  auto other = s.make({{"conv2.kernel", 4}, {"conv3.kernel", 3}});
  other.space = "minatar/ss2";
  EXPECT_THROW(s.validate(other), Error);
  other = s.make({{"conv2.kernel", 4}, {"conv3.kernel", 3}});
  other.version = 2;
  EXPECT_THROW(s.validate(other), Error);
}

TEST(ChainNetwork, EveryMemberHasTheFixedFlattenSizeAndLearnsEverywhere) {
  struct Case {
    const char* space;
    std::vector<int64_t> input;
    int64_t features;
  };
  for (const auto& c : {Case{"minatar/ss1", {4, 10, 10}, 128}, Case{"minatar/ss2", {6, 10, 10}, 128},
                        Case{"nas-rl/ss1", {4, 84, 84}, 512}, Case{"nas-rl/ss2", {4, 84, 84}, 512}}) {
    const auto& s = find_space(c.space);
    Mt19937 rng(1);
    for (int i = 0; i < 3; ++i) {
      const auto arch = s.sample(rng);
      auto net = s.build(arch, c.input);
      std::vector<int64_t> batch{3};
      batch.insert(batch.end(), c.input.begin(), c.input.end());
      const auto y = net->forward(torch::rand(batch));
      EXPECT_EQ(y.sizes(), (std::vector<int64_t>{3, c.features})) << c.space;
      EXPECT_EQ(net->feature_dim(), c.features);
      // the flatten size does not depend on the kernels: the linear layer is the same everywhere
      y.sum().backward();
      for (const auto& p : net->named_parameters()) {
        ASSERT_TRUE(p.value().grad().defined()) << c.space << " " << p.key();
        EXPECT_GT(p.value().grad().abs().sum().item<float>(), 0.0f) << c.space << " " << p.key();
      }
    }
  }
  auto net = find_space("minatar/ss1").build(find_named_architecture("minatar/ss1/nature").arch, {4, 10, 10});
  EXPECT_THROW(net->forward(torch::rand({2, 4, 9, 9})), Error);  // built for 10x10
  EXPECT_THROW(find_space("minatar/ss1").build(find_named_architecture("minatar/ss1/nature").arch, {4}), Error);
}

TEST(ChainSpace, DescribesLayersWithTheirShapes) {
  const auto& n = find_named_architecture("nas-rl/ss1/nature");
  const auto lines = find_space("nas-rl/ss1").describe(n.arch);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[1].find("kernel 4 (chosen)"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("11x11x64"), std::string::npos) << lines[1];
  EXPECT_NE(lines[3].find("7744 -> 512"), std::string::npos) << lines[3];
}

}  // namespace
}  // namespace rlnas::space
