// The RL-DARTS cell spaces: sizes of Appendix G.1, decisions, validation messages, networks.
#include <gtest/gtest.h>

#include "../common/error_of.h"

#include <set>
#include <string>
#include <vector>

#include "../../src/space/builtin.h"
#include "rlnas/core/error.h"
#include "rlnas/core/rng.h"
#include "rlnas/space/space.h"

namespace rlnas::space {
namespace {

using nlohmann::json;

using test_util::error_of;

json edges(std::initializer_list<std::pair<const char*, int>> list) {
  auto out = json::array();
  for (const auto& [op, input] : list) out.push_back(json::array({op, input}));
  return out;
}

Architecture classic_example() { return find_named_architecture("cell/classic/example").arch; }
Architecture micro_example() { return find_named_architecture("cell/micro/example").arch; }

std::vector<uint64_t> option_counts(const SearchSpace& space) {
  std::vector<uint64_t> counts;
  for (const auto& d : space.decisions()) counts.push_back(d.options.size());
  return counts;
}

// Runs `batch` observations through the network, checks [batch, 256] and finite values.
torch::Tensor expect_features(nn::Backbone& net, const std::vector<int64_t>& obs_shape, int64_t batch = 2) {
  std::vector<int64_t> shape{batch};
  shape.insert(shape.end(), obs_shape.begin(), obs_shape.end());
  const auto out = net->forward(torch::rand(shape));
  EXPECT_EQ(out.sizes(), (c10::IntArrayRef{batch, 256}));
  EXPECT_EQ(net->feature_dim(), 256);
  EXPECT_TRUE(out.isfinite().all().item<bool>());
  return out;
}

// Backward of output.sum(): every parameter gets a gradient, and it is nonzero somewhere.
void expect_gradients_everywhere(nn::Backbone& net, const std::vector<int64_t>& obs_shape, const std::string& what) {
  std::vector<int64_t> shape{4};
  shape.insert(shape.end(), obs_shape.begin(), obs_shape.end());
  net->forward(torch::rand(shape)).sum().backward();
  for (const auto& p : net->named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << what << ": no gradient for " << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << what << ": zero gradient for " << p.key();
  }
}

// ---------------------------------------------------------------------------------------------
TEST(CellSpace, RegistersClassicAndMicro) {
  EXPECT_EQ(find_space("cell/classic").name(), "cell/classic");
  EXPECT_EQ(find_space("cell/micro").name(), "cell/micro");
  EXPECT_EQ(find_space("cell/classic").default_input_shape(), (std::vector<int64_t>{3, 64, 64}));
}

TEST(CellSpace, SizesAreThoseOfAppendixG1) {
  // Normal: 5 * (25 * 1) * (25 * 3) * (25 * 6); reduction: 4 * (16 * 1) * (16 * 3) * (16 * 6).
  EXPECT_EQ(find_space("cell/classic").size(), uint64_t{1406250} * uint64_t{294912});
  EXPECT_EQ(find_space("cell/classic").size(), uint64_t{414720000000});
  EXPECT_EQ(format_count(find_space("cell/classic").size()), "414,720,000,000");
  EXPECT_EQ(find_space("cell/micro").size(), uint64_t{294912});
}

TEST(CellSpace, OneDecisionPerNodePerCellType) {
  const auto& classic = find_space("cell/classic");
  std::vector<std::string> names;
  for (const auto& d : classic.decisions()) names.push_back(d.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"normal.node1", "normal.node2", "normal.node3", "normal.node4", "reduction.node1",
                                      "reduction.node2", "reduction.node3", "reduction.node4"}));
  EXPECT_EQ(option_counts(classic), (std::vector<uint64_t>{5, 25, 75, 150, 4, 16, 48, 96}));

  const auto& micro = find_space("cell/micro");
  names.clear();
  for (const auto& d : micro.decisions()) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"normal.node1", "normal.node2", "normal.node3", "normal.node4"}));
  EXPECT_EQ(option_counts(micro), (std::vector<uint64_t>{4, 16, 48, 96}));
}

