// Placeholder: dqn is being implemented.
#include "rlnas/rl/dqn.h"

#include "rlnas/core/error.h"

namespace rlnas::rl {

std::unique_ptr<AlgorithmFactory> make_dqn_factory() { throw Error("dqn is not implemented yet"); }

}  // namespace rlnas::rl
