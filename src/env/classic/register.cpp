// Registers the classic-control tasks with Gymnasium's time limits.
#include "rlnas/env/classic.h"
#include "rlnas/env/registry.h"

namespace rlnas::env {

void register_classic_envs(EnvRegistry& registry) {
  registry.add({.name = "classic/cartpole",
                .description = "CartPole-v1: balance a pole on a cart (discrete 2)",
                .max_steps = 500,
                .options = {},
                .make = [](const OptionReader&) { return std::make_unique<classic::CartPole>(); }});
  registry.add({.name = "classic/acrobot",
                .description = "Acrobot-v1: swing the two-link tip above the bar (discrete 3)",
                .max_steps = 500,
                .options = {},
                .make = [](const OptionReader&) { return std::make_unique<classic::Acrobot>(); }});
  registry.add({.name = "classic/mountain_car",
                .description = "MountainCar-v0: drive an underpowered car up the hill (discrete 3)",
                .max_steps = 200,
                .options = {},
                .make = [](const OptionReader&) { return std::make_unique<classic::MountainCar>(); }});
  registry.add({.name = "classic/pendulum",
                .description = "Pendulum-v1: swing up and hold an inverted pendulum (continuous 1)",
                .max_steps = 200,
                .options = {},
                .make = [](const OptionReader&) { return std::make_unique<classic::Pendulum>(); }});
}

}  // namespace rlnas::env
