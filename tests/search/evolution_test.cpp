// Evolutionary search (SPOS, Guo et al. Algorithm 1) on synthetic fitness functions.
#include "rlnas/search/evolution.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "../common/error_of.h"
#include "rlnas/core/rng.h"
#include "rlnas/space/space.h"

namespace rlnas::search {
namespace {

using test_util::error_of;

// The number of decisions on which `arch` agrees with `target`: the optimum is the target itself.
std::function<double(const space::Architecture&)> matches(const space::Architecture& target) {
  return [target](const space::Architecture& arch) {
    double n = 0;
    for (const auto& [name, value] : target.choices.items()) n += arch.choices.at(name) == value ? 1 : 0;
    return n;
  };
}

space::Architecture hidden_target(const space::SearchSpace& s, uint32_t seed) {
  Mt19937 rng(seed ^ 0x5eed0000u);  // a stream apart from the search's (seeded 1, 3, 11, ...)
  return s.sample(rng);
}

TEST(Evolution, FindsTheTargetOfALargeSpaceFarBeyondTheInitialPopulation) {
  const auto& s = space::find_space("nas-rl/large");
  ASSERT_GE(s.size(), 1000000000u);
  const auto target = hidden_target(s, 12345);
  const double optimum = static_cast<double>(s.decisions().size());
  double initial_best = -1;
  double last_top = -1;
  int64_t calls = 0;
  const auto result = evolutionary_search(s, matches(target), {}, [&](int64_t g, const std::vector<Scored>& top) {
    ASSERT_EQ(g, calls++);
    ASSERT_FALSE(top.empty());
    EXPECT_LE(top.size(), 10u);
    for (size_t i = 1; i < top.size(); ++i) EXPECT_GE(top[i - 1].fitness, top[i].fitness);
    EXPECT_GE(top[0].fitness, last_top);  // elitist: the best never gets worse
    last_top = top[0].fitness;
    if (g == 0) initial_best = top[0].fitness;
  });
  EXPECT_EQ(calls, 20);
  EXPECT_EQ(result.generations, 20);
  EXPECT_LE(result.evaluations, 50 * 20);
  EXPECT_GT(result.evaluations, 50 * 10);
  EXPECT_EQ(result.evaluations, static_cast<int64_t>(result.evaluated.size()));
  EXPECT_EQ(result.best().fitness, last_top);
  EXPECT_GE(result.best().fitness, optimum - 1) << result.best().arch.canonical_json();
  EXPECT_GE(result.best().fitness, initial_best + 5) << "initial best " << initial_best;
  for (size_t i = 1; i < result.evaluated.size(); ++i) {
    EXPECT_GE(result.evaluated[i - 1].fitness, result.evaluated[i].fitness);
  }
}

TEST(Evolution, ScoresEachArchitectureOnce) {
  const auto& s = space::find_space("nas-rl/large");
  const auto score = matches(hidden_target(s, 7));
  std::map<std::string, int> calls;
  int64_t total = 0;
  const auto result = evolutionary_search(
      s,
      [&](const space::Architecture& a) {
        ++calls[a.id()];
        ++total;
        return score(a);
      },
      {.population = 20, .generations = 15, .parents = 5, .mutations = 10, .crossovers = 10, .seed = 3});
  EXPECT_EQ(total, result.evaluations);
  EXPECT_EQ(calls.size(), result.evaluated.size());
  for (const auto& [id, n] : calls) EXPECT_EQ(n, 1) << id;
  std::set<std::string> ids;
  for (const auto& e : result.evaluated) {
    ids.insert(e.arch.id());
    EXPECT_EQ(e.fitness, score(e.arch));
    s.validate(e.arch);
  }
  EXPECT_EQ(ids.size(), result.evaluated.size());
}

TEST(Evolution, IsDeterministicForASeed) {
  const auto& s = space::find_space("nas-rl/large");
  const auto score = matches(hidden_target(s, 99));
  const EvolutionOptions options{.population = 16, .generations = 6, .parents = 4, .mutations = 8, .crossovers = 8};
  auto with_seed = [&](uint64_t seed) {
    auto o = options;
    o.seed = seed;
    std::vector<std::string> ids;
    for (const auto& e : evolutionary_search(s, score, o).evaluated) ids.push_back(e.arch.id());
    return ids;
  };
  const auto a = with_seed(5);
  EXPECT_EQ(a, with_seed(5));
  EXPECT_NE(a, with_seed(6));
}

TEST(Evolution, RespectsTheConstraint) {
  const auto& s = space::find_space("nas-rl/large");
  // A cost limit: at most 3 of the 9 searched layers with 64 channels, kernels summing to at most 20.
  const auto cost_ok = [decisions = s.decisions()](const space::Architecture& a) {
    int64_t wide = 0, kernels = 0;
    for (const auto& d : decisions) {
      if (d.options.size() < 2) continue;
      const auto v = a.choices.at(d.name).get<int64_t>();
      if (v == 64) ++wide;
      if (v <= 5) kernels += v;
    }
    return wide <= 3 && kernels <= 20;
  };
  int64_t feasible_target_seed = -1;
  for (uint32_t seed = 0; seed < 1000 && feasible_target_seed < 0; ++seed) {
    if (cost_ok(hidden_target(s, seed))) feasible_target_seed = seed;
  }
  ASSERT_GE(feasible_target_seed, 0);
  const auto target = hidden_target(s, static_cast<uint32_t>(feasible_target_seed));
  EvolutionOptions options;
  options.seed = 11;
  options.constraint = cost_ok;
  int64_t infeasible_scored = 0;
  const auto score = matches(target);
  const auto result = evolutionary_search(
      s,
      [&](const space::Architecture& a) {
        if (!cost_ok(a)) ++infeasible_scored;
        return score(a);
      },
      options);
  EXPECT_EQ(infeasible_scored, 0);
  ASSERT_FALSE(result.evaluated.empty());
  for (const auto& e : result.evaluated) EXPECT_TRUE(cost_ok(e.arch)) << e.arch.canonical_json();
  EXPECT_GE(result.best().fitness, static_cast<double>(s.decisions().size()) - 1);
}

TEST(Evolution, ScoresAllOfASpaceSmallerThanThePopulation) {
  const auto& s = space::find_space("minatar/ss1");
  ASSERT_EQ(s.size(), 25u);
  // A single best architecture, (4, 3).
  const auto score = [](const space::Architecture& a) {
    const auto k2 = a.choices.at("conv2.kernel").get<double>(), k3 = a.choices.at("conv3.kernel").get<double>();
    return -(k2 - 4) * (k2 - 4) - 2 * (k3 - 3) * (k3 - 3);
  };
  int64_t calls = 0;
  const auto result = evolutionary_search(s, [&](const space::Architecture& a) {
    ++calls;
    return score(a);
  });
  EXPECT_EQ(calls, 25);
  EXPECT_EQ(result.evaluations, 25);
  EXPECT_EQ(result.generations, 1);
  ASSERT_EQ(result.evaluated.size(), 25u);
  EXPECT_EQ(result.best().arch, s.make({{"conv2.kernel", 4}, {"conv3.kernel", 3}}));
  EXPECT_EQ(result.best().fitness, 0);

  // Only the feasible ones when constrained.
  EvolutionOptions options;
  options.constraint = [](const space::Architecture& a) { return a.choices.at("conv2.kernel").get<int64_t>() != 4; };
  const auto constrained = evolutionary_search(s, score, options);
  EXPECT_EQ(constrained.evaluations, 20);
  EXPECT_EQ(constrained.best().arch, s.make({{"conv2.kernel", 3}, {"conv3.kernel", 3}}));
}

TEST(Evolution, ExhaustsASpaceSlightlyLargerThanThePopulationAndStops) {
  const auto& s = space::find_space("minatar/ss1");
  const auto result =
      evolutionary_search(s, [](const space::Architecture& a) { return a.choices.at("conv3.kernel").get<double>(); },
                          {.population = 10, .generations = 20, .parents = 3, .mutations = 5, .crossovers = 5});
  EXPECT_EQ(result.evaluations, 25);
  EXPECT_LT(result.generations, 20);
  EXPECT_EQ(result.best().fitness, 5);
}

TEST(Evolution, RejectsNonsensicalOptions) {
  const auto& s = space::find_space("minatar/ss1");
  const auto f = [](const space::Architecture&) { return 0.0; };
  const auto message = [&](EvolutionOptions o) { return error_of([&] { evolutionary_search(s, f, o); }); };
  EXPECT_NE(message({.population = 0}).find("population must be at least 1, got 0"), std::string::npos);
  EXPECT_NE(message({.generations = -2}).find("generations must be at least 1, got -2"), std::string::npos);
  EXPECT_NE(message({.parents = 60}).find("parents (the top-k) must be between 1 and population (50), got 60"),
            std::string::npos);
  EXPECT_NE(message({.parents = 0}).find("got 0"), std::string::npos);
  EXPECT_NE(message({.mutation_prob = 0}).find("mutation_prob (per decision) must be in (0, 1], got 0"),
            std::string::npos);
  EXPECT_NE(message({.mutation_prob = 1.5}).find("got 1.5"), std::string::npos);
  EXPECT_NE(message({.mutations = -1}).find("mutations must be at least 0, got -1"), std::string::npos);
  EXPECT_NE(message({.crossovers = 30}).find("mutations + crossovers (25 + 30) must not exceed population (50)"),
            std::string::npos);
  EvolutionOptions never;
  never.constraint = [](const space::Architecture&) { return false; };
  EXPECT_NE(message(never).find("none of the 25 architectures of minatar/ss1 satisfies the constraint"),
            std::string::npos);
  never.population = 5;
  never.parents = 5;
  never.mutations = 0;
  never.crossovers = 0;
  EXPECT_NE(message(never).find("no architecture of minatar/ss1 satisfying the constraint in 500 random draws"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { evolutionary_search(s, [](const space::Architecture&) { return std::nan(""); }); }).find("is NaN"),
      std::string::npos);
  EXPECT_NE(error_of([&] { evolutionary_search(s, {}); }).find("no fitness function"), std::string::npos);
}

}  // namespace
}  // namespace rlnas::search
