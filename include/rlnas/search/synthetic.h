// A known-answer workload (`--workload synthetic`): every architecture of any space gets a seeded
// ground-truth score, and a trial "trains" by writing the figures a real one would (a learning
// curve approaching the final value, the selection and test metrics, a simulated cost), in
// microseconds. Multi-trial strategies, the selection rule and the statistics are tested on it
// against answers computed from the score table.
//
// The score of an architecture a (its choices flattened to decisions path = value, arrays element
// by element) against a planted optimum a* (drawn from the space with synthetic.seed):
//   main effects: +1 for each decision equal to a*'s, and u(path, value) in [-1, 0) otherwise;
//   pairwise interactions, weight lambda (synthetic.interaction): +lambda for each pair of decisions
//   both equal to a*'s, and lambda w(pair) with w in [-1, 0) for every other pair;
// divided by the optimum's total (D + lambda D(D-1)/2 for a*'s D decisions), so that a* scores 1
// and every other architecture less (its matches can only be fewer and everything else is negative):
// the optimum is known. u and w are fixed by hashing (seed, decision text).
//
// A trial of (a, training seed s) reports, with noise level sigma (synthetic.noise):
//   final = score(a) + sigma (g_s + e_{a,s})   g_s: the seed's luck, shared by every architecture
//                                              (pairing by seed cancels it); e: the trial's own
//   train_return_mean = train_return_late = final + sigma/2 n1   (the selection figures)
//   eval_return_mean = final + sigma/2 n2                        (the test figure)
// with g, e, n1, n2 standard normal, drawn from (seed, a, s): the same trial gives the same figures.
// Its learning curve is final (1 - exp(-5 t/T)) / (1 - exp(-5)) plus noise, and its simulated cost
// synthetic.seconds x (0.5 + h(a)), h in [0, 1) (written as the curve's time, nothing sleeps).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlnas/rl/synthetic_options.h"
#include "rlnas/space/space.h"

namespace rlnas::search {

using rl::SyntheticOptions;

struct SyntheticTrial {
  double final_value = 0;  // score + sigma (g + e)
  double selection = 0;    // train_return_mean (= train_return_late)
  double test = 0;         // eval_return_mean
  double seconds = 0;      // simulated cost
};

class SyntheticScores {
 public:
  SyntheticScores(const space::SearchSpace& space, SyntheticOptions options);
  const space::Architecture& optimum() const { return optimum_; }
  double score(const space::Architecture& arch) const;  // noise-free; 1 for the optimum
  SyntheticTrial trial(const space::Architecture& arch, int64_t training_seed) const;
  // The curve's value at step `step` of `budget` (noise from the trial's own draws).
  double curve(const space::Architecture& arch, int64_t training_seed, int64_t step, int64_t budget) const;
  const SyntheticOptions& options() const { return options_; }

 private:
  std::vector<std::pair<std::string, std::string>> decisions(const space::Architecture& arch) const;
  double hashed_uniform(const std::string& text) const;  // in [0, 1), fixed by (seed, text)
  SyntheticOptions options_;
  space::Architecture optimum_;
  std::vector<std::pair<std::string, std::string>> optimum_decisions_;
  double optimum_total_ = 1;
};

}  // namespace rlnas::search
