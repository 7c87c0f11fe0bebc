// The options of the synthetic workload (synthetic.* keys of a training configuration with
// workload: synthetic; search/synthetic.h says what they mean). A plain struct, so that the
// training configuration carries them without depending on the search library.
#pragma once

#include <cstdint>

namespace rlnas::rl {

struct SyntheticOptions {
  int64_t seed = 1;          // the score table (and the planted optimum)
  double noise = 0.05;       // sigma, in units of the optimum's score
  double interaction = 0.5;  // lambda
  double seconds = 60;       // mean simulated cost of one trial
};

}  // namespace rlnas::rl
