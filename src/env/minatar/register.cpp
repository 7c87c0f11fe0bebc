// Registers the five MinAtar games as "minatar/<game>".
#include "rlnas/env/minatar.h"
#include "rlnas/env/registry.h"

namespace rlnas::env {

void register_minatar_envs(EnvRegistry& registry) {
  static const char* kDescriptions[] = {"MinAtar Breakout: break three rows of bricks with a bouncing ball",
                                        "MinAtar Freeway: cross eight lanes of traffic, 2500-step game clock",
                                        "MinAtar Asterix: collect gold, dodge enemies",
                                        "MinAtar Seaquest: shoot enemies, rescue divers, surface for oxygen",
                                        "MinAtar Space Invaders: shoot the descending alien block"};
  for (size_t i = 0; i < minatar::kGames.size(); ++i) {
    const std::string game(minatar::kGames[i]);
    registry.add(EnvEntry{.name = "minatar/" + game,
                          .description = kDescriptions[i],
                          // The original has no limit; without one an idling agent may never end an episode.
                          .max_steps = 10000,
                          .options = {{"sticky", "0.1", "probability of repeating the previous action"},
                                      {"ramping", "true", "difficulty ramping (asterix, seaquest, space_invaders)"},
                                      {"actions", "full", "action set: full (6, as the MinAtar paper) or minimal"}},
                          .make = [game](const OptionReader& options) -> std::unique_ptr<Env> {
                            minatar::MinAtarOptions o;
                            o.sticky = options.get_double("sticky", 0.0, 1.0);
                            o.ramping = options.get_bool("ramping");
                            o.actions = options.get_choice("actions", {"full", "minimal"}) == "full"
                                            ? minatar::ActionSet::kFull
                                            : minatar::ActionSet::kMinimal;
                            return minatar::make_game(game, o);
                          },
                          .baselines = {"net:minatar"}});
  }
}

}  // namespace rlnas::env