TEST(CellSpace, OptionsAreDistinctEdgeListsWithoutZero) {
  for (const char* name : {"cell/classic", "cell/micro"}) {
    for (const auto& d : find_space(name).decisions()) {
      const int node = std::stoi(d.name.substr(d.name.find(".node") + 5));
      std::set<std::string> seen;
      for (const auto& option : d.options) {
        EXPECT_TRUE(seen.insert(option.dump()).second) << d.name << " repeats " << option.dump();
        ASSERT_EQ(option.size(), node == 1 ? 1u : 2u) << d.name;
        int64_t previous = -1;
        for (const auto& edge : option) {
          EXPECT_NE(edge[0].get<std::string>(), "zero") << d.name;
          const auto input = edge[1].get<int64_t>();
          EXPECT_GT(input, previous) << d.name << ": " << option.dump();
          EXPECT_LT(input, node) << d.name << ": " << option.dump();
          previous = input;
        }
      }
    }
  }
}

TEST(CellSpace, FirstOptionsListTheOpsOfThePaper) {
  const auto classic = find_space("cell/classic").decisions();
  EXPECT_EQ(classic[0].options.front(), edges({{"conv3x3", 0}}));
  EXPECT_EQ(classic[0].options.back(), edges({{"skip", 0}}));
  EXPECT_EQ(classic[1].options.front(), edges({{"conv3x3", 0}, {"conv3x3", 1}}));
  EXPECT_EQ(classic[4].options[1], edges({{"max_pool3x3", 0}}));
  const auto micro = find_space("cell/micro").decisions();
  std::vector<json> node1;
  for (const char* op : {"conv3x3_plain", "relu", "tanh", "skip"}) node1.push_back(edges({{op, 0}}));
  EXPECT_EQ(micro[0].options, node1);
}

TEST(CellSpace, SampledArchitecturesRoundTripThroughJson) {
  Mt19937 rng(7);
  for (const char* name : {"cell/classic", "cell/micro"}) {
    const auto& space = find_space(name);
    for (int i = 0; i < 20; ++i) {
      const auto arch = space.sample(rng);
      EXPECT_NO_THROW(space.validate(arch));
      const auto back = Architecture::from_json(json::parse(arch.to_json().dump()));
      EXPECT_EQ(back, arch);
      EXPECT_EQ(back.id(), arch.id());
      EXPECT_NO_THROW(space.validate(back));
    }
  }
}

TEST(CellSpace, SamplingReachesEveryOption) {
  // Uniform per decision: 400 draws of the 5 node-1 options miss one with probability ~1e-38.
  Mt19937 rng(3);
  std::set<std::string> seen;
  const auto& space = find_space("cell/classic");
  for (int i = 0; i < 400; ++i) seen.insert(space.sample(rng).choices["normal.node1"].dump());
  EXPECT_EQ(seen.size(), 5u);
}

TEST(CellSpace, ValidateSaysWhichDecisionHasAWrongOp) {
  const auto& space = find_space("cell/classic");
  auto arch = classic_example();
  arch.choices["normal.node2"] = edges({{"sep_conv3x3", 0}, {"conv3x3", 1}});
  auto message = error_of([&] { space.validate(arch); });
  EXPECT_NE(message.find("normal.node2"), std::string::npos) << message;
  EXPECT_NE(message.find("sep_conv3x3"), std::string::npos) << message;

  // A reduction op in a normal cell is wrong too, and zero is never a discrete op.
  arch = classic_example();
  arch.choices["normal.node1"] = edges({{"max_pool3x3", 0}});
  message = error_of([&] { space.validate(arch); });
  EXPECT_NE(message.find("normal.node1"), std::string::npos) << message;
  arch = classic_example();
  arch.choices["reduction.node3"] = edges({{"zero", 0}, {"skip", 2}});
  message = error_of([&] { space.validate(arch); });
  EXPECT_NE(message.find("reduction.node3"), std::string::npos) << message;
  EXPECT_NE(message.find("zero"), std::string::npos) << message;
}

