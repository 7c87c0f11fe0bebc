// A plugin compiled for another plugin ABI: the loader must refuse it before calling register_envs.
#include <cstdlib>

#include "rlnas/env/plugin.h"

namespace {
void register_envs(rlnas::env::EnvRegistry&) { std::abort(); }  // never called
}  // namespace

extern "C" __attribute__((visibility("default"))) const rlnas_plugin_info* rlnas_plugin() {
  static const rlnas_plugin_info info{RLNAS_PLUGIN_ABI + 998, "wrong-abi", register_envs};
  return &info;
}
