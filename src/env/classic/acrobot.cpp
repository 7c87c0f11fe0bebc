// Placeholder for Acrobot, to be implemented.
#include "rlnas/core/error.h"
#include "rlnas/env/classic.h"

namespace rlnas::env::classic {

Acrobot::Acrobot() { throw Error("Acrobot is not implemented yet"); }
void Acrobot::reset() {}
StepResult Acrobot::step(const Action&) { return {}; }
void Acrobot::write_observation(float*) const {}

}  // namespace rlnas::env::classic