TEST(CellSpace, ValidateSaysWhichDecisionHasAWrongInputPair) {
  const auto& space = find_space("cell/classic");
  auto arch = classic_example();
  arch.choices["normal.node3"] = edges({{"conv3x3", 1}, {"conv3x3", 3}});  // node 3 cannot read itself
  auto message = error_of([&] { space.validate(arch); });
  EXPECT_NE(message.find("normal.node3"), std::string::npos) << message;
  EXPECT_NE(message.find("input 3"), std::string::npos) << message;

  arch = classic_example();
  arch.choices["normal.node4"] = edges({{"conv3x3", 2}, {"skip", 0}});  // inputs out of order
  message = error_of([&] { space.validate(arch); });
  EXPECT_NE(message.find("normal.node4"), std::string::npos) << message;
  EXPECT_NE(message.find("increasing"), std::string::npos) << message;

  arch = classic_example();
  arch.choices["reduction.node2"] = edges({{"skip", 1}, {"skip", 1}});  // the same input twice
  message = error_of([&] { space.validate(arch); });
  EXPECT_NE(message.find("reduction.node2"), std::string::npos) << message;

  arch = classic_example();
  arch.choices["normal.node2"] = edges({{"conv3x3", 0}});  // one edge where two are needed
  message = error_of([&] { space.validate(arch); });
  EXPECT_NE(message.find("normal.node2"), std::string::npos) << message;
  EXPECT_NE(message.find("2 [op, input] edges"), std::string::npos) << message;
}

TEST(CellSpace, ValidateSaysWhichNodeIsMissingOrUnknown) {
  const auto& space = find_space("cell/micro");
  auto arch = micro_example();
  arch.choices.erase("normal.node3");
  auto message = error_of([&] { space.validate(arch); });
  EXPECT_NE(message.find("normal.node3"), std::string::npos) << message;

  // micro has no reduction decisions: IMPALA's reduction is fixed.
  arch = micro_example();
  arch.choices["reduction.node1"] = edges({{"max_pool3x3", 0}});
  message = error_of([&] { space.validate(arch); });
  EXPECT_NE(message.find("reduction.node1"), std::string::npos) << message;

  message = error_of([&] { space.validate(classic_example()); });
  EXPECT_NE(message.find("cell/classic"), std::string::npos) << message;
}

TEST(CellSpace, MutateChangesExactlyOneDecision) {
  Mt19937 rng(11);
  for (const char* name : {"cell/classic", "cell/micro"}) {
    const auto& space = find_space(name);
    for (int i = 0; i < 20; ++i) {
      const auto arch = space.sample(rng);
      const auto mutant = space.mutate(arch, rng);
      EXPECT_NO_THROW(space.validate(mutant));
      int changed = 0;
      for (const auto& d : space.decisions()) changed += arch.choices[d.name] != mutant.choices[d.name];
      EXPECT_EQ(changed, 1) << name;
    }
  }
}

TEST(CellSpace, EnumerateRefusesTheseHugeSpaces) {
  auto message = error_of([] { find_space("cell/classic").enumerate(); });
  EXPECT_NE(message.find("414,720,000,000"), std::string::npos) << message;
  message = error_of([] { find_space("cell/micro").enumerate(); });
  EXPECT_NE(message.find("294,912"), std::string::npos) << message;
}

TEST(CellSpace, DescribeReadsLikeAGenotype) {
  const auto lines = find_space("cell/classic").describe(classic_example());
  auto has = [&](const std::string& line) { return std::find(lines.begin(), lines.end(), line) != lines.end(); };
  EXPECT_TRUE(has("normal node1 = conv3x3(input)"));
  EXPECT_TRUE(has("normal node2 = skip(input) + conv3x3(node1)"));
  EXPECT_TRUE(has("normal output = conv1x1(concat(node1, node2, node3, node4))"));
  EXPECT_TRUE(has("reduction node1 = max_pool3x3/2(input)"));  // stride 2 on the cell input
  EXPECT_TRUE(has("reduction node2 = conv3x3_plain/2(input) + skip(node1)"));
  EXPECT_EQ(lines.size(), 1u + 2 * 5);

  const auto micro = find_space("cell/micro").describe(micro_example());
  EXPECT_EQ(micro.size(), 1u + 5);
  EXPECT_NE(micro[0].find("max_pool3x3/2"), std::string::npos) << micro[0];
}

