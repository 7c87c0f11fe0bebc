// Python environments through the Gymnasium API (docs/adding_an_env.md): the families
//   py:MODULE:CALLABLE  an object with reset/step/observation_space/action_space returned by
//                       MODULE.CALLABLE(**options) (values parsed as JSON where they parse)
//   gym:ID              gymnasium.make(ID, **options), where Gymnasium is importable
// run by an interpreter embedded in the rlnas process (CPython through pybind11), started on first
// use. Spaces are read by duck typing (shape, dtype, low, high, n), so no Gymnasium install is
// needed for py:. Box and Discrete spaces; a Discrete observation becomes a one-hot vector.
#pragma once

#include "rlnas/env/registry.h"

namespace rlnas::env {

// Whether this rlnas was built with the Python bridge (Python development files and pybind11
// were found at build time).
bool python_bridge_built();

// Registers the families "py" and "gym". Without the bridge their environments fail with a
// message that says so.
void register_python_envs(EnvRegistry& registry);

}  // namespace rlnas::env
