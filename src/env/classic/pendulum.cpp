// Placeholder for Pendulum, to be implemented.
#include "rlnas/core/error.h"
#include "rlnas/env/classic.h"

namespace rlnas::env::classic {

Pendulum::Pendulum() { throw Error("Pendulum is not implemented yet"); }
void Pendulum::reset() {}
StepResult Pendulum::step(const Action&) { return {}; }
void Pendulum::write_observation(float*) const {}

}  // namespace rlnas::env::classic
