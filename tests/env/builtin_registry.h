// Test helper: one registry with every built-in environment, shared by the env test suites.
#pragma once

#include "rlnas/env/registry.h"

namespace rlnas::env {

inline const EnvRegistry& registry() {
  static const EnvRegistry r = [] {
    EnvRegistry r;
    register_builtin_envs(r);
    return r;
  }();
  return r;
}

}  // namespace rlnas::env
