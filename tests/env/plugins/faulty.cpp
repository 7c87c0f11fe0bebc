// Plugins that register badly, chosen by the macro FAULT: "throws" (register_envs throws after
// registering one environment) or "taken" (registers a fresh name and a built-in one). Either
// way the registry must be left unchanged.
#include "../../../examples/custom_env/catch_env.h"
#include "rlnas/core/error.h"
#include "rlnas/env/plugin.h"

namespace {

rlnas::env::EnvEntry catch_entry(const std::string& name) {
  return {.name = name,
          .description = "test",
          .max_steps = 10,
          .options = {},
          .make = [](const rlnas::env::OptionReader&) -> std::unique_ptr<rlnas::env::Env> {
            return std::make_unique<example::Catch>(4, 3);
          }};
}

void register_envs(rlnas::env::EnvRegistry& registry) {
  registry.add(catch_entry("faulty/first"));
  if (std::string(FAULT) == "throws") throw rlnas::Error("the plugin's own error");
  registry.add(catch_entry("classic/cartpole"));
}

}  // namespace

RLNAS_PLUGIN("faulty", register_envs)
