// MinAtar space_invaders: placeholder until the game is implemented.
#include "minatar/game_env.h"

namespace rlnas::env::minatar {

std::unique_ptr<MinAtarEnv> make_space_invaders(const MinAtarOptions& /*options*/) {
  throw Error("minatar/space_invaders is not implemented yet");
}

}  // namespace rlnas::env::minatar