TEST(CellSpace, NamedArchitecturesBelongToTheirSpaces) {
  for (const char* name : {"cell/classic/example", "cell/micro/example"}) {
    const auto& named = find_named_architecture(name);
    EXPECT_FALSE(named.description.empty());
    EXPECT_NO_THROW(find_space(named.arch.space).validate(named.arch)) << name;
  }
  EXPECT_EQ(classic_example().space, "cell/classic");
  EXPECT_EQ(micro_example().space, "cell/micro");
}

TEST(CellSpace, RejectsBadDepths) {
  auto message = error_of([] { detail::make_cell_space("classic", {}, true); });
  EXPECT_NE(message.find("depths"), std::string::npos) << message;
  message = error_of([] { detail::make_cell_space("micro", {8, 0}, true); });
  EXPECT_NE(message.find("index 1"), std::string::npos) << message;
  message = error_of([] { detail::make_cell_space("macro", {8}, true); });
  EXPECT_NE(message.find("classic, micro or classic-linear"), std::string::npos) << message;
}

TEST(CellSpace, ExposesTheSoftmaxCandidatesIncludingZero) {
  const auto space = detail::make_cell_space("classic", {4}, true);
  // Every option's ops are non-zero candidates: 5 normal ops, 4 reduction ops (Appendix G.1).
  std::set<std::string> normal, reduction;
  for (const auto& d : space->decisions()) {
    for (const auto& option : d.options) {
      for (const auto& edge : option) (d.name[0] == 'n' ? normal : reduction).insert(edge[0].get<std::string>());
    }
  }
  EXPECT_EQ(normal, (std::set<std::string>{"conv3x3", "conv5x5", "dil_conv3x3", "dil_conv5x5", "skip"}));
  EXPECT_EQ(reduction, (std::set<std::string>{"conv3x3_plain", "max_pool3x3", "avg_pool3x3", "skip"}));
}

// ---------------------------------------------------------------------------------------------
TEST(CellNetwork, SampledNetworksMapMinAtarFramesToFeatures) {
  Mt19937 rng(5);
  for (const char* variant : {"classic", "micro"}) {
    const auto space = detail::make_cell_space(variant, {8, 8, 8}, true);
    for (int i = 0; i < 4; ++i) {
      auto net = space->build(space->sample(rng), {4, 10, 10});
      expect_features(net, {4, 10, 10}, /*batch=*/3);
    }
  }
}

TEST(CellNetwork, SampledNetworksMapProcgenFramesToFeatures) {
  Mt19937 rng(6);
  for (const char* variant : {"classic", "micro"}) {
    const auto space = detail::make_cell_space(variant, {4, 4, 4}, true);
    for (int i = 0; i < 2; ++i) {
      auto net = space->build(space->sample(rng), {3, 64, 64});
      expect_features(net, {3, 64, 64});
    }
  }
}

TEST(CellNetwork, RegisteredSpacesBuildTheirExamples) {
  auto classic = find_space("cell/classic").build(classic_example(), {4, 10, 10});
  expect_features(classic, {4, 10, 10});
  auto micro = find_space("cell/micro").build(micro_example(), {3, 64, 64});
  expect_features(micro, {3, 64, 64});
}

TEST(CellNetwork, GradientsReachEveryParameter) {
  Mt19937 rng(9);
  for (const char* variant : {"classic", "micro"}) {
    const auto space = detail::make_cell_space(variant, {4, 4}, true);
    for (int i = 0; i < 3; ++i) {
      const auto arch = space->sample(rng);
      auto net = space->build(arch, {4, 10, 10});
      expect_gradients_everywhere(net, {4, 10, 10}, arch.canonical_json());
    }
  }
}

