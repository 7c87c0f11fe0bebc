// Placeholder for MountainCar, to be implemented.
#include "rlnas/core/error.h"
#include "rlnas/env/classic.h"

namespace rlnas::env::classic {

MountainCar::MountainCar() { throw Error("MountainCar is not implemented yet"); }
void MountainCar::reset() {}
StepResult MountainCar::step(const Action&) { return {}; }
void MountainCar::write_observation(float*) const {}

}  // namespace rlnas::env::classic
