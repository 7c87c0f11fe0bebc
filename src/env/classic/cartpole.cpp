// Placeholder for CartPole, to be implemented.
#include "rlnas/core/error.h"
#include "rlnas/env/classic.h"

namespace rlnas::env::classic {

CartPole::CartPole() { throw Error("CartPole is not implemented yet"); }
void CartPole::reset() {}
StepResult CartPole::step(const Action&) { return {}; }
void CartPole::write_observation(float*) const {}

}  // namespace rlnas::env::classic