TEST(CellNetwork, LastNodeOutputBuildsOnlyTheNodesItReads) {
  // node4 reads the input and node1 only: nodes 2 and 3 are dead ends and get no ops.
  const auto space = detail::make_cell_space("micro", {4}, /*concat_output=*/false);
  const auto arch = space->make({{"normal.node1", edges({{"conv3x3_plain", 0}})},
                                 {"normal.node2", edges({{"conv3x3_plain", 0}, {"conv3x3_plain", 1}})},
                                 {"normal.node3", edges({{"conv3x3_plain", 0}, {"conv3x3_plain", 2}})},
                                 {"normal.node4", edges({{"relu", 0}, {"conv3x3_plain", 1}})}});
  auto net = space->build(arch, {4, 10, 10});
  // Block conv 4x4x3x3 + 4, two cells with conv edges on node 1 and node 4 only, no output conv;
  // head from 4 x 5 x 5 to 256.
  const int64_t conv = 4 * 4 * 9 + 4;
  EXPECT_EQ(nn::count_parameters(*net), conv + 2 * (2 * conv) + (4 * 5 * 5 * 256 + 256));
  expect_features(net, {4, 10, 10});
  expect_gradients_everywhere(net, {4, 10, 10}, "last-node output");
  const auto lines = space->describe(arch);
  EXPECT_NE(lines[2].find("unused"), std::string::npos) << lines[2];
  EXPECT_EQ(lines.back(), "normal output = node4");
}

TEST(CellNetwork, ParametersMatchAHandCount) {
  // micro example at depth 4 on [4, 10, 10]: block conv3x3 4 -> 4, two cells each with two
  // conv3x3 edges (node2, node4) and a 1x1 output conv 16 -> 4; pooled once to 5 x 5.
  const auto space = detail::make_cell_space("micro", {4}, true);
  auto net = space->build(micro_example(), {4, 10, 10});
  const int64_t conv = 4 * 4 * 9 + 4, output = 16 * 4 + 4;
  EXPECT_EQ(nn::count_parameters(*net), conv + 2 * (2 * conv + output) + (4 * 5 * 5 * 256 + 256));
}

TEST(CellNetwork, EachBlockHalvesTheMap) {
  // 10 -> 5 -> 3 -> 2, so the head reads 8 x 2 x 2 values, for both kinds of reduction.
  Mt19937 rng(2);
  for (const char* variant : {"classic", "micro"}) {
    const auto space = detail::make_cell_space(variant, {4, 6, 8}, true);
    auto net = space->build(space->sample(rng), {4, 10, 10});
    const auto params = net->named_parameters();
    const auto* head = params.find("head.linear.weight");
    ASSERT_NE(head, nullptr) << variant;
    EXPECT_EQ(head->sizes(), (c10::IntArrayRef{256, 8 * 2 * 2})) << variant;
  }
}

TEST(CellNetwork, FeaturesStayModestAtInitialisation) {
  // Sums of edges grow activations; check that the 16x3 networks still start in a sane range.
  Mt19937 rng(4);
  for (const char* name : {"cell/classic", "cell/micro"}) {
    const auto& space = find_space(name);
    for (int i = 0; i < 3; ++i) {
      auto net = space.build(space.sample(rng), {4, 10, 10});
      torch::NoGradGuard no_grad;
      const auto rms = net->forward(torch::rand({8, 4, 10, 10})).square().mean().sqrt().item<double>();
      EXPECT_LT(rms, 100.0) << name;
      EXPECT_GT(rms, 1e-3) << name;
    }
  }
}

TEST(CellNetwork, RejectsObservationsItWasNotBuiltFor) {
  const auto& space = find_space("cell/micro");
  auto message = error_of([&] { space.build(micro_example(), {8}); });
  EXPECT_NE(message.find("[C, H, W]"), std::string::npos) << message;
  auto net = space.build(micro_example(), {4, 10, 10});
  message = error_of([&] { net->forward(torch::rand({2, 3, 10, 10})); });
  EXPECT_NE(message.find("[B, 4, 10, 10]"), std::string::npos) << message;
  auto bad = micro_example();
  bad.choices["normal.node1"] = edges({{"conv5x5", 0}});
  message = error_of([&] { space.build(bad, {4, 10, 10}); });
  EXPECT_NE(message.find("normal.node1"), std::string::npos) << message;
}

}  // namespace
}  // namespace rlnas::space
