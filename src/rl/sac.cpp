// Placeholder: sac is being implemented.
#include "rlnas/rl/sac.h"

#include "rlnas/core/error.h"

namespace rlnas::rl {

std::unique_ptr<AlgorithmFactory> make_sac_factory() { throw Error("sac is not implemented yet"); }

}  // namespace rlnas::rl
