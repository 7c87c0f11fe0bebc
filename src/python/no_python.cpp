// The Python bridge's stand-in for a build without Python development files or pybind11: the
// families exist, so that `py:` and `gym:` names get a message that says what is missing.
#include "rlnas/core/error.h"
#include "rlnas/env/python.h"

namespace rlnas::env {

bool python_bridge_built() { return false; }

namespace {

[[noreturn]] void missing(const std::string& name) {
  throw Error("env '" + name +
              "': this rlnas was built without the Python bridge (python3-dev and pybind11-dev, which "
              "scripts/setup installs, were not found at build time); rebuild it to use py: and gym: environments");
}

}  // namespace

void register_python_envs(EnvRegistry& registry) {
  registry.add_family(
      {.prefix = "py",
       .usage = "py:MODULE:CALLABLE",
       .description = "a Python environment with the Gymnasium API (not built in this rlnas)",
       .make = [](const std::string& rest, const EnvOptions&) -> std::unique_ptr<Env> { missing("py:" + rest); },
       .source = [](const std::string& rest) -> EnvSource { missing("py:" + rest); }});
  registry.add_family(
      {.prefix = "gym",
       .usage = "gym:ID",
       .description = "gymnasium.make(ID) (not built in this rlnas)",
       .make = [](const std::string& rest, const EnvOptions&) -> std::unique_ptr<Env> { missing("gym:" + rest); },
       .source = [](const std::string& rest) -> EnvSource { missing("gym:" + rest); }});
}

}  // namespace rlnas::env
