// Evolutionary architecture search, as SPOS selects its architecture when the space is too large
// to score every member (Guo et al., "Single Path One-Shot Neural Architecture Search with Uniform
// Sampling", ECCV 2020, Algorithm 1; nas-for-rl-agents Section 4.3, eq. 4 and 6, does the full
// search instead on its small spaces). The fitness is any score of an architecture: the SPOS proxy
// reward (spos.h), a tabular benchmark, a synthetic function in tests.
//
// The algorithm, with the SPOS paper's settings as defaults:
//   generation 0  `population` distinct random architectures that satisfy the constraint (at most
//                 100 x population draws; every feasible architecture when the space holds no more
//                 than `population`);
//   every generation  each new candidate is scored once; the `parents` best architectures scored
//                 so far (over all generations: an elitist top-k) are the parents of the next one;
//   next generation  `mutations` children of uniformly chosen parents, each decision redrawn with
//                 probability `mutation_prob` to a uniformly chosen option (possibly the same one),
//                 and `crossovers` children of two distinct parents, each decision taken from either
//                 with probability 1/2. A child equal to an architecture already scored or already
//                 in the generation, or violating the constraint, is discarded and drawn again (at
//                 most 10 x mutations, resp. 10 x crossovers draws in all, as the SPOS reference
//                 code); the generation is then filled up to `population` with new random feasible
//                 architectures (at most 100 x the missing count draws).
// The search runs `generations` generations (generation 0 included) and stops early when a
// generation finds no new feasible architecture (a small space exhausted). The fitness is assumed
// expensive: it is called at most once per architecture (by id). Every draw comes from one Mt19937
// seeded by `seed`, so a seed gives the same search.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "rlnas/space/architecture.h"
#include "rlnas/space/space.h"

namespace rlnas::search {

struct Scored {
  space::Architecture arch;
  double fitness = 0;
};

struct EvolutionOptions {
  int64_t population = 50;     // architectures per generation
  int64_t generations = 20;    // generations scored, the initial random one included
  int64_t parents = 10;        // top-k of everything scored so far, the parents of each generation
  double mutation_prob = 0.1;  // per decision, in (0, 1]
  int64_t mutations = 25;      // children by mutation per generation
  int64_t crossovers = 25;     // children by crossover per generation; mutations + crossovers <= population
  uint64_t seed = 1;           // Mt19937 seed (a seed above 2^32 is folded: low ^ high 32 bits)
  // Optional feasibility test (e.g. a FLOPs or parameter limit): infeasible architectures are never
  // scored. Empty: every architecture is feasible.
  std::function<bool(const space::Architecture&)> constraint = nullptr;
};

struct EvolutionResult {
  std::vector<Scored> evaluated;  // every architecture scored, best first (ties: earlier scored first)
  int64_t evaluations = 0;        // calls of the fitness function (== evaluated.size())
  int64_t generations = 0;        // generations run (fewer than asked when the space ran out)
  const Scored& best() const { return evaluated.front(); }
};

// Runs the search. `fitness` is called once per distinct architecture (higher is better; NaN is an
// error). `on_generation(g, top)` is called after generation g (0-based) is scored, with the current
// top-k best first. Throws rlnas::Error for nonsensical options (naming the option and its value),
// when the fitness returns NaN, or when no feasible architecture is found for generation 0.
EvolutionResult evolutionary_search(
    const space::SearchSpace& space, const std::function<double(const space::Architecture&)>& fitness,
    const EvolutionOptions& options = {},
    const std::function<void(int64_t generation, const std::vector<Scored>& top)>& on_generation = {});

}  // namespace rlnas::search
